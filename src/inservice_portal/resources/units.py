"""Units of the hierarchy: folders that carry local roles and a matrix-derived ACL."""
from persistent.mapping import PersistentMapping
from pyramid.traversal import find_resource
from zope.interface import implementer

from .. import permissions
from .folder import Folder
from .interfaces import IUnit


@implementer(IUnit)
class Unit(Folder):
    """A folder on which roles are granted (``__local_roles__``: login → tuple of roles)."""

    unit_kind = None     # a column key of the permission matrix
    title = ""

    def __init__(self):
        super().__init__()
        self.__local_roles__ = PersistentMapping()

    @property
    def __acl__(self):
        return list(permissions.unit_acl(self.unit_kind, is_root=self.__parent__ is None))

    def grant(self, login: str, role: str):
        if role not in permissions.roles_held_on(self.unit_kind):
            raise ValueError(f"role {role!r} cannot be held on a {self.unit_kind} unit")
        roles = set(self.__local_roles__.get(login, ()))
        roles.add(role)
        self.__local_roles__[login] = tuple(sorted(roles))

    def revoke(self, login: str, role: str):
        roles = set(self.__local_roles__.get(login, ())) - {role}
        if roles:
            self.__local_roles__[login] = tuple(sorted(roles))
        else:
            self.__local_roles__.pop(login, None)

    def roles_of(self, login: str) -> tuple[str, ...]:
        return self.__local_roles__.get(login, ())


def unit_at(root, path):
    """The unit at ``path`` (an account's unit or school); None when unset or since removed."""
    if not path:
        return None
    try:
        return find_resource(root, path)
    except KeyError:
        return None
