"""通知設定: staff choose whether to get the daily digests (comms/digests.py); the notices of
a step in their courses' workflow (a return above all) are not theirs to turn off."""
import colander
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from .. import audit
from ..comms.recipients import wants_digests
from ..forms import CSRFSchema, FormView
from ..resources.interfaces import IStaff
from .signup import FORM_PAGE


class NotificationSchema(CSRFSchema):
    digests = colander.SchemaNode(
        colander.Boolean(), title="每日待辦摘要", missing=False,
        widget=deform.widget.CheckboxWidget(),
        description="每天早上寄送待審核課程與待確認名單的摘要（審核人員）。")


@view_config(context=IStaff, name="notifications", permission="self.edit", renderer=FORM_PAGE)
class NotificationSettings(FormView):
    schema = NotificationSchema
    buttons = (deform.Button("save", "儲存"),)
    formid = "notification-form"
    page_title = "通知設定"
    intro = ("課程送審回條、退回修正、審核通過、名單退回與確認等通知信一律寄送，無法關閉；"
             "每日摘要可依需要開啟或關閉。")

    def __call__(self):
        if self.request.account is not self.context:
            raise HTTPForbidden()
        return super().__call__()

    def appstruct(self):
        return {"digests": wants_digests(self.context)}

    def save_success(self, appstruct):
        self.context.digests = bool(appstruct["digests"])
        audit.record("notifications.settings", self.context, request=self.request,
                     detail={"digests": "開啟" if self.context.digests else "關閉"})
        self.request.session.flash("通知設定已儲存。")
        return HTTPSeeOther(self.request.application_url + "/account")
