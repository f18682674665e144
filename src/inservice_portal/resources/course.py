"""研習課程: one course as the organiser registers it (000 附件十, items 1–26).

Field names are the API's (the API's "Course fields"); vocabulary values are the form's codes.
A course's sessions (場次) are small immutable records; the ACL follows the workflow state.
"""
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from zope.interface import implementer

from ..rules import hours as hours_rule
from ..workflows import course as course_workflow
from .interfaces import ICourse
from .registration import Registrations

CREDIT_CLASSES = ("1-5", "1-6", "1-7", "1-8")    # 學分班/學位班 take credits (Art. 10 (3))


@dataclass(frozen=True)
class Session:
    """場次: one meeting of the course; ``minutes`` is its length (net of breaks)."""
    date: date
    start: time
    end: time
    venue: str = ""

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)

    @property
    def credited_hours(self) -> Decimal:
        return hours_rule.session_hours(max(self.minutes, 0))


class Attachment(Persistent):
    """研習附件 (item 10): one uploaded file, its bytes in a ZODB blob (see attachments.py).

    ``content_type`` is the type found by inspecting the content, never the browser's claim.
    """

    def __init__(self, filename: str, content_type: str, size: int, blob,
                 uploaded_by: str, uploaded_at):
        self.filename = filename
        self.content_type = content_type
        self.size = size
        self.blob = blob
        self.uploaded_by = uploaded_by
        self.uploaded_at = uploaded_at


# Every editable field with its empty value: the form, the API and copying all use this list.
FIELDS = {
    "class_type": "1-1", "nature": "2-1", "authority_doc_no": "", "title": "", "tags": (),
    "stage": None, "subject": "", "scope": None, "sub_item": None, "level": None,
    "lecturers": (), "outline": "", "delivery_modes": (), "delivery_other": "",
    "time_slots": (), "hours": Decimal(0), "credits": None, "hours_reason": "",
    "audience_stages": (), "audience_titles": (), "audience_other": "",
    "registration_opens": None, "registration_closes": None,
    "registration_opens_time": None, "registration_closes_time": None, "starts_on": None,
    "ends_on": None, "place": "", "funding": "21-12", "funding_amount": None, "fee": "22-3",
    "classes": 1, "seats_per_class": None, "contacts": (), "feedback": "26-1",
    "sessions": (), "admission": "first_come",
}


@implementer(ICourse)
class Course(Persistent):
    content_type = "course"
    workflow_type = "course"
    __name__ = None
    __parent__ = None
    auto_approved = False
    submitted_on = None            # the day of the first submission (late flag, Art. 12)
    published_on = None            # the day it was approved (研習資訊訂閱 mails what is new)
    roster_due_on = None           # the day the roster was due, fixed when first sent
    copied_from = None
    created_by = None              # the login that registered (or copied) the course
    created_at = None
    registration_opens_time = None     # (courses stored before item 16/17 took a time)
    registration_closes_time = None

    def __init__(self, code: int, title: str = "", state: str = "draft", **fields):
        self.code = code
        self.state = state          # the workflow's initial state unless a fixture says so
        self.history = None
        self.attachments = OOBTree()
        self.add_registrations()
        self.update(**{**FIELDS, "title": title, **fields})

    def add_registrations(self):
        """``self.registrations``: 線上報名, keyed by login (resources/registration.py).
        Courses stored before it existed get it from evolve step 3."""
        container = Registrations()
        container.__parent__ = self
        self.registrations = container
        return container

    def update(self, **fields):
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise TypeError(f"unknown course fields: {sorted(unknown)}")
        for name, value in fields.items():
            if isinstance(value, list):
                value = tuple(value)       # stored immutable: a change is an assignment
            if name == "hours" and value is not None:
                value = Decimal(str(value))
            setattr(self, name, value)

    def fields(self) -> dict:
        return {name: getattr(self, name, default) for name, default in FIELDS.items()}

    # -- derived -------------------------------------------------------------------------
    @property
    def is_credit_class(self) -> bool:
        return self.class_type in CREDIT_CLASSES

    @property
    def approved_hours(self) -> Decimal:
        """The hours a full attendee is credited: credits × 18 for credit classes."""
        if self.is_credit_class and self.credits is not None:
            return hours_rule.credit_hours(self.credits)
        return Decimal(str(self.hours or 0))

    @property
    def suggested_hours(self) -> Decimal:
        return hours_rule.suggested_hours((s.date, s.minutes) for s in self.sessions)

    @property
    def capacity(self) -> int | None:
        if not self.seats_per_class:
            return None
        return self.seats_per_class * (self.classes or 1)

    @property
    def seats_left(self) -> int | None:
        """Seats not yet taken by an accepted registration; None when the course sets no limit
        (item 24 人數 left empty). Capacity is seats per class × classes (items 23–24)."""
        capacity = self.capacity
        if capacity is None:
            return None
        registrations = getattr(self, "registrations", None)
        taken = registrations.count("accepted") if registrations is not None else 0
        return max(capacity - taken, 0)

    @property
    def first_day(self):
        return min((s.date for s in self.sessions), default=self.starts_on)

    @property
    def last_day(self):
        return max((s.date for s in self.sessions), default=self.ends_on)

    @property
    def organiser(self):
        return self.__parent__

    @property
    def centre(self):
        return self.__parent__.__parent__ if self.__parent__ is not None else None

    def searchable_text(self) -> str:
        organiser = self.__parent__
        lecturers = " ".join(lecturer.get("name", "") for lecturer in self.lecturers)
        # The code is found through the code index (course_search): as a word it would add
        # a million one-document words to the text index.
        return " ".join(filter(None, (self.title, self.place, self.outline,
                                      " ".join(self.tags), lecturers, self.subject,
                                      getattr(organiser, "title", ""))))

    @property
    def __acl__(self):
        return course_workflow.acl_for(self.state)
