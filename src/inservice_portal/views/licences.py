"""專長證照登錄申請 (the teacher's page) and its approval by the school."""
import colander
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from ..accounts import licences
from ..forms import CSRFSchema, FormView
from ..rules.national_id import mask_national_id
from ..resources.interfaces import IOrganiser, ITeacher
from ..schemas.accounts import length, text
from ..schemas.written import DATE_HINT, Date


class LicenceSchema(CSRFSchema):
    title = text("證照名稱", validator=length(1, 100),
                 description="以非教師證照之專長證照為主，例如：丙級廚師、救生員、英語檢定。")
    issuer = text("發證單位", validator=length(1, 100))
    number = text("證號", missing="", validator=length(high=60))
    issued_on = colander.SchemaNode(
        Date(), title="發證日期", description=DATE_HINT,
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off"}))


@view_config(context=ITeacher, name="licences", permission="self.edit",
             renderer="inservice_portal:templates/account/licences.pt")
class LicenceApplication(FormView):
    schema = LicenceSchema
    buttons = (deform.Button("apply", "送出申請"),)
    formid = "licence-form"
    page_title = "專長證照登錄申請"

    def __call__(self):
        if self.request.account is not self.context:
            raise HTTPForbidden()
        result = super().__call__()
        if isinstance(result, dict):
            if not self.context.employed:
                result["form"] = None
            result.update(licences=licences.licences_of(self.context), states=licences.STATES)
        return result

    def apply_success(self, appstruct):
        try:
            licence = licences.apply(self.context, appstruct["title"].strip(),
                                     appstruct["issuer"].strip(), appstruct["number"].strip(),
                                     appstruct["issued_on"])
        except licences.LicenceError as refused:
            self.request.session.flash(f"未完成：{refused}")
        else:
            self.request.session.flash(f"已送出「{licence.title}」的登錄申請，待服務學校審核。")
        return HTTPSeeOther(self.request.resource_url(self.context, "licences"))


@view_config(context=IOrganiser, name="licences", permission="unit.accounts",
             renderer="inservice_portal:templates/units/licences.pt", request_method="GET")
def school_licences(context, request):
    return {"page_title": "教師專長證照審核", "pending": licences.pending(context),
            "mask": mask_national_id}


@view_config(context=IOrganiser, name="licences", permission="unit.accounts",
             request_method="POST")
def decide_licence(context, request):
    post = request.POST
    action = post.get("action")
    try:
        if action not in ("approve", "reject"):
            raise licences.LicenceError("不明的動作。")
        licence = licences.decide(request, context, post.get("login", ""),
                                  post.get("licence", ""), action == "approve",
                                  post.get("reason", ""))
        request.session.flash(f"「{licence.title}」已{'審核通過並登錄' if action == 'approve' else '退回'}，"
                              "並已通知教師。")
    except licences.LicenceError as refused:
        request.session.flash(f"未完成：{refused}")
    return HTTPSeeOther(request.resource_url(context, "licences"))
