"""新增研習單位 (accounts/unit_application.py): the page and its API twin. A unit not yet on the
portal applies with its first 總負責人; the answer names the centre 002 Art. 11 gives it."""
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import permissions
from ..accounts import unit_application
from ..forms import FormView
from ..resources.interfaces import IMinistry
from ..schemas.units import UnitApplicationSchema, applicant_fields, unit_fields
from .signup import FORM_PAGE

@view_config(context=IMinistry, name="apply-unit", permission=permissions.VIEW,
             renderer=FORM_PAGE)
class UnitApplication(FormView):
    schema = UnitApplicationSchema
    buttons = (deform.Button("apply", "送出新增單位申請"),)
    formid = "unit-application-form"
    page_title = "新增研習單位"
    limit = "signup.client"                      # an application mails its applicant and centre
    intro = ("尚未在本網的學校或單位，請填寫單位資料並申請第一位「總負責人」業務帳號。"
             "本網依教師進修網使用管理要點第 11 條決定審核單位；審核通過後，"
             "單位即可登錄研習課程。已在本網的單位請改用「業務帳號申請」。")

    def apply_success(self, appstruct):
        unit, account = unit_application.apply_unit(self.request, self.context,
                                                     unit_fields(appstruct),
                                                     applicant_fields(appstruct))
        self.request.session.flash(
            f"已送出「{unit.title}」（{unit.code}）的新增申請，由{unit.__parent__.title}審核"
            f"（{unit.jurisdiction}）；結果將寄至 {account.email}。")
        return HTTPSeeOther(self.request.application_url + "/")
