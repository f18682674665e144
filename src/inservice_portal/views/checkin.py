"""線上報到 pages: the organiser's check-in screen (rotating QR code, 6-digit code, live count)
and the teacher's check-in (from the QR code's link, or by typing the course code and the
6-digit code). See checkin.py for the codes."""
from urllib.parse import urlencode

import segno
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from ..attendance import checkin
from .. import clock, permissions, throttle
from ..registration.locks import run_locked
from ..attendance import roster as roster_service
from ..catalog import find_course
from ..resources.interfaces import ICourse, IMinistry, ITeacher
from ..attendance.roster_xlsx import session_label

TPL = "inservice_portal:templates/checkin/"


def _index(request):
    value = request.params.get("session", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 3 else None


def screen_data(course, request, index) -> dict:
    key = checkin.key_of(request.registry.settings)
    now = clock.now()
    win = checkin.window(now)
    link = request.application_url + "/checkin?" + urlencode(
        {"course": course.code, "session": index, "token": checkin.token(key, course, index, win)})
    svg = segno.make(link, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff",
                                                 title="報到 QR Code", omitsize=True)
    session = roster_service.schedule(course)[index]
    return {"svg": svg, "code": checkin.code(key, course, index, win), "link": link,
            "count": checkin.count(course, index), "seconds": checkin.seconds_left(now),
            "open": checkin.is_open(session, now)}


@view_config(context=ICourse, name="checkin-screen", permission="course.roster",
             renderer=TPL + "screen.pt", request_method="GET")
def checkin_screen(context, request):
    sessions = roster_service.schedule(context)
    index = _index(request)
    labels = [session_label(i, s) for i, s in enumerate(sessions)]
    result = {"page_title": f"線上報到：{context.title}", "labels": labels, "index": index,
              "data": None, "opening": [checkin.opening_hours(s) for s in sessions]}
    if index is not None and index < len(sessions):
        result["data"] = screen_data(context, request, index)
    else:
        result["index"] = None
    return result


@view_config(context=ICourse, name="checkin-code", permission="course.roster",
             renderer="json", request_method="GET")
def checkin_code(context, request):
    """The screen's refresh: the current QR code and 6-digit code, and the live count."""
    index = _index(request)
    if index is None or index >= roster_service.session_count(context):
        request.response.status = 400
        return {"error": {"code": "malformed", "message": "找不到這個場次。", "fields": {}}}
    return screen_data(context, request, index)


def _teacher(request):
    if not ITeacher.providedBy(request.account):
        raise HTTPForbidden("線上報到僅供教師帳號使用。")
    return request.account


@view_config(context=IMinistry, name="checkin", permission=permissions.AUTHENTICATED,
             renderer=TPL + "teacher.pt", request_method="GET")
def teacher_checkin(context, request):
    """From the QR code: the course and session to confirm; else the form to type the codes."""
    _teacher(request)
    course = find_course(context, request.params.get("course", ""))
    index = _index(request)
    session = None
    if course is not None and index is not None and index < roster_service.session_count(course):
        session = session_label(index, roster_service.schedule(course)[index])
    return {"page_title": "線上報到", "course": course, "session": session, "index": index,
            "token": request.params.get("token", ""), "error": None,
            "course_code": request.params.get("course", "")}


@view_config(context=IMinistry, name="checkin", permission=permissions.AUTHENTICATED,
             renderer=TPL + "teacher.pt", request_method="POST")
def teacher_checkin_post(context, request):
    teacher = _teacher(request)
    throttle.of(request).take("checkin.account", teacher.login)
    key = checkin.key_of(request.registry.settings)
    typed = request.POST.get("course", "").strip()
    course = find_course(context, typed)
    error = None
    if course is None or course.state != "published":
        error = "找不到這門研習，請確認課程代碼。"
    else:
        try:
            if request.POST.get("token"):
                index = _index(request)
                index = checkin.verify_token(key, course, index, request.POST["token"])
            else:
                index = checkin.verify_code(key, course, request.POST.get("code", ""))
        except checkin.CheckInRefused as refused:
            error = str(refused)
    if error:
        request.response.status = 400
        return {"page_title": "線上報到", "error": error, "course_code": typed,
                **dict.fromkeys(("course", "session", "index", "token"))}
    label = session_label(index, roster_service.schedule(course)[index])
    if run_locked(request, course, lambda: checkin.check_in(course, index, teacher.login)):
        request.session.flash(f"報到成功：{course.title}　{label}。")
    else:
        request.session.flash(f"您已完成報到：{course.title}　{label}。")
    return HTTPSeeOther(request.resource_url(course, "my-status"))
