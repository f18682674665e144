"""教師資料同步 (003): a partner that keeps teachers' employment (全國教保資訊網 for the
kindergartens, 臺北市) sends, nightly, each teacher's school, job title and employment; the
portal moves the teacher to the school, or out of it (a teacher who left keeps only the
transcript, 004 amended Art. 5), and answers what changed and what it could not match.

A row: ``national_id``, ``employment`` (``employed`` or a reason of leaving: ``left``,
``transferred``, ``retired``), ``school_code`` (when employed), ``job_title`` (a 15-x code
of 附件十, optional). Only teachers of the partner's counties, at schools of its counties."""
from dataclasses import dataclass, field

from pyramid.traversal import resource_path

from .. import reference, vocabularies
from ..accounts import teachers as accounts
from ..rules import national_id as national_id_rule
from ..statistics.measures import teacher_place

MAX_ROWS = 10_000


@dataclass
class Report:
    changed: list = field(default_factory=list)      # {"row", "login", "changes": [...]}
    unchanged: int = 0
    unmatched: list = field(default_factory=list)    # {"row", "field", "message"}

    def as_dict(self) -> dict:
        return {"changed": self.changed, "unchanged": self.unchanged,
                "unmatched": self.unmatched}


def sync(root, partner, rows: list) -> Report:
    report = Report()
    for number, raw in enumerate(rows, 1):
        problem = _apply(root, partner, number, raw if isinstance(raw, dict) else {}, report)
        if problem:
            report.unmatched.append({"row": number, "field": problem[0], "message": problem[1]})
    return report


def _apply(root, partner, number, raw, report):
    national_id = national_id_rule.normalise(str(raw.get("national_id") or ""))
    teacher = accounts.teacher_by_national_id(root, national_id) if national_id else None
    # A teacher serving a school outside the partner's counties is not the partner's; one who
    # left every school may be taken on by a school of them (checked below).
    if teacher is None or (teacher.school and not partner.may_reach(teacher_place(teacher)[0])):
        return "national_id", "查無此身分證統一編號、可由本傳報單位同步的教師帳號。"
    employment = str(raw.get("employment") or "")
    leaving = reference.vocabulary("transfer_out_reasons")
    if employment not in ("employed", *leaving):
        return "employment", "任職狀態應為 employed、left、transferred 或 retired。"
    title = str(raw.get("job_title") or "") or None
    if title and title not in vocabularies.VOCAB["audience_titles"]:
        return "job_title", "職稱代碼不在附件十的「參加對象職稱」（15-x）之中。"
    school = None
    if employment == "employed":
        school = accounts.find_school(root, str(raw.get("school_code") or ""))
        if school is None or not partner.may_reach(school.county or ""):
            return "school_code", "查無此學校代碼，或學校不在本傳報單位同步的縣市。"
    changes = _changes(teacher, employment, school, title)
    if not changes:
        report.unchanged += 1
        return None
    if school is not None and teacher.school != resource_path(school):
        accounts.move_to_school(teacher, school)
    elif school is None and teacher.school is not None:
        accounts.transfer_out(teacher, employment)
    if title and title != teacher.job_title:
        teacher.job_title = title
    report.changed.append({"row": number, "login": teacher.login, "changes": changes})
    return None


def _changes(teacher, employment, school, title) -> list[str]:
    found = []
    if school is not None and teacher.school != resource_path(school):
        found.append(f"服務學校改為 {school.title}（{school.code}）")
    if school is None and teacher.school is not None:
        found.append(f"離開服務學校（{reference.vocabulary('transfer_out_reasons')[employment]}）")
    if title and title != teacher.job_title:
        found.append(f"職稱改為 {vocabularies.label('audience_titles', title)}")
    return found
