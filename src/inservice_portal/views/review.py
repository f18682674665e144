"""Region-centre pages: 研習課程資料確認 (the worklist, with bulk approve), 自動審核功能設定
and 自動審核瀏覽, and the course's own 審核與流程 page where every transition is taken."""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from .. import permissions, reference
from ..catalog import Search, find_course
from ..forms import CSRFSchema, FormView
from ..resources.interfaces import ICourse, IRegionCentre
from ..courses.review_flags import LABELS as FLAG_LABELS
from ..courses.review_flags import course_flags
from ..courses.worklist import centre_courses
from ..workflows import api as workflow_api
from ..workflows import course as course_workflow
from .confirm import Question, ask, confirmed

WORKLIST_LIMIT = 200


@view_config(context=IRegionCentre, name="worklist", permission="course.review",
             renderer="inservice_portal:templates/review/worklist.pt", request_method="GET")
def worklist(context, request):
    params = request.params
    stage, organiser, flag = (params.get(k) or None for k in ("stage", "organiser", "flag"))
    results = centre_courses(context, ["pending"], stage, organiser, flag)
    courses = list(results.sort(context.__parent__.__parent__.catalog["starts_on"],
                                limit=WORKLIST_LIMIT).all())
    rosters = list(centre_courses(context, ["roster_pending"]).all())
    return {"page_title": "研習課程資料確認", "courses": courses, "total": len(results),
            "rosters": rosters, "flags_of": course_flags, "filters": {
                "stage": stage or "", "organiser": organiser or "", "flag": flag or ""},
            "stages": reference.vocabulary("school_stages"), "flag_labels": FLAG_LABELS,
            "organisers": list(context.values())}


@view_config(context=IRegionCentre, name="worklist", permission="course.review",
             request_method="POST")
def bulk_approve(context, request):
    """Approve the ticked courses; each one is checked on its own (state, permission)."""
    approved, refused = [], []
    for code in request.POST.getall("course"):
        course = find_course(context.__parent__.__parent__, code)
        if course is None or course.centre is not context:
            refused.append(f"{code}（不屬本中心）")
            continue
        try:
            course_workflow.transition(course, request, "approve")
            approved.append(str(course.code))
        except (workflow_api.TransitionNotAllowed, workflow_api.TransitionForbidden):
            refused.append(f"{course.code}（狀態已變更或無權限）")
    if approved:
        request.session.flash(f"已審核通過 {len(approved)} 門課程：{'、'.join(approved)}。")
    if refused:
        request.session.flash(f"未能審核：{'、'.join(refused)}。")
    if not approved and not refused:
        request.session.flash("請先勾選要審核通過的課程。")
    return HTTPSeeOther(request.resource_url(context, "worklist"))


class CentreSettingsSchema(CSRFSchema):
    auto_approve = colander.SchemaNode(
        colander.Boolean(), title="啟用自動審核", missing=False,
        description="啟用後，轄下單位送出的課程將立即公告；可於「自動審核瀏覽」抽查。")
    submit_days = colander.SchemaNode(
        colander.Integer(), title="課程須於研習開始前幾天登錄",
        validator=colander.Range(0, 60, min_err="不可小於 ${min} 天", max_err="不可超過 ${max} 天"),
        description="各學校、單位須於研習活動辦理前兩週登錄（預設 14 天；仍採第 12 條一週者請填 7）。")
    block_late = colander.SchemaNode(
        colander.Boolean(), title="逾期登錄時不得送審", missing=False,
        description="未勾選時，逾期課程仍可送審，但會標示給審核人員。")
    roster_days = colander.SchemaNode(
        colander.Integer(), title="研習名單須於最後一場次後幾天內送出", missing=None,
        description="空白為研習結束後一個月內（001 的規定）；需要另訂期限者填天數。",
        validator=colander.Range(1, 90, min_err="不可小於 ${min} 天", max_err="不可超過 ${max} 天"))


SETTINGS = ("auto_approve", "submit_days", "block_late", "roster_days")


@view_config(context=IRegionCentre, name="settings", permission="autoapproval.configure",
             renderer="inservice_portal:templates/review/settings.pt")
class CentreSettingsView(FormView):
    """自動審核功能設定 and the centre's deadlines."""
    schema = CentreSettingsSchema
    buttons = (deform.Button("save", "儲存設定"),)
    formid = "centre-settings"
    page_title = "自動審核功能設定"

    def appstruct(self):
        values = {name: getattr(self.context, name) for name in SETTINGS}
        return {name: colander.null if value is None else value for name, value in values.items()}

    def save_success(self, appstruct):
        for name in SETTINGS:
            setattr(self.context, name, appstruct[name])
        self.request.session.flash("設定已儲存。")
        return HTTPSeeOther(self.request.resource_url(self.context, "settings"))


@view_config(context=IRegionCentre, name="auto-approved", permission="autoapproval.browse",
             renderer="inservice_portal:templates/review/auto_approved.pt", request_method="GET")
def auto_approved(context, request):
    """自動審核瀏覽: courses published by auto-approval, newest first, for spot checks."""
    root = context.__parent__.__parent__
    search = Search(root)
    query = (search["content_type"].eq("course") & search["centre"].eq(context.code)
             & search["auto_approved"].eq(True))
    results = search.execute(query)
    courses = list(results.sort(root.catalog["code"], reverse=True, limit=WORKLIST_LIMIT).all())
    return {"page_title": "自動審核瀏覽", "courses": courses, "total": len(results),
            "flags_of": course_flags}


@view_config(context=ICourse, name="workflow", permission=permissions.VIEW,
             renderer="inservice_portal:templates/review/workflow.pt", request_method="GET")
def workflow_page(context, request, problem=None):
    """審核與流程: the state, the flags, what the caller may do now, and the history.
    ``problem``: a refused transition's form, shown again like every form's (the summary on
    top, the message at the reasons, what was typed and ticked kept)."""
    return {"page_title": ("錯誤：" if problem else "") + f"審核與流程：{context.title}",
            "problem": problem,
            "states": course_workflow.STATES,
            "titles": course_workflow.TITLES,
            "transitions": workflow_api.allowed(context, request),
            "reasons": course_workflow.return_reasons("course"),
            "roster_reasons": course_workflow.return_reasons("roster"),
            "flags": course_flags(context),
            "history": list(context.history or ())}


ROSTER_SENT = Question("送出研習名單", (
    "研習名單、出席與時數將送交區域管理中心確認。",
    "送出後不能再修改；如需更正，須由區域管理中心退回後再改。"), "確定送出研習名單")
# The transitions that cannot be taken back by whoever takes them: asked first (issue 16).
ASKED = {
    "cancel": Question("取消課程", (
        "課程不再公告，也不再接受報名；已報名的教師在「個人報名紀錄」會看到課程已取消。",
        "取消後無法恢復；如仍要辦理，須重新登錄課程並送審。"), "確定取消課程"),
    "submit_roster": ROSTER_SENT,
}


@view_config(context=ICourse, name="workflow", permission=permissions.VIEW,
             request_method="POST")
def take_transition(context, request):
    name = request.POST.get("transition", "")
    if name in ASKED and not confirmed(request) and workflow_api.may(context, request, name):
        return ask(request, ASKED[name], f"課程「{context.title}」（課程代碼 {context.code}）",
                   request.resource_url(context, "workflow"))
    try:
        course_workflow.transition(context, request, name,
                                   reasons=request.POST.getall("reasons"),
                                   comment=request.POST.get("comment", "").strip()[:2000])
    except course_workflow.ReasonsRequired as error:
        request.response.status = 400
        return render_to_response(
            "inservice_portal:templates/review/workflow.pt",
            workflow_page(context, request, problem={
                "transition": name, "message": str(error),
                "reasons": request.POST.getall("reasons"),
                "comment": request.POST.get("comment", "")[:2000]}),
            request, response=request.response)
    except workflow_api.TransitionForbidden:
        request.session.flash("未完成：您沒有執行此動作的權限。")
    except workflow_api.TransitionNotAllowed as error:
        request.session.flash(f"未完成：{error}")
    else:
        request.session.flash(f"已完成：課程目前狀態為「{course_workflow.STATES[context.state]}」。")
    return HTTPSeeOther(request.resource_url(context, "workflow"))
