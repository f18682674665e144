"""Workflow notices (通知信): the organiser is mailed when its course is received for review,
returned (the reasons in words, and the comment), approved or auto-approved, and when its
roster is returned or confirmed. Each mail links to the page where the next step is taken.
These go whatever the staff's digest setting: a return must not go unseen."""
from pyramid.threadlocal import get_current_registry

from .. import mail
from ..resources.interfaces import ICourse
from ..workflows import api as workflow_api
from ..workflows.course import RETURNS, return_reasons
from . import links
from .recipients import of_unit

# transition → (subject, what happened, view of the next step, what to do there)
NOTICES = {
    "submit": ("已收到送審", "已送出審核，等候{centre}審核。", "workflow", "查看審核進度"),
    "approve": ("審核通過", "已審核通過並公告，教師即可查詢與報名。", "", "查看課程"),
    "return": ("課程退回修正", "經{centre}審核退回，請依下列原因修正後重新送審。", "edit",
               "修正課程資料"),
    "return_roster": ("研習名單退回修正", "的研習名單經{centre}退回，請依下列原因修正後重新送出。",
                      "roster", "修正研習名單"),
    "confirm_roster": ("研習名單已確認，課程結案", "的研習名單已經{centre}確認，課程結案，"
                       "研習時數已登錄至教師的研習紀錄。", "roster", "查看研習名單"),
}
AUTO_APPROVED = "已依{centre}的設定自動審核通過並公告，教師即可查詢與報名。"


def on_transitioned(event):
    course, entry = event.object, event.entry
    if not ICourse.providedBy(course) or entry["transition"] not in NOTICES:
        return
    if entry["transition"] == "submit" and getattr(course.centre, "auto_approve", False):
        return                  # published at once: the approval's notice is the receipt
    registry = get_current_registry()
    to = of_unit(course.organiser)
    if to:
        subject, body = compose(registry, course, entry)
        mail.send(mail.joined(registry, course), to, subject, body)


def compose(registry, course, entry) -> tuple[str, str]:
    name = entry["transition"]
    subject, happened, view, action = NOTICES[name]
    centre = course.__parent__.__parent__.title
    if name == "approve" and entry["by"] == workflow_api.SYSTEM:
        subject, happened = "自動審核通過", AUTO_APPROVED
    lines = [f"{course.organiser.title} 您好：", "",
             f"課程「{course.title}」（課程代碼 {course.code}）" + happened.format(centre=centre)]
    lines += _reasons(name, entry)
    lines += ["", f"{action}：", links.url(registry, course, view), "",
              "此信由系統自動寄出，請勿直接回覆。", "全國教師在職進修資訊網"]
    return f"【全國教師在職進修資訊網】{subject}：{course.title}", "\n".join(lines)


def _reasons(name, entry) -> list[str]:
    kind = RETURNS.get(name)
    if kind is None:
        return []
    words = return_reasons(kind)
    lines = ["", "退回原因："]
    lines += [f"・{words.get(code, code)}" for code in entry.get("reasons", ())]
    if (entry.get("comment") or "").strip():
        lines += ["", "審核說明：", entry["comment"].strip()]
    return lines
