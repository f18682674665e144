"""線上報名 pages: register and withdraw from the course page, 個人報名紀錄 (my registrations,
with the private calendar feed), 收藏追蹤 (favourites), a course's .ics, and the organiser's
registrations page with accept/reject (the exports are in views/registration_exports.py).

Same service, rules and permissions as the API (views/api/registrations.py)."""
from BTrees.OOBTree import OOBTree
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.traversal import find_root
from pyramid.view import view_config

from ..registration import calendar_feed
from .. import clock, permissions
from ..registration import service as service
from ..catalog import find_course
from ..registration.locks import run_locked
from ..rules.national_id import mask_national_id
from ..resources.interfaces import ICourse, IMinistry
from ..rules.eligibility import CLOSES_AT, OPENS_AT, moment_text
from ..vocabularies import ADMISSION
from ..workflows import api as workflow_api
from ..workflows import registration as registration_workflow
from .confirm import Question, ask, confirmed
from .downloads import ics_response
from .registration_exports import EXPORTS

STATES = registration_workflow.STATES
TPL = "inservice_portal:templates/registration/"


def teacher_or_403(request):
    account = request.account
    if account is None or account.kind != "teacher":
        raise HTTPForbidden()
    return account


def _back(request, default):
    """Where to return after a POST: a same-site path from the form, else ``default``."""
    target = request.POST.get("came_from", "")
    if target.startswith("/") and not target.startswith("//"):
        return request.application_url + target
    return default


# --- the course page's registration box --------------------------------------------------------

def course_box(course, request) -> dict:
    """What the course page shows about registering (views/courses.py puts it in the page)."""
    account = request.account
    is_teacher = account is not None and account.kind == "teacher"
    mine = service.get(course, account.login) if is_teacher else None
    checks = service.checks(account, course) if is_teacher else []
    favourites = getattr(account, "favourites", None) if is_teacher else None
    return {
        "admission": ADMISSION.get(course.admission, ""),
        "capacity": course.capacity,
        "seats_left": course.seats_left,
        "waiting": service.count(course, "waitlisted"),
        "conditions": conditions(course),
        "checks": checks,
        "is_teacher": is_teacher,
        "mine": mine,
        "mine_state": STATES.get(mine.state) if mine is not None else None,
        "may_register": is_teacher and service.refusal(request, course, account) is None,
        "favourite": bool(favourites is not None and course.code in favourites),
        "staff": request.has_permission(registration_workflow.LIST, course),
        "login_url": f"{request.application_url}/login?came_from={request.path}",
    }


def conditions(course) -> list[tuple[str, str]]:
    """The conditions as the public reads them (label, text), before anyone logs in."""
    labels = service.LABELS
    opens = moment_text(course.registration_opens, course.registration_opens_time, OPENS_AT)
    closes = moment_text(course.registration_closes, course.registration_closes_time, CLOSES_AT)
    window = "、".join(filter(None, (
        opens and f"{opens} 起",
        closes and f"至 {closes} 止" or (course.first_day and "至研習開始前一日止")))) \
        or "公告後即可報名"
    return [
        ("參加對象學制", "、".join(labels["stage_label"](c) for c in course.audience_stages)
         or "不限"),
        ("參加對象職稱", "、".join(labels["title_label"](c) for c in course.audience_titles)
         or "不限"),
        ("報名期間", window),
        ("報名資格", "須為在職教師（有服務學校）；無服務學校之帳號僅能查詢研習紀錄。"),
    ]


# --- register / withdraw --------------------------------------------------------------------

def move_locked(request, course, login, move, missing=None) -> str | None:
    """``move(registration)`` of ``login`` under the course's lock: what to tell the caller
    (None: done). A registration they may not see, or a move they may not make, is a 403;
    ``missing``: the message for a registration not found, instead."""
    def work():
        reg = service.get(course, login)
        if reg is None or not request.has_permission(permissions.VIEW, reg):
            if missing is None:
                raise HTTPForbidden()
            return missing
        try:
            move(reg)
        except service.Refused as error:
            return error.message
        except workflow_api.TransitionForbidden:
            raise HTTPForbidden()
        except workflow_api.TransitionNotAllowed as error:
            return str(error)
        return None

    return run_locked(request, course, work)


@view_config(context=ICourse, name="register", request_method="POST",
             permission=permissions.VIEW)
def register(context, request):
    teacher = teacher_or_403(request)
    confirm = request.POST.get("confirm") == "1"
    try:
        reg = run_locked(request, context,
                                 lambda: service.register(request, context, teacher, confirm))
    except service.Refused as error:
        if error.code == "schedule_conflict":
            return render_to_response(TPL + "confirm.pt", {
                "page_title": "報名確認：時段衝堂", "course": context, "error": error,
                "csrf_token": request.session.get_csrf_token()}, request)
        request.session.flash(f"無法報名：{error.message}")
        return HTTPSeeOther(request.resource_url(context))
    if reg.state == "waitlisted":
        request.session.flash(f"已報名「{context.title}」：目前為候補第 {reg.position} 位。"
                              "有人取消時會依序遞補，並以電子郵件通知您。")
    else:
        request.session.flash(f"已報名「{context.title}」：{STATES[reg.state]}。")
    return HTTPSeeOther(request.resource_url(context))


WITHDRAW = Question("取消報名", (
    "此課程的名額不再保留；若有人候補，名額會依序遞補給下一位，並以電子郵件通知。",
    "之後仍可再報名，但須依當時的名額重新排序（額滿時為候補）。"), "確定取消報名")
REJECT = Question("不錄取", (
    "報名者會收到不錄取的電子郵件通知，並在「個人報名紀錄」看到「未錄取」。",
    "本頁無法撤銷此決定。"), "確定不錄取")


@view_config(context=ICourse, name="withdraw", request_method="POST",
             permission=permissions.VIEW)
def withdraw(context, request):
    """取消報名: the teacher's own, or (``login`` given) by the organiser's staff; asked first."""
    account = request.account
    if account is None:
        raise HTTPForbidden()
    login = request.POST.get("login") or account.login
    back = _back(request, request.resource_url(context))
    reg = context.registrations.get(login)
    if reg is not None and service.may_withdraw(request, reg) and not confirmed(request):
        whose = "" if login == account.login else f"{_name_of(request, login)}在"
        return ask(request, WITHDRAW, f"{whose}「{context.title}」（課程代碼 {context.code}）的報名",
                   back)
    problem = move_locked(request, context, login,
                          lambda reg: service.withdraw(request, context, reg))
    request.session.flash(f"無法取消：{problem}" if problem else
                          f"已取消「{context.title}」的報名（{login}）。"
                          + ("如仍要參加，可在課程頁重新報名。" if login == account.login else ""))
    return HTTPSeeOther(back)


def _name_of(request, login) -> str:
    person = request.root["people"].get(login)
    return f"{person.name}（{login}）" if person is not None else login


# --- 個人報名紀錄 --------------------------------------------------------------------------

def my_rows(request, teacher) -> list[dict]:
    rows = []
    for reg in service.registrations_of(teacher):
        course = reg.course
        rows.append({"reg": reg, "course": course, "state": STATES[reg.state],
                     "position": reg.position,
                     "may_withdraw": service.may_withdraw(request, reg),
                     "url": request.resource_url(course)})
    return rows


def my_page(context, request, new_feed_url=None):
    teacher = teacher_or_403(request)
    return render_to_response(TPL + "mine.pt", {
        "page_title": "個人報名紀錄", "rows": my_rows(request, teacher),
        "has_feed": calendar_feed.has_feed(teacher), "new_feed_url": new_feed_url,
        "employed": teacher.employed,
        "calendar_url": request.route_url("api.my_calendar"),
        "csrf_token": request.session.get_csrf_token()}, request)


@view_config(context=IMinistry, name="my-registrations", request_method="GET",
             permission=permissions.AUTHENTICATED)
def my_registrations(context, request):
    return my_page(context, request)


@view_config(context=IMinistry, name="calendar-feed", request_method="POST",
             permission=permissions.AUTHENTICATED)
def calendar_feed_form(context, request):
    """New private calendar URL (shown once, on this answer) or revoke the current one."""
    teacher = teacher_or_403(request)
    if request.POST.get("action") == "revoke":
        calendar_feed.revoke(context, teacher)
        request.session.flash("已停用行事曆訂閱網址。")
        return HTTPSeeOther(request.resource_url(context, "my-registrations"))
    token = calendar_feed.issue(context, teacher)
    return my_page(context, request,
                   new_feed_url=request.route_url("api.my_calendar", _query={"token": token}))


# --- 收藏追蹤 ------------------------------------------------------------------------------

@view_config(context=IMinistry, name="favourites", request_method="GET",
             permission=permissions.AUTHENTICATED,
             renderer=TPL + "favourites.pt")
def favourites(context, request):
    teacher = teacher_or_403(request)
    service.require_employed(teacher)
    rows = []
    for code, added in (getattr(teacher, "favourites", None) or {}).items():
        course = find_course(context, code)
        if course is not None and request.has_permission(permissions.VIEW, course):
            reg = service.get(course, teacher.login)
            rows.append({"course": course, "added": added, "seats_left":
                         course.seats_left,
                         "state": STATES[reg.state] if reg is not None else "未報名"})
    return {"page_title": "收藏追蹤", "rows": rows,
            "csrf_token": request.session.get_csrf_token()}


@view_config(context=IMinistry, name="favourites", request_method="POST",
             permission=permissions.AUTHENTICATED)
def favourites_change(context, request):
    teacher = teacher_or_403(request)
    service.require_employed(teacher)
    course = find_course(context, request.POST.get("code"))
    if course is None or not request.has_permission(permissions.VIEW, course):
        request.session.flash("找不到此課程。")
        return HTTPSeeOther(request.resource_url(context, "favourites"))
    marks = getattr(teacher, "favourites", None)
    if request.POST.get("action") == "remove":
        if marks is not None:
            marks.pop(course.code, None)
        request.session.flash(f"已將「{course.title}」移出收藏。")
    else:
        if marks is None:
            marks = teacher.favourites = OOBTree()
        marks[course.code] = clock.now()
        request.session.flash(f"已收藏「{course.title}」。")
    return HTTPSeeOther(_back(request, request.resource_url(context, "favourites")))


# --- a course's calendar -------------------------------------------------------------------

@view_config(context=ICourse, name="calendar.ics", request_method="GET",
             permission=permissions.VIEW)
def course_ics(context, request):
    return ics_response(calendar_feed.course_calendar(request, context),
                        f"course-{context.code}.ics")


# --- the organiser's registrations page --------------------------------------------------------

def staff_rows(request, course) -> list[dict]:
    people = find_root(course)["people"]
    rows = []
    waiting = service.positions(course)
    for reg in service.all_of(course):
        person = people.get(reg.login)
        rows.append({"reg": reg, "person": person, "state": STATES[reg.state],
                     "position": waiting.get(reg.login),
                     "id": mask_national_id(getattr(person, "national_id", "")),
                     "may_review": reg.state == "applied" and request.has_permission(
                         registration_workflow.REVIEW, reg),
                     "may_withdraw": service.may_withdraw(request, reg)})
    return rows


@view_config(context=ICourse, name="registrations", request_method="GET",
             permission=registration_workflow.LIST,
             renderer=TPL + "course_registrations.pt")
def course_registrations(context, request):
    counts = {state: service.count(context, state) for state in STATES}
    return {"page_title": f"報名名單：{context.title}", "rows": staff_rows(request, context),
            "counts": counts, "states": STATES, "seats_left": context.seats_left,
            "exports": EXPORTS if request.has_permission(registration_workflow.MANAGE, context)
            else {}, "csrf_token": request.session.get_csrf_token()}


@view_config(context=ICourse, name="registrations", request_method="POST",
             permission=registration_workflow.LIST)
def decide(context, request):
    """報名審核: accept or reject one applied registration (review courses)."""
    name, login = request.POST.get("transition"), request.POST.get("login", "")
    if name not in ("accept", "reject"):
        request.session.flash("請選擇錄取或不錄取。")
        return HTTPSeeOther(request.resource_url(context, "registrations"))
    reg = context.registrations.get(login)
    if (name == "reject" and reg is not None and not confirmed(request)
            and workflow_api.may(reg, request, "reject")):
        return ask(request, REJECT, f"{_name_of(request, login)}報名「{context.title}」",
                   request.resource_url(context, "registrations"))
    problem = move_locked(request, context, login,
                          lambda reg: service.decide(request, context, reg, name),
                          missing="找不到此報名紀錄。")
    request.session.flash(f"無法處理：{problem}" if problem else
                          f"已將 {login} 設為「{registration_workflow.TITLES[name]}」，並以電子郵件通知。")
    return HTTPSeeOther(request.resource_url(context, "registrations"))
