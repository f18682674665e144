"""研習課程 (minimal; the course issue adds the full form and the review workflow)."""
from persistent import Persistent
from pyramid.authorization import Allow, Deny, Everyone
from zope.interface import implementer

from .. import permissions
from .interfaces import ICourse


UNPUBLISHED_READERS = ("principal_admin", "contact", "operator", "centre_reviewer",
                       "national_centre", "ministry_admin")


@implementer(ICourse)
class Course(Persistent):
    content_type = "course"
    __name__ = None
    __parent__ = None

    def __init__(self, code: int, title: str, starts_on=None, ends_on=None, place="",
                 hours=0.0, state="draft"):
        self.code = code
        self.title = title
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.place = place
        self.hours = hours
        self.state = state

    def searchable_text(self) -> str:
        organiser = self.__parent__
        return " ".join(filter(None, (self.title, str(self.code), self.place,
                                      getattr(organiser, "title", ""))))

    @property
    def organiser(self):
        return self.__parent__

    @property
    def __acl__(self):
        if self.state == "published":
            return [(Allow, Everyone, permissions.VIEW)]
        # Not yet public: only the organiser's staff and the reviewers above it (their roles
        # reach here through the lineage) may see it.
        staff = [permissions.role_principal(r) for r in UNPUBLISHED_READERS]
        return [(Allow, p, permissions.VIEW) for p in staff] + [(Deny, Everyone, permissions.VIEW)]
