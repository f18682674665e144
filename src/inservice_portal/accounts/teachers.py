"""教師個人帳號: sign-up, 教師資料登錄 by a school, and 離職/轉校/退休.

A teacher account is active at once (002 Art. 4); its login never changes (002 Art. 4, 001 參五
(三)1), so the login is the account's key under /people and nothing renames it. One account
per national ID number: the People folder's ``national_ids`` index answers in one BTree look-up.
A teacher without a current school keeps the account and transcript and may only read the
transcript (004, amended Art. 5).
"""
import re
from importlib import resources

from pyramid.traversal import resource_path

from .. import clock, mail, reference, statistics
from ..catalog import Search
from ..resources.accounts import Teacher
from ..resources.events import ObjectModified, notify
from ..rules import national_id as national_id_rule
from .organisers import find_organiser
from . import licences

LOGIN = re.compile(r"[a-z][a-z0-9._-]{3,29}")
LOGIN_RULE = "4–30 個字元，以英文小寫字母開頭，可用小寫字母、數字及 . _ -"
# Organiser kinds whose staff keep a teacher list (001 參四(二)1: schools, kindergartens and
# experimental education institutions; the matrix gives them 教師資料登錄).
SCHOOL_KINDS = ("k12_school", "experimental_education")
AGREEMENTS = ("account_agreement", "personal_data_consent")


class DuplicateNationalId(ValueError):
    pass


def agreement_paragraphs(code: str) -> list[str]:
    """The agreement's text (000 附件六/七, data/agreements/<code>.txt), by paragraph; the first
    is its title."""
    text = resources.files("inservice_portal").joinpath(
        "data", "agreements", f"{code}.txt").read_text("utf-8")
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def login_problem(root, login: str) -> str | None:
    if not LOGIN.fullmatch(login or ""):
        return f"帳號格式不正確：{LOGIN_RULE}。"
    if login in root["people"]:
        return "此帳號已有人使用，請換一個。"
    return None


def tell_owner_of_sign_up(request, root, national_id: str) -> bool:
    """A sign-up with a national ID that already has an account: the page answers as for a new
    one (it must not tell whose ID has an account); the account's owner is told by mail.
    False when the ID has no account."""
    login = root["people"].login_for_national_id(national_id)
    if login is None:
        return False
    owner = root["people"][login]
    if owner.email:
        mail.send(request, owner.email, "【全國教師在職進修資訊網】有人以您的身分證統一編號申請帳號",
                  f"{owner.name} 您好：\n\n有人以您的身分證統一編號申請教師個人帳號；一個身分證統一編號"
                  f"只能有一個帳號，申請未成立。您的帳號是「{login}」。\n\n若忘記密碼，請使用「忘記密碼」；"
                  "若不是您本人申請，請留意個人資料的保管。\n\n全國教師在職進修資訊網")
    return True


def find_school(root, code: str):
    """The school (an organiser that keeps a teacher list) with this unit code, or None."""
    unit = find_organiser(root, (code or "").strip())
    return unit if unit is not None and unit.kind in SCHOOL_KINDS else None


def create_teacher(root, login, name, email, national_id, school=None, stage=None,
                   job_title=None, subjects=(), employment="employed", password=None,
                   consents=()) -> Teacher:
    """A new teacher account; the caller has validated the login and the ID's format."""
    national_id = national_id_rule.normalise(national_id)
    if root["people"].login_for_national_id(national_id) is not None:
        raise DuplicateNationalId(national_id)
    teacher = Teacher(login, name, email, national_id=national_id,
                      school=resource_path(school) if school is not None else None,
                      stage=stage, job_title=job_title, subjects=subjects)
    teacher.employment = employment if school is None else "employed"
    if password:
        teacher.set_password(password)
    now = clock.now()
    teacher.consents = {code: now for code in consents}
    return root["people"].add(login, teacher)


def teacher_by_national_id(root, national_id: str):
    login = root["people"].login_for_national_id(national_id_rule.normalise(national_id))
    return root["people"].get(login) if login is not None else None


def move_to_school(teacher, school):
    """教師資料登錄 of an existing teacher: the school becomes the teacher's current one."""
    if teacher.school != resource_path(school):
        licences.withdraw_pending(teacher)
    with statistics.tracking(teacher):            # the hours count at the new school
        teacher.school = resource_path(school)
    teacher.employment = "employed"
    notify(ObjectModified(teacher))


def set_stage(teacher, stage):
    """The stage the teacher teaches at: the statistics count the teacher's hours by it."""
    if teacher.stage != stage:
        with statistics.tracking(teacher):
            teacher.stage = stage


def transfer_out(teacher, reason: str):
    """離職/轉校/退休: the teacher keeps account and transcript and loses the school."""
    if reason not in reference.vocabulary("transfer_out_reasons"):
        raise ValueError(f"unknown reason {reason!r}")

    licences.withdraw_pending(teacher)
    with statistics.tracking(teacher):
        teacher.school = None
    teacher.employment = reason
    notify(ObjectModified(teacher))


def teachers_of(root, school, limit=2000) -> list:
    """The school's current teachers, by name (a catalog query, not a walk of /people)."""
    search = Search(root)
    query = search["content_type"].eq("teacher") & search["school"].eq(resource_path(school))
    return sorted(search.execute(query).all(), key=lambda t: (t.name, t.login))[:limit]


def split_subjects(text: str) -> tuple[str, ...]:
    parts = re.split(r"[、,，;；/\s]+", text or "")
    return tuple(p for p in parts if p)
