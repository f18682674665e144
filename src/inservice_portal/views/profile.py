"""修改個人基本資料: the account holder's own e-mail and details.

The login is not a field: an account's login never changes (002 Art. 4). A staff account's
name is not one either: the account is personal and never handed over to another person
(003 二(六)2); a teacher may correct a name (the national ID number is the identity). A new
e-mail address must be confirmed again by a one-time link.
"""
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from ..accounts import email_confirmation, teachers as teacher_accounts
from ..forms import CSRFSchema, FormView
from ..resources.events import ObjectModified, notify
from ..resources.interfaces import IAccount, ITeacher
from ..schemas.accounts import (email_node, job_title_node, length, stage_node, subjects_node,
                               text)
from .signup import FORM_PAGE


class StaffProfileSchema(CSRFSchema):
    email = email_node()
    phone = text("聯絡電話", autocomplete="tel", validator=length(6, 40))


class TeacherProfileSchema(CSRFSchema):
    name = text("姓名", autocomplete="name", validator=length(1, 50))
    email = email_node()
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
            account.stage, account.job_title = appstruct["stage"], appstruct["job_title"]
            account.subjects = teacher_accounts.split_subjects(appstruct["subjects"])
        else:
            account.phone = appstruct["phone"]
        message = "個人基本資料已儲存。"
        if appstruct["email"] != account.email:
            account.email = appstruct["email"]
            account.email_confirmed = False
            email_confirmation.issue(self.request, account)
            message += f"確認信已寄至新的電子郵件信箱 {account.email}。"
        notify(ObjectModified(account), self.request.registry)
        self.request.session.flash(message)
        return HTTPSeeOther(self.request.application_url + "/account")


@view_config(context=IAccount, name="resend-confirmation", permission="self.edit",
             request_method="POST")
def resend_confirmation(context, request):
    """A new one-time link (an earlier one stops working), e.g. after the first expired."""
    if request.account is not context:
        raise HTTPForbidden()
    if context.email and not getattr(context, "email_confirmed", False):
        email_confirmation.issue(request, context)
        request.session.flash(f"確認信已重新寄至 {context.email}。")
    return HTTPSeeOther(request.application_url + "/account")
