"""最新消息: the public list and each item, the Atom feed, and the editors' pages (write a
draft, edit, publish, withdraw, attach files) for the ministry, the national centre and the
region centres (comms/news.py)."""
import colander
import deform
from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from .. import permissions
from ..comms import news
from ..forms import CSRFSchema, FormView
from ..resources.interfaces import INewsItem, INewsRoom
from ..schemas.accounts import length
from ..schemas.written import DATE_HINT, Date
from ..workflows import api as workflow_api
from ..workflows import news as news_workflow
from .auth import render_error
from .signup import FORM_PAGE

TPL = "inservice_portal:templates/comms/"
PER_PAGE = 20


class NewsSchema(CSRFSchema):
    title = colander.SchemaNode(colander.String(), title="標題", validator=length(1, 120))
    body = colander.SchemaNode(colander.String(), title="內容", validator=length(1, 10000),
                               widget=deform.widget.TextAreaWidget(rows=12),
                               description="純文字；空一行分段。附件於儲存後上傳。")
    expires_on = colander.SchemaNode(Date(), title="下架日期", missing=None,
                                     description=f"此日後不再列於首頁與消息列表（可不填）。{DATE_HINT}")
    pinned = colander.SchemaNode(colander.Boolean(), title="置頂", missing=False,
                                 widget=deform.widget.CheckboxWidget())


def _fields(appstruct) -> dict:
    return {"title": appstruct["title"].strip(), "body": appstruct["body"].strip(),
            "expires_on": appstruct["expires_on"], "pinned": bool(appstruct["pinned"])}


@view_config(context=INewsRoom, permission=permissions.VIEW, request_method="GET",
             renderer=TPL + "news_list.pt")
def news_list(context, request):
    region = request.GET.get("centre") or None
    if region is not None and region not in news.regions():
        raise HTTPBadRequest("沒有這個分區管理中心。")
    items = news.listing(request.root, region)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        raise HTTPBadRequest("頁碼須為正整數。")
    shown = items[(page - 1) * PER_PAGE:page * PER_PAGE]
    publisher = news.publisher_for(request.root, request.account) if request.account else None
    return {"page_title": "最新消息", "items": shown, "page": page,
            "more": len(items) > page * PER_PAGE, "region": region,
            "centres": news.regions(),
            "can_write": publisher is not None}


@view_config(context=INewsRoom, name="atom.xml", permission=permissions.VIEW,
             request_method="GET")
def atom_feed(context, request):
    region = request.GET.get("centre") or None
    if region is not None and region not in news.regions():
        raise HTTPBadRequest("沒有這個分區管理中心。")
    title = "全國教師在職進修資訊網 最新消息" + (f"（{news.regions()[region]}）" if region else "")
    body = news.atom(request, news.listing(request.root, region)[:PER_PAGE], title)
    return Response(body, content_type="application/atom+xml", charset="utf-8")


@view_config(context=INewsItem, permission=permissions.VIEW, request_method="GET",
             renderer=TPL + "news_item.pt")
def news_item(context, request):
    may_manage = bool(request.has_permission(news_workflow.MANAGE, context))
    return {"page_title": context.title, "item": context,
            "paragraphs": [p for p in context.body.split("\n\n") if p.strip()],
            "files": [(name, a, request.resource_url(context, "@@download", name))
                      for name, a in context.attachments.items()],
            "may_manage": may_manage,
            "state": news_workflow.STATES[context.state],
            "transitions": workflow_api.allowed(context, request) if may_manage else [],
            "csrf_token": request.session.get_csrf_token()}


@view_config(context=INewsRoom, name="manage", permission=permissions.AUTHENTICATED,
             request_method="GET", renderer=TPL + "news_manage.pt")
def manage(context, request):
    publisher = _publisher(request)
    return {"page_title": f"最新消息管理：{publisher.title}",
            "items": news.of_publisher(request.root, publisher),
            "states": news_workflow.STATES}


def _publisher(request):
    publisher = news.publisher_for(request.root, request.account)
    if publisher is None:
        raise HTTPForbidden("最新消息由教育部、全國教師在職進修推廣中心及各區域管理中心的審核人員發布。")
    return publisher


@view_config(context=INewsRoom, name="add", permission=permissions.AUTHENTICATED,
             renderer=FORM_PAGE)
class AddNews(FormView):
    schema = NewsSchema
    buttons = (deform.Button("save", "儲存草稿"),)
    formid = "news-form"
    page_title = "新增最新消息"

    def __call__(self):
        self.publisher = _publisher(self.request)
        self.intro = f"以「{self.publisher.title}」名義發布；儲存後為草稿，發布後才公開。"
        return super().__call__()

    def save_success(self, appstruct):
        try:
            item = news.create(self.request.root, self.request, self.publisher,
                               _fields(appstruct))
        except news.NewsError as refused:
            return render_error(self, appstruct, f"未儲存：{refused}")
        self.request.session.flash("已儲存草稿；確認內容與附件後請按「發布」。")
        return HTTPSeeOther(self.request.resource_url(item))


@view_config(context=INewsItem, name="edit", permission=news_workflow.MANAGE, renderer=FORM_PAGE)
class EditNews(AddNews):
    page_title = "修改最新消息"
    buttons = (deform.Button("save", "儲存"),)

    def __call__(self):
        return FormView.__call__(self)

    def appstruct(self):
        return {"title": self.context.title, "body": self.context.body,
                "expires_on": self.context.expires_on, "pinned": self.context.pinned}

    def save_success(self, appstruct):
        try:
            news.edit(self.context, _fields(appstruct))
        except news.NewsError as refused:
            return render_error(self, appstruct, f"未儲存：{refused}")
        self.request.session.flash("已儲存。")
        return HTTPSeeOther(self.request.resource_url(self.context))


@view_config(context=INewsItem, name="workflow", permission=news_workflow.MANAGE,
             request_method="POST")
def move(context, request):
    name = request.POST.get("transition", "")
    try:
        news.transition(context, request, name)
    except workflow_api.TransitionNotAllowed as refused:
        request.session.flash(f"未完成：{refused}")
    else:
        request.session.flash(f"已{workflow_api.title_of('news', name)}。")
    return HTTPSeeOther(request.resource_url(context))
