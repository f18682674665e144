"""課程意見回饋問卷 (item 26). When a course whose item 26 is 26-1 closes, every credited
attendee is invited by mail to answer online: the national questions, then up to five of the
organiser's. Answers are anonymous to the organiser, who sees results only once five have
answered, as does the course's centre; the national questions' figures go to the statistics
(measures.py, ``feedback``). Those who have not answered are reminded once, a week on. For
26-2 the organiser uploads the summary of its paper questionnaires instead.
"""
from datetime import timedelta

from pyramid.threadlocal import get_current_registry
from pyramid.traversal import find_resource, find_root, resource_path

from .. import clock, mail, reference, statistics
from ..concurrency.transactions import transaction_of
from ..attendance.records import course_credits
from ..resources.feedback import MIN_SHOWN, Questionnaire
from ..resources.interfaces import ICourse
from . import links

ONLINE, PAPER = "26-1", "26-2"
MAX_OWN = 5
REMIND_AFTER = timedelta(days=7)
MAX_COMMENT = 1000


class FeedbackError(Exception):
    """An answer or a question refused."""


def national() -> dict[str, str]:
    return reference.load("feedback_questions")["questions"]


def scale() -> dict[int, str]:
    return reference.load("feedback_questions")["scale"]


def questionnaire_of(course):
    return getattr(course, "questionnaire", None)


# -- the organiser's own questions -------------------------------------------------------

def own_questions(course) -> tuple[str, ...]:
    return tuple(getattr(course, "feedback_questions", None) or ())


def set_own_questions(course, texts) -> tuple[str, ...]:
    texts = tuple(t.strip() for t in texts if t and t.strip())
    if questionnaire_of(course) is not None:
        raise FeedbackError("問卷已寄出，不能再修改題目。")
    if len(texts) > MAX_OWN:
        raise FeedbackError(f"自訂題目最多 {MAX_OWN} 題。")
    if any(len(t) > 100 for t in texts):
        raise FeedbackError("每題請在 100 字以內。")
    course.feedback_questions = texts
    return texts


# -- opening, answering, reminding ---------------------------------------------------------

def on_transitioned(event):
    course, entry = event.object, event.entry
    if (ICourse.providedBy(course) and entry["transition"] == "confirm_roster"
            and course.feedback == ONLINE and questionnaire_of(course) is None):
        open_questionnaire(course)


def open_questionnaire(course) -> Questionnaire:
    """Invite the credited attendees (reopening and closing again invites no one twice)."""
    questions = list(national().items())
    questions += [(f"C{n}", text) for n, text in enumerate(own_questions(course), 1)]
    invited = sorted(course_credits(course))
    course.questionnaire = Questionnaire(questions, invited, clock.now().date())
    find_root(course).feedback_open[(course.questionnaire.invited_on, resource_path(course))] = 1
    _mail(get_current_registry(), course, invited, "【全國教師在職進修資訊網】請填寫研習回饋問卷")
    return course.questionnaire


def _mail(registry, course, logins, subject):
    sender = mail.joined(registry, course)
    people = find_root(course)["people"]
    url = links.url(registry, course, "feedback")
    for login in logins:
        teacher = people.get(login)
        if teacher is None or not teacher.active or not teacher.email:
            continue
        body = "\n".join([f"{teacher.name} 老師您好：", "", f"感謝您參加「{course.title}」"
                          f"（{course.organiser.title}）。請撥幾分鐘填寫研習回饋問卷，"
                          "您的意見將匿名提供辦理單位改進研習：", url, "",
                          "全國教師在職進修資訊網"])
        mail.send(sender, teacher.email, f"{subject}：{course.title}", body)


def may_answer(course, login) -> bool:
    found = questionnaire_of(course)
    return found is not None and login in found.invited and login not in found.answered


def answer(course, login: str, scores: dict, comment: str = ""):
    found = questionnaire_of(course)
    if found is None or login not in found.invited:
        raise FeedbackError("您不在本課程的研習名單中，無法填寫此問卷。")
    if login in found.answered:
        raise FeedbackError("您已填寫過本問卷，謝謝。")
    codes = [code for code, _ in found.questions]
    if set(scores) != set(codes) or any(s not in scale() for s in scores.values()):
        raise FeedbackError("請回答每一題（1 至 5 分）。")
    if len(comment or "") > MAX_COMMENT:
        raise FeedbackError(f"意見請在 {MAX_COMMENT} 字以內。")
    with statistics.tracking(course):              # the national questions' figures move
        found.add(login, {**scores, "comment": (comment or "").strip()},
                  transaction_of(course))


def remind(root, registry, today) -> int:
    """Remind once those invited a week or more ago who have not answered; how many."""
    due = list(root.feedback_open.keys(max=(today - REMIND_AFTER, "\uffff")))
    count = 0
    for key in due:
        del root.feedback_open[key]
        try:
            course = find_resource(root, key[1])
        except KeyError:                        # (the course was removed since)
            continue
        found = questionnaire_of(course)
        if found is None or found.reminded_on is not None:
            continue
        waiting = [login for login in found.invited if login not in found.answered]
        _mail(registry, course, waiting, "【全國教師在職進修資訊網】提醒：研習回饋問卷尚未填寫")
        found.reminded_on = today
        count += len(waiting)
    return count


# -- results ---------------------------------------------------------------------------------

def results(course) -> dict | None:
    """Per question its mean and the spread of scores, and the comments (sorted: never in
    the order they came), or None below MIN_SHOWN answers."""
    found = questionnaire_of(course)
    if found is None or len(found.answers) < MIN_SHOWN:
        return None
    rows = []
    for code, text in found.questions:
        scores = [a[code] for a in found.answers.values() if code in a]
        spread = {s: scores.count(s) for s in sorted(scale(), reverse=True)}
        rows.append({"code": code, "text": text, "count": len(scores),
                     "mean": round(sum(scores) / len(scores), 2) if scores else None,
                     "spread": spread})
    comments = sorted(a["comment"] for a in found.answers.values() if a.get("comment"))
    return {"rows": rows, "comments": comments, "answered": len(found.answers)}
