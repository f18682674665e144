"""業務帳號申請: the public application form (003 二(六); 002 Art. 4: active after approval)."""
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import permissions
from ..accounts import staff as staff_accounts
from ..forms import FormView
from ..resources.interfaces import IMinistry
from ..schemas.accounts import StaffApplicationSchema
from .signup import FORM_PAGE


@view_config(context=IMinistry, name="apply-staff", permission=permissions.VIEW,
             renderer=FORM_PAGE)
class StaffApplication(FormView):
    schema = StaffApplicationSchema
    buttons = (deform.Button("apply", "送出申請"),)
    formid = "staff-application-form"
    page_title = "業務帳號申請"
    limit = "signup.client"                      # each application mails three people
    intro = ("業務帳號屬個人帳號，不可交接、沿用；新任承辦人請申請個人的業務帳號。"
             "總負責人由所屬區管中心審核啟用，聯絡人與作業人員由本單位總負責人審核啟用；"
             "區管中心的業務帳號由全國推廣中心審核啟用。")

    def apply_success(self, appstruct):
        unit = staff_accounts.find_unit(self.context, appstruct["unit_code"])
        account = staff_accounts.apply(
            self.request, unit, appstruct["login"], appstruct["password"], appstruct["name"],
            appstruct["email"], appstruct["phone"], appstruct["staff_type"])
        approver = staff_accounts.approver_of(unit, account.staff_type)
        self.request.session.flash(
            f"已送出「{unit.title}」{staff_accounts.type_title(account.staff_type)}帳號「{account.login}」"
            f"的申請，待{approver.title}審核啟用；結果將寄至 {account.email}。")
        return HTTPSeeOther(self.request.application_url + "/")
