"""我的研習狀態: a teacher's progress in one course (已報名 → 已錄取 → 已報到 → 已核給時數)."""
from pyramid.httpexceptions import HTTPForbidden
from pyramid.view import view_config

from .. import permissions
from ..resources.interfaces import ICourse, ITeacher
from ..attendance.roster_xlsx import session_label
from ..attendance.roster import schedule
from ..schemas.course import hours_text
from ..attendance.status import course_status


@view_config(context=ICourse, name="my-status", permission=permissions.VIEW,
             renderer="inservice_portal:templates/checkin/status.pt", request_method="GET")
def my_status(context, request):
    if not ITeacher.providedBy(request.account):
        raise HTTPForbidden("研習狀態僅供教師帳號查詢。")
    status = course_status(context, request.account)
    sessions = schedule(context)
    return {"page_title": f"我的研習狀態：{context.title}", "status": status,
            "checked": [session_label(i, sessions[i]) for i in status["checked_in"]],
            "hours_text": hours_text}
