"""課程意見回饋問卷 (item 26; comms/feedback.py): the attendee's questionnaire, the results
for the organiser and its centre (five answers at least), the organiser's own questions, and
for 26-2 the upload of the paper questionnaires' summary."""
import deform
from BTrees.OOBTree import OOBTree
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from .. import audit, clock, permissions
from ..comms import feedback
from ..courses import attachments
from ..forms import FormView
from ..resources.interfaces import ICourse
from ..schemas.attachments import HandoutUploadSchema
from ..schemas.questionnaire import answered, likert
from ..workflows.course import HISTORY
from .attachments import download

TPL = "inservice_portal:templates/comms/"
FEEDBACK = "course.feedback"           # the organiser's staff (workflows/course.py)


@view_config(context=ICourse, name="feedback", permission=permissions.VIEW,
             renderer=TPL + "feedback_form.pt")
class Questionnaire(FormView):
    buttons = (deform.Button("answer", "送出問卷"),)
    formid = "feedback-form"

    @property
    def page_title(self):
        return f"研習回饋問卷：{self.context.title}"

    def __call__(self):
        found = feedback.questionnaire_of(self.context)
        account = self.request.account           # (a visitor is asked to log in first)
        if account is None or found is None or account.login not in found.invited:
            raise HTTPForbidden()
        login = account.login
        if login in found.answered:
            return {"page_title": self.page_title, "form": None, "done": True}
        return super().__call__()

    def schema(self):              # (FormView calls it, as it would a class)
        return likert(feedback.questionnaire_of(self.context).questions, feedback.scale(),
                      "其他意見或建議（選填）", feedback.MAX_COMMENT)

    def answer_success(self, appstruct):
        scores, comment = answered(appstruct)
        try:
            feedback.answer(self.context, self.request.account.login, scores, comment)
        except feedback.FeedbackError as refused:
            self.request.session.flash(f"未送出：{refused}")
        else:
            self.request.session.flash("已送出，謝謝您的意見。")
        return HTTPSeeOther(self.request.resource_url(self.context, "feedback"))


@view_config(context=ICourse, name="feedback-results", permission=HISTORY,
             request_method="GET", renderer=TPL + "feedback_results.pt")
def results(context, request):
    found = feedback.questionnaire_of(context)
    organiser = bool(request.has_permission(FEEDBACK, context))
    return {"page_title": f"研習回饋問卷結果：{context.title}", "course": context,
            "mode": context.feedback, "found": found, "results": feedback.results(context),
            "minimum": feedback.MIN_SHOWN, "own": feedback.own_questions(context),
            "may_edit": organiser and found is None, "organiser": organiser,
            "files": [(name, a, request.resource_url(context, "@@feedback-file", name))
                      for name, a in _paper(context).items()],
            "csrf_token": request.session.get_csrf_token()}


def _paper(course):
    """The paper questionnaires' summary files (26-2)."""
    found = getattr(course, "feedback_files", None)
    return found if found is not None else {}           # (an empty BTree is falsy)


@view_config(context=ICourse, name="feedback-results", permission=FEEDBACK,
             request_method="POST", request_param="questions")
def own_questions(context, request):
    texts = [request.POST.get(f"q{n}", "") for n in range(1, feedback.MAX_OWN + 1)]
    try:
        feedback.set_own_questions(context, texts)
    except feedback.FeedbackError as refused:
        request.session.flash(f"未儲存：{refused}")
    else:
        request.session.flash("已儲存自訂題目，問卷寄出時附在全國共同題之後。")
    return HTTPSeeOther(request.resource_url(context, "feedback-results"))


@view_config(context=ICourse, name="feedback-upload", permission=FEEDBACK,
             renderer="inservice_portal:templates/account/form.pt")
class PaperUpload(FormView):
    """26-2: the organiser uploads the summary of its paper questionnaires (after the course)."""
    schema = HandoutUploadSchema
    buttons = (deform.Button("upload", "上傳"),)
    formid = "upload-form"
    page_title = "上傳紙本問卷結果"

    def __call__(self):
        if self.context.feedback != feedback.PAPER:      # online: the portal's own results
            return HTTPSeeOther(self.request.resource_url(self.context, "feedback-results"))
        return super().__call__()

    def make_form(self):
        schema = self.schema().bind(request=self.request, context=_Files(self.context))
        return self.form_class(schema, buttons=self.buttons, formid=self.formid,
                               action=self.request.path_qs)

    def upload_success(self, appstruct):
        if getattr(self.context, "feedback_files", None) is None:
            self.context.feedback_files = OOBTree()
        _, stored = attachments.store(_Files(self.context), appstruct["file"],
                                      self.request.account.login, clock.now())
        audit.record("feedback.paper", self.context, request=self.request)
        self.request.session.flash(f"已上傳「{stored.filename}」。")
        return HTTPSeeOther(self.request.resource_url(self.context, "feedback-results"))


class _Files:
    """attachments.check_room and store work on ``.attachments``: here, the course's files
    of its paper questionnaires."""

    def __init__(self, course):
        self.course = course

    @property
    def attachments(self):
        return _paper(self.course)


@view_config(context=ICourse, name="feedback-file", permission=HISTORY, request_method="GET")
def paper_file(context, request):
    if not request.subpath or request.subpath[0] not in _paper(context):
        return HTTPSeeOther(request.resource_url(context, "feedback-results"))
    return download(_Files(context), request)
