"""研習紀錄: one line of a teacher's lifelong transcript, stored in ``teacher.records``.

``teacher.records`` is an OOBTree keyed ``(source, source_record_id)``: a local course's
record is ``("local", "<course code>")``, so writing a course's records again (after a
reopened roster is confirmed) replaces them instead of adding more; records imported from a
county system are keyed by that system's own id the same way.
"""
from persistent import Persistent

LOCAL = "local"


class TrainingRecord(Persistent):
    special_approval = None        # {"by", "at"} once the authority approved hours over the caps
    duplicate_of = None            # the key of the record this one repeats (exchange/duplicates.py):
                                   # it is shown but never counted
    revisions = ()                 # what each rewrite replaced: ({"hours", "days", "written_at",
                                   # "replaced_at"}, …), for the audit of reopened rosters

    def __init__(self, login, source, source_record_id, **fields):
        self.login = login
        self.source = source
        self.source_record_id = source_record_id
        self.update(**fields)

    def update(self, title="", course_code=None, organiser="", hours=0, days=(),
               credit_class=False, written_at=None):
        self.title = title
        self.course_code = course_code
        self.organiser = organiser          # the organiser's name when the record was written
        self.hours = hours                  # credited hours (Decimal)
        self.days = tuple(days)             # ((date, hours), …): the hours per day attended
        self.credit_class = credit_class
        self.written_at = written_at

    def rewrite(self, **fields):
        """Replace the record's data, keeping what it was in ``revisions``."""
        self.revisions = (*self.revisions, {"hours": self.hours, "days": self.days,
                                            "written_at": self.written_at,
                                            "replaced_at": fields.get("written_at")})
        self.update(**fields)

    @property
    def key(self):
        return (self.source, self.source_record_id)

    @property
    def last_day(self):
        return max((d for d, _ in self.days), default=None)

    @property
    def first_day(self):
        return min((d for d, _ in self.days), default=None)
