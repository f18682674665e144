"""deform set-up and the FormView every form page uses (after Substance D's ~60-line FormView).

A POST re-renders with every entered value and an error summary on failure; buttons dispatch
to ``<button name>_success`` methods. CSRF is checked by Pyramid before the view runs.
"""
from importlib import resources

import colander
import deform
from pyramid.i18n import get_localizer
from pyramid.threadlocal import get_current_request

from . import throttle


def _translate(term):
    request = get_current_request()
    return get_localizer(request).translate(term) if request is not None else term


def includeme(config):
    ours = str(resources.files("inservice_portal") / "templates" / "deform")
    theirs = str(resources.files("deform") / "templates")
    deform.Form.set_zpt_renderer((ours, theirs), translator=_translate)


class CSRFSchema(colander.Schema):
    """Every form schema derives from this: the token field is filled in by the form view."""

    csrf_token = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget(),
                                     missing="")


def say_required_in_chinese(schema):
    """colander's default message for a missing value ("Required") reaches the error summary
    untranslated: name the field instead, as the course form does (請填寫「…」 / 請選擇「…」)."""
    for node in schema.children:
        if node.missing_msg == "Required" and node.title:
            choose = isinstance(getattr(node, "widget", None), deform.widget.SelectWidget)
            node.missing_msg = f"請{'選擇' if choose else '填寫'}「{node.title}」"
        say_required_in_chinese(node)


class FormView:
    schema = None          # a colander schema class
    buttons = ()           # deform.Button instances or names
    form_class = deform.Form
    formid = "deform"
    page_title = ""        # the layout's <title>, on every rendering of the form
    intro = None           # a paragraph above the form, where the page gives one
    limit = None           # an abuse limit (throttle.LIMITS) each POST from an address counts

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def make_form(self):
        schema = self.schema().bind(request=self.request, context=self.context)
        say_required_in_chinese(schema)
        # An explicit action: a page reached through an error summary's link keeps its
        # #fragment, which an empty action would carry to the next answer.
        return self.form_class(schema, buttons=self.buttons, formid=self.formid,
                               action=self.request.path_qs)

    def appstruct(self):
        """Initial values for a GET; override."""
        return {}

    def show(self, form, appstruct=None):
        values = dict(appstruct or {}, csrf_token=self.request.session.get_csrf_token())
        return {"form": form.render(values)}

    def __call__(self):
        if self.limit and self.request.method == "POST":
            throttle.of(self.request).take(self.limit, throttle.client(self.request))
        result = self.dispatch()
        if isinstance(result, dict):
            result.setdefault("page_title", self.page_title)
            if self.request.response.status_int == 400:        # the title says so first
                result["page_title"] = "錯誤：" + str(result["page_title"])
            if self.intro:
                result.setdefault("intro", self.intro)
        return result

    def dispatch(self):
        form = self.make_form()
        for button in form.buttons:
            if button.name in self.request.POST:
                try:
                    appstruct = form.validate(self.request.POST.items())
                except deform.ValidationFailure as failure:
                    return self.failure(failure)
                return getattr(self, f"{button.name}_success")(appstruct)
        return self.show(form, self.appstruct())

    def failure(self, failure):
        self.request.response.status = 400
        return {"form": failure.render()}
