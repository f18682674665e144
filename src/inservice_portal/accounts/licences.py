"""專長證照登錄申請: a teacher asks to register a specialty licence or certificate (mostly
non-teaching ones); the school's 業務帳號管理者 approves it (000 附件二 參五(二)2, 002 Art. 5).

The licence lives on the teacher (``teacher.licences``: id → Licence); a pending one is also
filed on the school (``school.licence_applications``: (login, id) → when), so the school's
page lists its pending applications without a search.
"""
import secrets

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from pyramid.traversal import find_resource, find_root

from .. import clock, mail

PENDING, APPROVED, REJECTED, WITHDRAWN = "pending", "approved", "rejected", "withdrawn"
STATES = {PENDING: "待學校審核", APPROVED: "已登錄", REJECTED: "未通過",
          WITHDRAWN: "已撤回（離開原服務學校）"}


class LicenceError(ValueError):
    pass


class Licence(Persistent):
    def __init__(self, id, title, issuer, number, issued_on, school):
        self.id = id
        self.title = title
        self.issuer = issuer
        self.number = number
        self.issued_on = issued_on
        self.school = school            # the school asked to approve it (path)
        self.state = PENDING
        self.applied_at = clock.now()
        self.decided_by = None
        self.decided_at = None
        self.reason = ""


def licences_of(teacher) -> list:
    return sorted((teacher.licences or {}).values(), key=lambda l: l.applied_at, reverse=True)


def apply(teacher, title, issuer, number, issued_on) -> Licence:
    if not teacher.employed:
        # 004 amended Art. 5: no current school, the transcript only.
        raise LicenceError("目前無服務學校，帳號僅能查詢研習紀錄，暫無法申請專長證照登錄。")
    school = find_resource(find_root(teacher), teacher.school)
    licence = Licence(secrets.token_hex(6), title, issuer, number, issued_on, teacher.school)
    if teacher.licences is None:
        teacher.licences = OOBTree()
    teacher.licences[licence.id] = licence
    if getattr(school, "licence_applications", None) is None:
        school.licence_applications = OOBTree()
    school.licence_applications[(teacher.login, licence.id)] = licence.applied_at
    return licence


def pending(school) -> list[tuple]:
    """(teacher, licence) of every application waiting on ``school``, oldest first."""
    people = find_root(school)["people"]
    found = []
    for (login, licence_id), _when in (getattr(school, "licence_applications", None) or {}).items():
        teacher = people.get(login)
        licence = (teacher.licences or {}).get(licence_id) if teacher is not None else None
        if licence is not None:
            found.append((teacher, licence))
    return sorted(found, key=lambda pair: pair[1].applied_at)


def decide(request, school, login, licence_id, approve: bool, reason="") -> Licence:
    filed = getattr(school, "licence_applications", None)
    key = (login, licence_id)
    if filed is None or key not in filed:
        raise LicenceError("此申請不在本單位待審核的清單中（或已審核）。")
    if not approve and not reason.strip():
        raise LicenceError("不通過請填寫原因。")
    teacher = find_root(school)["people"][login]
    licence = teacher.licences[licence_id]
    del filed[key]
    licence.state = APPROVED if approve else REJECTED
    licence.reason = reason.strip()
    licence.decided_by = request.account.login
    licence.decided_at = clock.now()
    outcome = "已審核通過並登錄" if approve else f"未通過審核，原因：{licence.reason}"
    mail.send(request, teacher.email, "【全國教師在職進修資訊網】專長證照登錄申請審核結果",
              f"{teacher.name} 您好：\n\n您申請登錄的專長證照「{licence.title}」{outcome}。\n\n"
              "全國教師在職進修資訊網")
    return licence


def withdraw_pending(teacher):
    """The teacher leaves the school: applications it has not decided are withdrawn (the
    teacher applies again at the new school)."""
    root = find_root(teacher)
    for licence in licences_of(teacher):
        if licence.state != PENDING:
            continue
        try:
            school = find_resource(root, licence.school)
        except KeyError:
            school = None
        filed = getattr(school, "licence_applications", None)
        if filed is not None:
            filed.pop((teacher.login, licence.id), None)
        licence.state = WITHDRAWN
        licence.decided_at = clock.now()
