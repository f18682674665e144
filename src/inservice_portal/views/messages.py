"""線上短訊: an organiser writes to a course's registrants, a centre to its units' staff, and
every account reads its inbox (我的訊息), marking messages read (comms/messages.py)."""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import audit, permissions
from ..comms import messages
from ..forms import CSRFSchema, FormView
from ..resources.interfaces import ICourse, IMinistry, IRegionCentre
from ..schemas.accounts import length
from .auth import render_error
from .signup import FORM_PAGE

INBOX = "inservice_portal:templates/comms/inbox.pt"


class MessageSchema(CSRFSchema):
    subject = colander.SchemaNode(colander.String(), title="主旨", validator=length(1, 80))
    body = colander.SchemaNode(colander.String(), title="內容",
                               validator=length(1, messages.MAX_BODY),
                               widget=deform.widget.TextAreaWidget(rows=8))


class WriteMessage(FormView):
    schema = MessageSchema
    buttons = (deform.Button("send", "寄出"),)
    formid = "message-form"

    def recipients(self) -> list[str]:
        raise NotImplementedError

    def __call__(self):
        self.intro = (f"將寄給 {len(self.recipients())} 位，保存於各收件者的「我的訊息」並以電子郵件"
                      "通知；收件者無法直接回覆，請在內容中留下聯絡方式。")
        return super().__call__()

    def send_success(self, appstruct):
        unit, about = self.sender()
        try:
            message = messages.send(self.request, unit, self.recipients(),
                                    appstruct["subject"].strip(), appstruct["body"].strip(),
                                    about=about)
        except messages.MessageError as refused:
            return render_error(self, appstruct, f"未寄出：{refused}")
        audit.record("message.send", self.context, request=self.request,
                     detail={"count": message.recipients})
        self.request.session.flash(
            f"已寄出給 {message.recipients} 位。" if message.job_id is None else
            f"共 {message.recipients} 位，正在背景寄送，幾分鐘內會送達每一位。")
        return HTTPSeeOther(self.request.resource_url(self.context))


@view_config(context=ICourse, name="message", permission="course.message", renderer=FORM_PAGE)
class CourseMessage(WriteMessage):
    @property
    def page_title(self):
        return f"寄線上短訊給報名者：{self.context.title}"

    def recipients(self):
        return messages.course_recipients(self.context)

    def sender(self):
        return self.context.organiser, self.context


@view_config(context=IRegionCentre, name="message", permission="course.review",
             renderer=FORM_PAGE)
class UnitsMessage(WriteMessage):
    page_title = "寄線上短訊給轄下研習單位"

    def recipients(self):
        return messages.unit_recipients(self.context)

    def sender(self):
        return self.context, None


@view_config(context=IMinistry, name="messages", permission=permissions.AUTHENTICATED,
             request_method="GET", renderer=INBOX)
def inbox(context, request):
    return {"page_title": "我的訊息",
            "rows": messages.received(context, request.account),
            "unread": messages.unread(context, request.account),
            "csrf_token": request.session.get_csrf_token()}


@view_config(context=IMinistry, name="messages", permission=permissions.AUTHENTICATED,
             request_method="POST")
def mark(context, request):
    if request.POST.get("all") == "1":
        messages.mark_all_read(context, request.account)
    else:
        messages.mark_read(context, request.account, request.POST.get("read", ""))
    return HTTPSeeOther(request.resource_url(context, "messages"))
