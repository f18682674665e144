"""The step before an irreversible action (issue 16): the same POST answered first with a page
that says what will happen, a button that sends it again with ``confirmed=1``, and the way
back. A plain form: it works without JavaScript, and a screen reader reads it as a page."""
from dataclasses import dataclass

from pyramid.renderers import render_to_response

TPL = "inservice_portal:templates/confirm.pt"
KEPT_OUT = ("csrf_token", "confirmed")


@dataclass(frozen=True)
class Question:
    title: str                # 「取消報名」: the action, as its button names it
    happens: tuple            # what will happen, one sentence each
    button: str               # 「確定取消報名」


def confirmed(request) -> bool:
    return request.POST.get("confirmed") == "1"


def ask(request, question: Question, subject: str, back_url: str):
    """The confirmation page for this POST: ``subject`` says what it is done to."""
    fields = [(name, value) for name, value in request.POST.items() if name not in KEPT_OUT]
    return render_to_response(TPL, {
        "page_title": f"請確認：{question.title}", "question": question, "subject": subject,
        "action": request.path_qs, "fields": fields, "back_url": back_url,
        "csrf_token": request.session.get_csrf_token()}, request)
