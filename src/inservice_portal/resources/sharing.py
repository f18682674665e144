"""資源分享區 (000 附件二 四(三)4, 柒 二(四)): handouts, recommended lecturers and venues that
organising units share, under ``/sharing/handouts|lecturers|venues/<id>``.

An item is not stored under the unit that shares it (teachers browse one area, and an item
outlives a unit's reorganisation), so its owner is a path (``owner``) and its local roles are
derived, not stored: the owner unit's staff whose role grants the kind's function of the
permission matrix (``sharing.handouts`` …) are ``sharing_owner``; the staff of the centre that
reviews the owner's courses are ``sharing_moderator``. The ACL follows the workflow state
(workflows/sharing.py) and names only these two roles, the staff group and everyone.
"""
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.traversal import find_resource, find_root
from zope.interface import implementer

from .. import permissions
from ..workflows import sharing as sharing_workflow
from .counters import Counter
from .folder import Folder
from .interfaces import (IHandout, ILecturer, IOrganiser, ISharedItem, ISharingArea,
                         ISharingKind, IVenue)

OWNER, MODERATOR = sharing_workflow.OWNER, sharing_workflow.MODERATOR
# The function a centre's staff must hold on the centre to moderate its units' items: the
# matrix gives centres no function of their own for it, so whoever reviews a unit's courses
# (研習課程資料確認) moderates what the unit shares.
MODERATING_FUNCTION = "course.review"
NATIONAL_CENTRE = "nknu"        # moderates what the centres themselves (and the ministry) share


@implementer(ISharingArea)
class SharingArea(Folder):
    """``/sharing``: the three kinds, and the counter that numbers every item."""

    title = "資源分享區"

    def __init__(self):
        super().__init__()
        self.ids = Counter()
        for kind, cls in KINDS.items():
            self.add(cls.folder_name, SharingKind(kind), send_events=False)



@implementer(ISharingKind)
class SharingKind(Folder):
    """``/sharing/<kind>``: the items of one kind, named by number."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    @property
    def title(self):
        return KINDS[self.kind].kind_title


class DerivedRoles:
    """An item's ``__local_roles__``: computed from the owner unit and its centre on each
    lookup (only ``get`` is used by the security policy)."""

    def __init__(self, item):
        self.item = item

    def get(self, login, default=()):
        roles = []
        owner = self.item.owner_unit()
        function = self.item.function
        if owner is not None and any(function in permissions.role_permissions(r, owner.unit_kind)
                                     for r in owner.roles_of(login)):
            roles.append(OWNER)
        centre = moderating_centre(owner) if owner is not None else None
        if centre is not None and any(
                MODERATING_FUNCTION in permissions.role_permissions(r, centre.unit_kind)
                for r in centre.roles_of(login)):
            roles.append(MODERATOR)
        return tuple(roles) or default


def moderating_centre(unit):
    """The centre that moderates ``unit``'s items: an organiser's own centre; for a centre or
    the ministry, the national promotion centre."""
    if IOrganiser.providedBy(unit):
        return unit.__parent__
    return find_root(unit)["centres"].get(NATIONAL_CENTRE)


# Fields shared by every kind, then each kind's own; the value is the empty value.
COMMON = {"title": "", "description": "", "tags": ()}


@implementer(ISharedItem)
class SharedItem(Persistent):
    content_type = None
    workflow_type = "sharing"
    folder_name = None
    kind_title = None
    function = None              # the matrix function that lets a unit share this kind
    FIELDS = COMMON
    __name__ = None
    __parent__ = None

    def __init__(self, owner: str, created_by: str, created_at, state="private", **fields):
        self.owner = owner                  # path of the unit that shares it
        self.created_by = created_by
        self.created_at = created_at
        self.state = state
        self.history = None
        self.update(**{**self.FIELDS, **fields})

    def update(self, **fields):
        unknown = set(fields) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"unknown {self.content_type} fields: {sorted(unknown)}")
        for name, value in fields.items():
            setattr(self, name, tuple(value) if isinstance(value, list) else value)

    def fields(self) -> dict:
        return {name: getattr(self, name, default) for name, default in self.FIELDS.items()}

    @property
    def id(self) -> int:
        return int(self.__name__)

    sharing_id = id          # the catalog's sort key (newest first)

    def owner_unit(self):
        try:
            return find_resource(find_root(self), self.owner)
        except (KeyError, AttributeError):
            return None

    @property
    def owner_title(self) -> str:
        unit = self.owner_unit()
        return unit.title if unit is not None else ""

    @property
    def owner_centre(self):
        """The code of the moderating centre (catalog: the centre's counts and worklist)."""
        unit = self.owner_unit()
        centre = moderating_centre(unit) if unit is not None else None
        return getattr(centre, "code", None)

    @property
    def __local_roles__(self):
        return DerivedRoles(self)

    @property
    def __acl__(self):
        return sharing_workflow.acl_for(self.state)

    # -- what the catalog reads --------------------------------------------------------------
    stages = ()
    scopes = ()
    county = None
    lecturer_names = ()
    places = ()

    @property
    def related_courses(self) -> tuple:
        return ()

    def searchable_text(self) -> str:
        return " ".join(filter(None, (self.title, self.description, " ".join(self.tags),
                                      self.owner_title)))


@implementer(IHandout)
class Handout(SharedItem):
    """研習教學檔案: files from a course, with the taxonomy and a licence."""

    content_type = "handout"
    folder_name = "handouts"
    kind_title = "研習教學檔案"
    function = "sharing.handouts"
    FIELDS = {**COMMON, "course_code": None, "stage": None, "scope": None, "sub_item": None,
              "licence": "cc-by-4.0"}

    def __init__(self, *args, **kw):
        self.attachments = OOBTree()        # the files, as a course's (attachments.py)
        super().__init__(*args, **kw)

    @property
    def stages(self):
        return (self.stage,) if self.stage else ()

    @property
    def scopes(self):
        return (self.scope,) if self.scope else ()

    @property
    def related_courses(self):
        return (self.course_code,) if self.course_code else ()

    def searchable_text(self):
        names = " ".join(a.filename for a in self.attachments.values())
        return " ".join(filter(None, (super().searchable_text(), names)))


@implementer(ILecturer)
class Lecturer(SharedItem):
    """講師推薦: a lecturer a unit recommends. Contact data only with the lecturer's consent."""

    content_type = "lecturer"
    folder_name = "lecturers"
    kind_title = "講師推薦"
    function = "sharing.lecturers"
    FIELDS = {**COMMON, "affiliation": "", "expertise_stages": (), "expertise_scopes": (),
              "expertise": "", "consent": False, "phone": "", "email": ""}

    @property
    def name(self):
        return self.title

    @property
    def stages(self):
        return self.expertise_stages

    @property
    def scopes(self):
        return self.expertise_scopes

    @property
    def lecturer_names(self):
        return (self.title,)

    def searchable_text(self):
        return " ".join(filter(None, (super().searchable_text(), self.affiliation,
                                      self.expertise)))


@implementer(IVenue)
class Venue(SharedItem):
    """研習場所: a place a unit has used for courses, with what it offers."""

    content_type = "venue"
    folder_name = "venues"
    kind_title = "研習場所"
    function = "sharing.venues"
    FIELDS = {**COMMON, "address": "", "county": None, "capacity": None, "facilities": (),
              "course_codes": ()}

    @property
    def places(self):
        return tuple(p for p in (self.title, self.address) if p)

    @property
    def related_courses(self):
        return tuple(self.course_codes)

    def searchable_text(self):
        return " ".join(filter(None, (super().searchable_text(), self.address,
                                      self.county or "")))


KINDS = {cls.content_type: cls for cls in (Handout, Lecturer, Venue)}
FOLDERS = {cls.folder_name: cls for cls in KINDS.values()}


def ensure_sharing_area(root):
    """``/sharing`` with its three kinds (bootstrap, and evolve step 4 for older databases)."""
    if "sharing" not in root:
        root.add("sharing", SharingArea(), send_events=False)
    return root["sharing"]
