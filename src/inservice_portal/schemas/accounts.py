"""Colander schemas of the account forms: teacher sign-up, 教師資料登錄, staff application.

Validators that need the database are deferred: the form binds ``context`` (the root) and
``request``. Messages name the problem in the seeds' terms.
"""
import colander
import deform
from pyramid.traversal import find_root

from ..accounts import passwords
from .. import reference
from ..forms import CSRFSchema
from ..rules import national_id as national_id_rule
from ..accounts import teachers as teacher_accounts
from ..accounts.staff import find_unit, type_problem

MISMATCH = "兩次輸入的密碼不一致。"


def _root(kw):
    return find_root(kw["context"])


def choices(vocabulary: dict, blank="請選擇") -> list:
    return [("", blank)] + list(vocabulary.items())


def job_titles() -> dict:
    return reference.load("course_form")["vocabularies"]["audience_titles"]


class ConsentWidget(deform.widget.CheckboxWidget):
    """A required checkbox after the agreement's text (templates/deform/consent.pt)."""

    template = "consent"
    category = "structural"     # the template labels its own checkbox

    def __init__(self, code, **kw):
        super().__init__(**kw)
        self.code = code
        self.paragraphs = teacher_accounts.agreement_paragraphs(code)


def must_accept(node, value):
    if not value:
        raise colander.Invalid(node, "須勾選同意才能申請帳號。")


@colander.deferred
def new_login_validator(node, kw):
    root = _root(kw)

    def validate(node, value):
        problem = teacher_accounts.login_problem(root, value)
        if problem:
            raise colander.Invalid(node, problem)
    return validate


def normalised_id(value):
    return national_id_rule.normalise(value) if isinstance(value, str) else value


def national_id_format(node, value):
    problem = national_id_rule.problem(value)
    if problem:
        raise colander.Invalid(node, problem)


@colander.deferred
def school_code_validator(node, kw):
    root = _root(kw)

    def validate(node, value):
        if value and teacher_accounts.find_school(root, value) is None:
            raise colander.Invalid(node, "查無此學校代碼（須為高級中等以下學校、幼兒園或實驗教育機構）。")
    return validate


def length(low=None, high=None):
    """colander.Length with the messages in Chinese."""
    return colander.Length(low, high, min_err="至少需 ${min} 個字元。",
                           max_err="不可超過 ${max} 個字元。")


def text(title, description=None, autocomplete=None, **kw):
    attributes = {"autocomplete": autocomplete} if autocomplete else {}
    return colander.SchemaNode(colander.String(), title=title, description=description,
                               widget=deform.widget.TextInputWidget(attributes=attributes), **kw)


def select(title, vocabulary, **kw):
    return colander.SchemaNode(
        colander.String(), title=title,
        widget=deform.widget.SelectWidget(values=choices(vocabulary)),
        validator=colander.OneOf(list(vocabulary)), **kw)


def new_password_node():
    return colander.SchemaNode(
        colander.String(), title="密碼", description=f"至少 {passwords.MIN_LENGTH} 個字元。",
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "new-password"}))


def confirm_node():
    return colander.SchemaNode(
        colander.String(), title="再次輸入密碼",
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "new-password"}))


def check_passwords(form, value):
    """Schema-level: the password's rules (passwords.check_new) and the repeated entry."""
    problem = passwords.check_new(value["password"], login=value.get("login", ""))
    if problem:
        error = colander.Invalid(form)
        error["password"] = problem
        raise error
    if value["password"] != value["password_confirm"]:
        error = colander.Invalid(form)
        error["password_confirm"] = MISMATCH
        raise error


def email_node(title="電子郵件信箱"):
    return colander.SchemaNode(
        colander.String(), title=title, validator=colander.Email(msg="電子郵件信箱格式不正確。"),
        description="將寄送一次性確認連結到此信箱。",
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "email", "type": "email"}))


def stage_node():
    stages = reference.vocabulary("school_stages")
    return colander.SchemaNode(
        colander.String(), title="任教教育階段",
        widget=deform.widget.SelectWidget(values=choices(stages)),
        validator=colander.OneOf(list(stages)))


def job_title_node():
    return colander.SchemaNode(
        colander.String(), title="職稱",
        widget=deform.widget.SelectWidget(values=choices(job_titles())),
        validator=colander.OneOf(list(job_titles())))


def subjects_node():
    return colander.SchemaNode(
        colander.String(), title="任教科目", missing="",
        description="可填多個，以頓號「、」或逗號分隔，例如：國語文、數學。",
        validator=length(high=200))


def login_node():
    return colander.SchemaNode(
        colander.String(), title="帳號",
        description=f"{teacher_accounts.LOGIN_RULE}。帳號申請後即不可變更。",
        preparer=lambda v: v.strip() if isinstance(v, str) else v,
        validator=new_login_validator,
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username"}))


class TeacherSignupSchema(CSRFSchema):
    login = login_node()
    password = new_password_node()
    password_confirm = confirm_node()
    name = text("姓名", autocomplete="name", validator=length(1, 50))
    national_id = colander.SchemaNode(
        colander.String(), title="身分證統一編號",
        description="本國籍請填國民身分證統一編號；外籍教師可填新式居留證統一證號。",
        preparer=normalised_id, validator=national_id_format,
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off"}))
    email = email_node()
    employment = colander.SchemaNode(
        colander.String(), title="任職狀態", default="employed",
        widget=deform.widget.SelectWidget(values=list(
            reference.vocabulary("employment_statuses").items())),
        validator=colander.OneOf(list(reference.vocabulary("employment_statuses"))))
    school = colander.SchemaNode(
        colander.String(), title="服務學校代碼", missing="",
        description="在職教師必填：學校（含幼兒園、實驗教育機構）的 6 位單位代碼。未在職者請留空。",
        preparer=lambda v: v.strip() if isinstance(v, str) else v,
        validator=school_code_validator)
    stage = stage_node()
    job_title = job_title_node()
    subjects = subjects_node()
    account_agreement = colander.SchemaNode(
        colander.Boolean(), title="我已閱讀並同意「帳號申請使用同意書」",
        widget=ConsentWidget("account_agreement"), validator=must_accept, missing=False)
    personal_data_consent = colander.SchemaNode(
        colander.Boolean(), title="我已閱讀並同意「個人資料提供同意書」",
        widget=ConsentWidget("personal_data_consent"), validator=must_accept, missing=False)

    def validator(self, form, value):
        check_passwords(form, value)
        if value["employment"] == "employed" and not value["school"]:
            error = colander.Invalid(form)
            error["school"] = "在職教師請填服務學校代碼。"
            raise error
        if value["employment"] != "employed" and value["school"]:
            error = colander.Invalid(form)
            error["school"] = "未在職者請勿填寫服務學校；到職後由學校以「教師資料登錄」加入。"
            raise error


@colander.deferred
def unit_code_validator(node, kw):
    root = _root(kw)

    def validate(node, value):
        if find_unit(root, value) is None:
            raise colander.Invalid(node, "查無此單位代碼。")
    return validate


def application_types() -> dict:
    """The types one may apply for: the three of a unit (001 參四(三)4), and a centre's own."""
    return dict(reference.vocabulary("staff_types"),
                centre_reviewer="區管中心審核人員（區管中心業務帳號）")


class StaffApplicationSchema(CSRFSchema):
    unit_code = colander.SchemaNode(
        colander.String(), title="服務單位代碼",
        description="學校或單位的單位代碼（例如 6 位學校代碼）。",
        preparer=lambda v: v.strip() if isinstance(v, str) else v,
        validator=unit_code_validator)
    staff_type = colander.SchemaNode(
        colander.String(), title="申請帳號類別",
        description="總負責人由所屬區管中心啟用；聯絡人、作業人員由本單位總負責人啟用；"
                    "區管中心審核人員由全國推廣中心啟用。",
        widget=deform.widget.SelectWidget(values=choices(application_types())),
        validator=colander.OneOf(list(application_types())))
    login = login_node()
    password = new_password_node()
    password_confirm = confirm_node()
    name = text("姓名", autocomplete="name", validator=length(1, 50))
    email = email_node()
    phone = text("聯絡電話", autocomplete="tel", validator=length(6, 40),
                 description="含區碼及分機，例如 (02)2700-0101#100。")

    def validator(self, form, value):
        check_passwords(form, value)
        unit = find_unit(find_root(self.bindings["context"]), value["unit_code"])
        problem = type_problem(unit, value["staff_type"]) if unit is not None else None
        if problem:
            error = colander.Invalid(form)
            error["staff_type"] = problem
            raise error
