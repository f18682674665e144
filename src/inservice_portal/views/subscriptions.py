"""研習資訊訂閱: a teacher's saved searches, added (also from a search's own criteria, as
「訂閱此查詢條件」 links here with them) and removed on one page."""
import colander
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from .. import audit
from ..comms import newsletter, subscriptions
from ..forms import CSRFSchema, FormView
from ..resources.interfaces import ITeacher
from ..schemas.accounts import choices, length
from ..vocabularies import counties, delivery_modes, scopes, stages

from .auth import render_error

PAGE = "inservice_portal:templates/comms/subscriptions.pt"


def _select(title, vocabulary):
    return colander.SchemaNode(colander.String(), title=title, missing="",
                               widget=deform.widget.SelectWidget(values=choices(vocabulary, "不限")),
                               validator=colander.OneOf(list(vocabulary)))


class SubscriptionSchema(CSRFSchema):
    county = _select("縣市", {c: c for c in counties()})
    stage = _select("教育階段", stages())
    scope = _select("進修範疇", scopes())
    sub_item = colander.SchemaNode(
        colander.String(), title="課程細項代碼", missing="", validator=length(high=20),
        description="須同時選擇教育階段與進修範疇，例如 1-1-1（見課程分類表）。")
    delivery = _select("實施方式", delivery_modes())
    q = colander.SchemaNode(colander.String(), title="關鍵字", missing="",
                            validator=length(high=100),
                            description="課程名稱、內容或辦理單位中的文字。")


@view_config(context=ITeacher, name="subscriptions", permission="self.edit", renderer=PAGE)
class Subscriptions(FormView):
    schema = SubscriptionSchema
    buttons = (deform.Button("subscribe", "新增訂閱"),)
    formid = "subscription-form"
    page_title = "研習資訊訂閱"

    def __call__(self):
        if self.request.account is not self.context:      # (a proxy acts for units only)
            raise HTTPForbidden()
        result = super().__call__()
        if isinstance(result, dict):
            mine = subscriptions.of_teacher(self.request.root, self.context)
            result.update(rows=[(s, subscriptions.describe(s.criteria)) for s in mine],
                          csrf_token=self.request.session.get_csrf_token(),
                          limit=subscriptions.MAX_PER_TEACHER,
                          newsletter=newsletter.subscribed(self.request.root, self.context.login))
        return result

    def appstruct(self):
        """A search's criteria, brought here by its 「訂閱此查詢條件」 link."""
        return {name: self.request.GET.get(name, "") for name in subscriptions.FIELDS}

    def subscribe_success(self, appstruct):
        try:
            added = subscriptions.add(self.request.root, self.context, appstruct)
        except subscriptions.SubscriptionError as refused:
            return render_error(self, appstruct, f"未新增：{refused}")
        audit.record("subscription.add", self.context, request=self.request,
                     detail={"criteria": subscriptions.describe(added.criteria)})
        self.request.session.flash("已新增訂閱：每天早上會寄給您前一天新公告且符合條件的研習課程。")
        return HTTPSeeOther(self.request.resource_url(self.context, "subscriptions"))


@view_config(context=ITeacher, name="subscriptions", permission="self.edit",
             request_method="POST", request_param="remove")
def remove(context, request):
    if request.account is not context:
        raise HTTPForbidden()
    if subscriptions.remove(request.root, context, request.POST["remove"]):
        audit.record("subscription.remove", context, request=request)
        request.session.flash("已刪除這一項訂閱。")
    else:
        request.session.flash("找不到這一項訂閱（可能已經刪除）。")
    return HTTPSeeOther(request.resource_url(context, "subscriptions"))
