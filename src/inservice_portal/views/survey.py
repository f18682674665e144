"""網站滿意度調查: the national centre opens a year's survey; logged-in accounts answer it
once while it is open; the results by role as table, chart (SVG) and XLSX (comms/survey.py)."""
import colander
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from .. import clock, permissions
from ..comms import survey
from ..comms.feedback import scale
from ..forms import CSRFSchema, FormView
from ..resources.interfaces import ISurvey, ISurveys
from ..resources.survey import MANAGE
from ..schemas.questionnaire import answered, likert
from ..schemas.written import DATE_HINT, Date
from ..statistics import charts, exports
from .auth import render_error
from .signup import FORM_PAGE
from .transcript import book_response

TPL = "inservice_portal:templates/comms/"


class OpenSchema(CSRFSchema):
    year = colander.SchemaNode(colander.Integer(), title="年度（西元）",
                               validator=colander.Range(2020, 2100))
    opens_on = colander.SchemaNode(Date(), title="開始日期", description=DATE_HINT)
    closes_on = colander.SchemaNode(Date(), title="結束日期", description=DATE_HINT)


@view_config(context=ISurveys, permission=permissions.VIEW, renderer=FORM_PAGE)
class SurveyList(FormView):
    schema = OpenSchema
    buttons = (deform.Button("open", "開放調查"),)
    formid = "survey-open-form"
    page_title = "網站滿意度調查"

    def __call__(self):
        may_manage = bool(self.request.has_permission(MANAGE, self.context))
        current = survey.current(self.request.root)
        if not may_manage:
            if current is None:
                return {"page_title": self.page_title, "message": "目前沒有進行中的調查。"}
            return HTTPSeeOther(self.request.resource_url(current))
        result = super().__call__()
        if isinstance(result, dict):
            result["intro"] = "已建立：" + ("、".join(
                f"{s.title}（{s.opens_on.isoformat()}–{s.closes_on.isoformat()}，{len(s.answers)} 人填答）"
                for s in self.context.values()) or "尚無")
            result["back_url"] = (self.request.resource_url(current, "results")
                                  if current is not None else None)
            result["back_title"] = "查看進行中調查的結果"
        return result

    def appstruct(self):
        return {"year": clock.now().year}

    def open_success(self, appstruct):
        try:
            found = survey.open_survey(self.context, appstruct["year"], appstruct["opens_on"],
                                       appstruct["closes_on"], self.request.account.login)
        except survey.SurveyError as refused:
            return render_error(self, appstruct, f"未建立：{refused}")
        self.request.session.flash(f"已建立{found.title}。")
        return HTTPSeeOther(self.request.resource_url(found, "results"))


@view_config(context=ISurvey, permission=permissions.VIEW, renderer=TPL + "feedback_form.pt")
class Answer(FormView):
    buttons = (deform.Button("answer", "送出"),)
    formid = "survey-form"
    intro = "請依您使用本網站的經驗，為下列敘述評分（5 為非常同意、1 為非常不同意）。調查不記名。"

    @property
    def page_title(self):
        return self.context.title

    def __call__(self):
        account = self.request.account
        if account is None:
            raise HTTPForbidden()
        if not self.context.is_open(clock.now().date()):
            return {"page_title": self.page_title, "form": None, "closed": True}
        if account.login in self.context.answered:
            return {"page_title": self.page_title, "form": None, "done": True}
        return super().__call__()

    def schema(self):              # (FormView calls it, as it would a class)
        return likert(survey.QUESTIONS.items(), scale(), "其他建議（選填）", survey.MAX_COMMENT)

    def answer_success(self, appstruct):
        scores, comment = answered(appstruct)
        try:
            survey.answer(self.request.root, self.context, self.request.account, scores, comment)
        except survey.SurveyError as refused:
            self.request.session.flash(f"未送出：{refused}")
        else:
            self.request.session.flash("已送出，謝謝您協助改善本網站。")
        return HTTPSeeOther(self.request.resource_url(self.context))


RESULTS = ("results", "results.svg", "results.xlsx")


def _results(context, request):
    tables = survey.tables(context)
    name, _, kind = request.view_name.partition(".")
    if kind == "svg":
        response = Response(charts.svg(tables[0]), content_type="image/svg+xml", charset="utf-8")
        response.headers["Content-Security-Policy"] = charts.CSP
        return response
    if kind == "xlsx":
        return book_response(exports.workbook(tables, context.title), f"survey-{context.year}.xlsx")
    return {"page_title": f"{context.title}結果", "tables": tables, "survey": context,
            "comments": survey.comments(context), "period": "",
            "chart_url": lambda t: request.resource_url(context, "results.svg"),
            "file_url": lambda t, kind: request.resource_url(context, f"results.{kind}")}


for _name in RESULTS:
    _results = view_config(context=ISurvey, name=_name, permission=MANAGE, request_method="GET",
                           **({} if "." in _name else {"renderer": TPL + "survey_results.pt"})
                           )(_results)
