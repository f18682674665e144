"""教師個人帳號申請 (sign-up) and the e-mail confirmation link.

Sign-up is open to all, active at once (002 Art. 4) after accepting 附件六 and 附件七; a link to
confirm the e-mail address goes out with the commit. The link's GET only shows a button (no
write on GET); its POST confirms, once, before the link expires.
"""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..accounts import email_confirmation, passwords, teachers as teacher_accounts
from .. import permissions
from ..forms import CSRFSchema, FormView
from ..resources.interfaces import IMinistry
from ..schemas.accounts import TeacherSignupSchema, check_passwords, confirm_node, new_password_node

FORM_PAGE = "inservice_portal:templates/account/form.pt"


@view_config(context=IMinistry, name="signup", permission=permissions.VIEW, renderer=FORM_PAGE)
class TeacherSignup(FormView):
    schema = TeacherSignupSchema
    buttons = (deform.Button("signup", "同意並申請教師帳號"),)
    formid = "signup-form"
    page_title = "教師個人帳號申請"
    limit = "signup.client"
    intro = ("教師個人帳號申請成功後即可登入使用；帳號申請後不可變更。"
             "請先閱讀並勾選同意「帳號申請使用同意書」及「個人資料提供同意書」。")

    def signup_success(self, appstruct):
        root = self.context
        if teacher_accounts.tell_owner_of_sign_up(self.request, root, appstruct["national_id"]):
            passwords.hash_password(appstruct["password"])     # as long as a new account takes
            return self.signed_up(appstruct["login"], appstruct["email"])
        school = teacher_accounts.find_school(root, appstruct["school"]) \
            if appstruct["school"] else None
        try:
            teacher = teacher_accounts.create_teacher(
                root, appstruct["login"], appstruct["name"], appstruct["email"],
                appstruct["national_id"], school=school, stage=appstruct["stage"],
                job_title=appstruct["job_title"],
                subjects=teacher_accounts.split_subjects(appstruct["subjects"]),
                employment=appstruct["employment"], password=appstruct["password"],
                consents=teacher_accounts.AGREEMENTS)
        except (teacher_accounts.DuplicateNationalId, KeyError):
            # Another request took the ID or login between validation and now: say so.
            self.request.session.flash("此帳號或身分證統一編號剛被申請，請重新確認後再送出。")
            return HTTPSeeOther(self.request.resource_url(root, "signup"))
        email_confirmation.issue(self.request, teacher)
        return self.signed_up(teacher.login, teacher.email)

    def signed_up(self, login, email):
        """The same answer whether the account was made or its ID already had one."""
        self.request.session.flash(
            f"教師帳號「{login}」已申請成功，現在即可登入。確認信已寄至 {email}，"
            "請於信中點選連結完成電子郵件信箱確認。")
        return HTTPSeeOther(self.request.application_url + "/login")


class ConfirmSchema(CSRFSchema):
    login = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())
    token = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget())


class ConfirmWithPasswordSchema(ConfirmSchema):
    password = new_password_node()
    password_confirm = confirm_node()

    def validator(self, form, value):
        check_passwords(form, value)


class OneTimeLink(FormView):
    """A page behind a mailed one-time link (``?login=…&token=…``): its GET shows a button (no
    write on GET), its POST acts; a link that does not hold answers 400 with the reason."""

    schema = ConfirmSchema

    def account(self):
        login = self.request.params.get("login", "")
        return self.context["people"].get(login) if login else None

    def appstruct(self):
        return {"login": self.request.params.get("login", ""),
                "token": self.request.params.get("token", "")}

    def problem(self, account, token) -> str | None:
        raise NotImplementedError

    def describe(self, account) -> str:
        raise NotImplementedError

    def __call__(self):
        account = self.account()
        problem = self.problem(account, self.request.params.get("token", ""))
        if problem:
            self.request.response.status = 400
            return {"page_title": self.page_title, "form": None, "message": problem}
        result = super().__call__()
        if isinstance(result, dict):
            result["intro"] = self.describe(account)
        return result


@view_config(context=IMinistry, name="confirm-email", permission=permissions.VIEW,
             renderer=FORM_PAGE)
class ConfirmEmail(OneTimeLink):
    buttons = (deform.Button("confirm", "確認電子郵件信箱"),)
    formid = "confirm-email-form"
    page_title = "電子郵件信箱確認"

    def account(self):
        account = super().account()
        waiting = getattr(account, "state", None) == "applied"    # a staff application
        return account if account is not None and (account.active or waiting) else None

    def problem(self, account, token):
        return email_confirmation.check(account, token)

    def describe(self, account):
        return (f"帳號 {account.login}（{account.name}）：請按下按鈕確認電子郵件信箱 "
                f"{account.pending_email or account.email}。"
                + ("此帳號由服務學校建立，請同時設定登入密碼。" if account.password_hash is None else ""))

    @property
    def schema(self):
        account = self.account()
        needs_password = account is not None and account.password_hash is None
        return ConfirmWithPasswordSchema if needs_password else ConfirmSchema

    def confirm_success(self, appstruct):
        account = self.account()
        if "password" in appstruct:
            account.set_password(appstruct["password"])
        email_confirmation.confirm(account, appstruct["token"])
        self.request.session.flash("電子郵件信箱已確認，謝謝。")
        target = "/account" if self.request.account is account else "/login"
        return HTTPSeeOther(self.request.application_url + target)
