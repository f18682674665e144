"""研習課程登錄: add a course to an organiser, edit it, copy it (000 附件十, schemas/course.py).

The pages are deform forms (forms.FormView): a rejected submission answers 400 and re-renders
every entered value with an error summary on top. Two more submit buttons make the form work
without JavaScript, and neither validates: 「新增…」 redisplays a sequence with one more row,
and 「依所選教育階段列出課程細項」 redisplays item 6 with the chosen stage's sub-items.
"""
from datetime import date

import colander
import deform
import peppercorn
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import reference
from ..courses import taxonomy
from ..forms import FormView
from ..resources.interfaces import ICourse, IOrganiser
from ..courses import service as course_service
from ..schemas.course import TITLES, CourseSchema, RowsWidget, from_course, suggested_hours
from ..schemas.written import read_date, read_time

PAGE = "inservice_portal:templates/course/edit.pt"
# deform.js needs jQuery; all same-origin (CSP script-src 'self'), only on form pages.
SCRIPTS = ("deform:static/scripts/jquery-2.0.3.min.js", "deform:static/scripts/deform.js",
           "inservice_portal:static/course_form.js")


def form_scripts(request) -> list[str]:
    return [request.static_url(spec) for spec in SCRIPTS]


def sections(form) -> list[dict]:
    """The form's fields grouped as 附件十 groups its items: 課程訊息 / 報名資訊 / 其他."""
    result = []
    for section in reference.load("course_form")["sections"]:
        items = set(section["items"])
        fields = [f for f in form.children if getattr(f.schema, "item", None) in items]
        result.append({"title": section["title"], "fields": fields})
    return result


def error_items(form) -> list[dict]:
    """Every error of a failed form, in form order, for the summary: the field's id to link
    to and the message (which names the field; a row's number is put in front)."""
    found = []

    def walk(field, row=None):
        if field.error is None:
            return
        if field.errormsg:
            message = f"{row}：{field.errormsg}" if row else field.errormsg
            found.append({"anchor": field.oid, "message": message})
        rows = getattr(field, "sequence_fields", None)
        for number, sub in enumerate(rows or (), 1):
            walk(sub, f"{sub.title} {number}")
        if rows is None:
            for child in field.children:
                walk(child, row)

    for child in form.children:
        walk(child)
    return found


def _suggested_from_post(post):
    """Art. 10's suggestion over the submitted session rows whose times can be read."""
    rows = peppercorn.parse(list(post.items())).get("sessions") or []
    readable = []
    for row in rows if isinstance(rows, list) else ():
        try:
            start, end = read_time(row["start"]), read_time(row["end"])
        except (KeyError, TypeError, ValueError):
            continue
        try:
            day = read_date(row.get("date") or "")
        except (TypeError, ValueError):
            day = date.min                 # (short periods of unreadable days pool together)
        readable.append({"date": day, "start": start, "end": end})
    return suggested_hours(readable) if readable else None


class CourseForm(FormView):
    schema = CourseSchema
    formid = "course-form"

    # -- what the schema is bound to -------------------------------------------------------
    def stage(self):
        if self.request.method == "POST":
            stage = self.request.POST.get("stage")
        else:
            stage = self.appstruct().get("stage")
        return stage if stage in taxonomy.stages() else None

    def suggested(self):
        if self.request.method == "POST":
            return _suggested_from_post(self.request.POST)
        return None

    def make_form(self):
        schema = self.schema().bind(request=self.request, context=self.context,
                                    stage=self.stage(), suggested=self.suggested())
        return deform.Form(schema, buttons=self.buttons, formid=self.formid,
                           action=self.request.path_qs)      # (forms.FormView says why)

    # -- rendering -------------------------------------------------------------------------
    def attachments(self):
        return None

    def page(self, form, **kw):
        html = form.render(sections=sections(form), errors=error_items(form),
                           attachments=self.attachments(), attachments_title=TITLES["attachments"],
                           **kw)
        return {"page_title": self.page_title(), "form": html,
                "scripts": form_scripts(self.request), "cancel_url": self.cancel_url()}

    def show(self, form, appstruct=None):
        form.set_appstruct(dict(appstruct or {}, csrf_token=self.request.session.get_csrf_token()))
        return self.page(form)

    def failure(self, failure):
        self.request.response.status = 400
        return self.page(failure.field)

    def __call__(self):
        post = self.request.POST
        if self.request.method == "POST" and ("refresh" in post or "add_row" in post):
            return self.redisplay(post.get("add_row"))
        if self.request.method == "POST" and "keep" in post:
            return self.keep()
        return super().__call__()

    def keep(self):
        """暫存草稿 (issue 16): the items that parse are saved, the others wait (the course
        cannot be sent for review until the form would take it). A title is needed: the
        draft is listed by it."""
        form = self.make_form()
        cstruct = form.widget.deserialize(form, peppercorn.parse(list(self.request.POST.items())))
        values, refused = form.schema.salvage(cstruct)
        if not values.get("title"):
            error = colander.Invalid(form.schema)
            error.add(colander.Invalid(form.schema["title"], KEEP_NEEDS_TITLE),
                      [c.name for c in form.schema.children].index("title"))
            form.cstruct = cstruct
            form.widget.handle_error(form, error)
            self.request.response.status = 400
            return self.page(form)
        course = self.kept(values)
        missing = len(course_service.problems(course))
        self.request.session.flash(
            f"已暫存草稿「{course.title}」（課程代碼 {course.code}）。"
            + (f"下列項目格式不正確，未儲存：{'、'.join(f'「{t}」' for t in refused)}。"
               if refused else "")
            + (f"尚有 {missing} 項未填或有誤，補齊後才能送出審核。" if missing else ""))
        return HTTPSeeOther(self.request.resource_url(course))

    def redisplay(self, add_row=None):
        """The submitted values as they were (blank rows too), plus a row if one was asked for."""
        form = self.make_form()
        pstruct = peppercorn.parse(list(self.request.POST.items()))
        form.set_pstruct(pstruct)
        cstruct = dict(form.cstruct)
        for child in form.children:
            if isinstance(child.widget, RowsWidget):
                child.__dict__.pop("sequence_fields", None)   # rows are rebuilt from cstruct
                rows = pstruct.get(child.name)
                cstruct[child.name] = list(rows) if isinstance(rows, list) else []
                if child.name == add_row:
                    cstruct[child.name].append(colander.null)
        form.cstruct = cstruct
        return self.page(form)


KEEP_NEEDS_TITLE = f"暫存草稿至少須填寫「{TITLES['title']}」"
KEEP = deform.Button("keep", "暫存草稿（不檢查）")


@view_config(context=IOrganiser, name="add-course", permission="course.create", renderer=PAGE)
class AddCourse(CourseForm):
    buttons = (deform.Button("save", "建立課程草稿"), KEEP)

    def kept(self, values):
        return course_service.create(self.context, values, self.request.account.login,
                                     self.request.registry, kept=True)

    def page_title(self):
        return f"研習課程登錄：{self.context.title}"

    def cancel_url(self):
        return self.request.resource_url(self.context)

    def appstruct(self):
        return from_course(None)

    def save_success(self, appstruct):
        course = course_service.create(self.context, appstruct, self.request.account.login,
                                       self.request.registry)
        self.request.session.flash(f"已建立研習課程草稿「{course.title}」（課程代碼 {course.code}）。"
                                   "請確認內容並上傳研習附件後送出審核。")
        return HTTPSeeOther(self.request.resource_url(course))


@view_config(context=ICourse, name="edit", permission="course.edit", renderer=PAGE)
class EditCourse(CourseForm):
    buttons = (deform.Button("save", "儲存修改"), KEEP)

    def kept(self, values):
        course_service.save(self.context, values, self.request.registry, kept=True)
        return self.context

    def page_title(self):
        return f"修改研習課程：{self.context.title}（{self.context.code}）"

    def cancel_url(self):
        return self.request.resource_url(self.context)

    def appstruct(self):
        return from_course(self.context)

    def suggested(self):
        if self.request.method == "POST" or not self.context.sessions:
            return super().suggested()
        return self.context.suggested_hours

    def attachments(self):
        return {"url": self.request.resource_url(self.context, "@@attachments"),
                "files": [a.filename for a in self.context.attachments.values()]}

    def save_success(self, appstruct):
        course_service.save(self.context, appstruct, self.request.registry)
        self.request.session.flash("已儲存研習課程的修改。")
        return HTTPSeeOther(self.request.resource_url(self.context))


@view_config(context=ICourse, name="copy", permission="course.copy", request_method="POST")
def copy_course(context, request):
    """A new draft with every form field of this course; the organiser goes on to edit it."""
    course = course_service.copy(context, request.account.login, request.registry)
    request.session.flash(f"已複製課程 {context.code} 為新的草稿（課程代碼 {course.code}），請修改後儲存。")
    return HTTPSeeOther(request.resource_url(course, "@@edit"))
