"""電子報: the public archive and each issue; the composers' pages (write, preview with a test
mail, send with progress); and a teacher's subscription (comms/newsletter.py)."""
import re

import colander
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from .. import audit, permissions
from ..comms import newsletter
from ..forms import CSRFSchema, FormView
from ..jobs.runner import jobs_of
from ..resources.interfaces import INewsletterIssue, INewsletterRoom, ITeacher
from ..schemas.accounts import length
from ..workflows import api as workflow_api
from ..workflows import newsletter as newsletter_workflow
from .auth import render_error
from .signup import FORM_PAGE

TPL = "inservice_portal:templates/comms/"
MANAGE = newsletter_workflow.MANAGE


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text or ""))


def numbers_validator(node, value):
    if value and not re.fullmatch(r"[\d\s,、，]*", value):
        raise colander.Invalid(node, "請填寫數字，以逗號或空白分隔。")


class IssueSchema(CSRFSchema):
    title = colander.SchemaNode(colander.String(), title="本期標題", validator=length(1, 120))
    body = colander.SchemaNode(colander.String(), title="內容", validator=length(1, 20000),
                               widget=deform.widget.TextAreaWidget(rows=16),
                               description="純文字；空一行分段。")
    course_codes = colander.SchemaNode(
        colander.String(), title="推薦研習課程（課程代碼）", missing="", validator=numbers_validator,
        description="以逗號分隔，例如 1203, 1388；信中附上課程名稱與連結。")
    news_ids = colander.SchemaNode(
        colander.String(), title="相關最新消息（消息編號）", missing="", validator=numbers_validator,
        description="消息網址 /news/ 後的編號，以逗號分隔。")


def _fields(appstruct) -> dict:
    return {"title": appstruct["title"].strip(), "body": appstruct["body"].strip(),
            "course_codes": _numbers(appstruct["course_codes"]),
            "news_ids": _numbers(appstruct["news_ids"])}


@view_config(context=INewsletterRoom, permission=permissions.VIEW, request_method="GET",
             renderer=TPL + "newsletter_archive.pt")
def archive(context, request):
    issues = sorted(context.values(), key=lambda i: i.number, reverse=True)
    may_compose = bool(request.has_permission(MANAGE, context))
    return {"page_title": "電子報",
            "issues": [i for i in issues if i.state != "draft" or may_compose],
            "may_compose": may_compose, "states": newsletter_workflow.STATES}


@view_config(context=INewsletterIssue, permission=permissions.VIEW, request_method="GET",
             renderer=TPL + "newsletter_issue.pt")
def issue_page(context, request):
    may_manage = bool(request.has_permission(MANAGE, context))
    job = jobs_of(request.root).get(context.job_id) if context.job_id else None
    subject, head, tail = newsletter.compose(request.registry, request.root, context)
    return {"page_title": f"電子報第 {context.number} 期：{context.title}", "issue": context,
            "preview": head.rsplit("\n", 1)[0], "may_manage": may_manage, "job": job,
            "state": newsletter_workflow.STATES[context.state],
            "may_resume": may_manage and newsletter.may_resume(context, job,
                                                               request.registry.settings),
            "subscribers": len(context.__parent__.subscribers) if may_manage else None,
            "csrf_token": request.session.get_csrf_token()}


@view_config(context=INewsletterRoom, name="add", permission=MANAGE, renderer=FORM_PAGE)
class AddIssue(FormView):
    schema = IssueSchema
    buttons = (deform.Button("save", "儲存草稿"),)
    formid = "newsletter-form"
    page_title = "編輯新一期電子報"

    def save_success(self, appstruct):
        try:
            issue = newsletter.create(self.request.root, self.request, _fields(appstruct))
        except newsletter.NewsletterError as refused:
            return render_error(self, appstruct, f"未儲存：{refused}")
        self.request.session.flash("已儲存草稿：請先寄測試信給自己檢查，再按「寄送」。")
        return HTTPSeeOther(self.request.resource_url(issue))


@view_config(context=INewsletterIssue, name="edit", permission=MANAGE, renderer=FORM_PAGE)
class EditIssue(AddIssue):
    page_title = "修改電子報"
    buttons = (deform.Button("save", "儲存"),)

    def appstruct(self):
        issue = self.context
        return {"title": issue.title, "body": issue.body,
                "course_codes": ", ".join(map(str, issue.course_codes)),
                "news_ids": ", ".join(map(str, issue.news_ids))}

    def save_success(self, appstruct):
        try:
            newsletter.edit(self.request.root, self.context, _fields(appstruct))
        except newsletter.NewsletterError as refused:
            return render_error(self, appstruct, f"未儲存：{refused}")
        self.request.session.flash("已儲存。")
        return HTTPSeeOther(self.request.resource_url(self.context))


@view_config(context=INewsletterIssue, name="test", permission=MANAGE, request_method="POST")
def send_test(context, request):
    newsletter.send_test(request, context)
    audit.record("newsletter.test", context, request=request)
    request.session.flash(f"測試信已寄到 {request.account.email}。")
    return HTTPSeeOther(request.resource_url(context))


@view_config(context=INewsletterIssue, name="send", permission=MANAGE, request_method="POST")
def send(context, request):
    try:
        newsletter.send(request, context)
    except workflow_api.TransitionNotAllowed as refused:
        request.session.flash(f"未寄送：{refused}")
    else:
        request.session.flash(f"開始寄送給 {context.total} 位訂閱者；本頁顯示進度。")
    return HTTPSeeOther(request.resource_url(context))


@view_config(context=INewsletterIssue, name="resume", permission=MANAGE, request_method="POST")
def resume(context, request):
    job = jobs_of(request.root).get(context.job_id) if context.job_id else None
    if newsletter.may_resume(context, job, request.registry.settings):
        newsletter.resume(request, context)
        request.session.flash(f"繼續寄送：已寄出 {context.sent} 位，從下一位接著寄。")
    else:
        request.session.flash("寄送仍在進行中，不需重新開始。")
    return HTTPSeeOther(request.resource_url(context))


@view_config(context=ITeacher, name="newsletter", permission="self.edit", request_method="POST")
def subscription(context, request):
    """A teacher subscribes to the e-newsletter, or stops it (研習資訊訂閱's page)."""
    if request.account is not context:
        raise HTTPForbidden()
    if request.POST.get("subscribe") == "1":
        newsletter.subscribe(request.root, context.login)
        audit.record("newsletter.subscribe", context, request=request)
        request.session.flash("已訂閱電子報。")
    elif newsletter.unsubscribe_login(request.root, context.login):
        audit.record("newsletter.unsubscribe", context, request=request)
        request.session.flash("已取消訂閱電子報。")
    return HTTPSeeOther(request.resource_url(context, "subscriptions"))
