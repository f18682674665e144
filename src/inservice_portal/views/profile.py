"""修改個人基本資料: the account holder's own e-mail and details.

The login is not a field: an account's login never changes (002 Art. 4). A staff account's
name is not one either: the account is personal and never handed over to another person
(003 二(六)2); a teacher may correct a name (the national ID number is the identity). A new
e-mail address asks for the password, and replaces the old one only once it is confirmed from
a link mailed to it; the old address is told, with a link to undo (accounts/email_change.py).
Never in proxy mode: the proxied account's address is out of reach.
"""
import colander
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from .. import clock, permissions, throttle
from ..accounts import email_change, email_confirmation, passwords, teachers as teacher_accounts
from ..forms import CSRFSchema, FormView
from ..resources.events import ObjectModified, notify
from ..resources.interfaces import IAccount, IMinistry, ITeacher
from ..schemas.accounts import (email_node, job_title_node, length, stage_node, subjects_node,
                               text)
from .signup import FORM_PAGE, OneTimeLink

WRONG_CURRENT = "變更電子郵件信箱須輸入正確的目前密碼。"


def current_password_node():
    return colander.SchemaNode(
        colander.String(), title="目前的密碼", missing="",
        description="變更電子郵件信箱時須輸入，以確認是您本人。",
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}))


class ProfileSchema(CSRFSchema):
    def validator(self, form, value):
        """A new address: never in proxy mode, and only with the account's password."""
        account, request = self.bindings["context"], self.bindings["request"]
        if value["email"] == account.email:
            return
        error = colander.Invalid(form)
        if request.real_account is not request.account:
            error["email"] = "代理模式下不能變更電子郵件信箱。"
        elif not passwords.verify(account.password_hash, value["current_password"]):
            # a wrong guess counts as a failed login: toward the lockout and the address's limit
            account.record_failure(clock.now())
            throttle.of(request).hit("login.client", throttle.client(request))
            error["current_password"] = WRONG_CURRENT
        else:
            return
        raise error


class StaffProfileSchema(ProfileSchema):
    email = email_node()
    current_password = current_password_node()
    phone = text("聯絡電話", autocomplete="tel", validator=length(6, 40))


class TeacherProfileSchema(ProfileSchema):
    name = text("姓名", autocomplete="name", validator=length(1, 50))
    email = email_node()
    current_password = current_password_node()
    stage = stage_node()
    job_title = job_title_node()
    subjects = subjects_node()


@view_config(context=IAccount, name="edit", permission="self.edit", renderer=FORM_PAGE)
class EditProfile(FormView):
    buttons = (deform.Button("save", "儲存"),)
    formid = "profile-form"
    page_title = "修改個人基本資料"

    @property
    def schema(self):
        return TeacherProfileSchema if ITeacher.providedBy(self.context) else StaffProfileSchema

    def __call__(self):
        if self.request.account is not self.context:
            raise HTTPForbidden()          # one's own data only, whatever role one holds
        result = super().__call__()
        if isinstance(result, dict):
            result["intro"] = f"帳號：{self.context.login}（帳號申請後不可變更）"
            if not ITeacher.providedBy(self.context):
                result["intro"] += f"；姓名：{self.context.name}（業務帳號屬個人帳號，不可交接他人）"
            if self.context.pending_email:
                result["intro"] += f"。待確認的新電子郵件信箱：{self.context.pending_email}"
            result["back_url"] = self.request.application_url + "/account"
        return result

    def appstruct(self):
        account = self.context
        if not ITeacher.providedBy(account):
            return {"email": account.email, "phone": getattr(account, "phone", "") or ""}
        return {"name": account.name, "email": account.email, "stage": account.stage or "",
                "job_title": account.job_title or "", "subjects": "、".join(account.subjects)}

    def save_success(self, appstruct):
        account = self.context
        if ITeacher.providedBy(account):
            account.name = appstruct["name"]
            teacher_accounts.set_stage(account, appstruct["stage"])
            account.job_title = appstruct["job_title"]
            account.subjects = teacher_accounts.split_subjects(appstruct["subjects"])
        else:
            account.phone = appstruct["phone"]
        message = "個人基本資料已儲存。"
        if appstruct["email"] != account.email:
            email_change.request_change(self.request, account, appstruct["email"])
            message += (f"確認信已寄至新的電子郵件信箱 {appstruct['email']}，確認後才會改用；"
                        "原信箱也已收到通知。")
        notify(ObjectModified(account), self.request.registry)
        self.request.session.flash(message)
        return HTTPSeeOther(self.request.application_url + "/account")


@view_config(context=IAccount, name="resend-confirmation", permission="self.edit",
             request_method="POST")
def resend_confirmation(context, request):
    """A new one-time link (an earlier one stops working), e.g. after the first expired."""
    if request.account is not context:
        raise HTTPForbidden()
    address = context.pending_email or (context.email if not context.email_confirmed else None)
    if address:
        throttle.of(request).take("confirm.account", context.login)
        email_confirmation.issue(request, context, to=address)
        request.session.flash(f"確認信已重新寄至 {address}。")
    return HTTPSeeOther(request.application_url + "/account")


@view_config(context=IMinistry, name="undo-email-change", permission=permissions.VIEW,
             renderer=FORM_PAGE)
class UndoEmailChange(OneTimeLink):
    """取消電子郵件信箱變更, from the link mailed to the old address: restores it and ends every
    session and token of the account."""
    buttons = (deform.Button("undo", "取消變更並結束所有登入"),)
    formid = "undo-email-form"
    page_title = "取消電子郵件信箱變更"

    def problem(self, account, token):
        return email_change.undo_problem(account, token)

    def describe(self, account):
        return (f"帳號 {account.login}：將電子郵件信箱改回 {account.email_undo['email']}，"
                "並結束此帳號所有登入與存取權杖。完成後請盡快變更密碼。")

    def undo_success(self, appstruct):
        email_change.undo(self.context, self.request, self.account(), appstruct["token"])
        self.request.session.flash("已取消電子郵件信箱變更，並結束此帳號所有登入。請以「忘記密碼」"
                                   "或原密碼登入後，盡快變更密碼。")
        return HTTPSeeOther(self.request.application_url + "/login")
