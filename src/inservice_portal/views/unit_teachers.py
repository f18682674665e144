"""本單位教師帳號管理: a school's teachers, 教師資料登錄 (a newly arrived teacher) and
離職/轉校/退休 (003 二(二)2–3; 001 參四(三)6–7)."""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.traversal import resource_path
from pyramid.view import view_config

from ..accounts import email_confirmation, teachers as teacher_accounts
from .. import mail, reference
from ..forms import CSRFSchema, FormView
from ..rules.national_id import mask_national_id
from ..resources.interfaces import IOrganiser, ITeacher
from ..schemas.accounts import (email_node, job_title_node, job_titles, national_id_format,
                                length, new_login_validator, normalised_id, stage_node,
                                subjects_node, text)
from .signup import FORM_PAGE


@view_config(context=IOrganiser, name="teachers", permission="unit.teachers",
             renderer="inservice_portal:templates/units/teachers.pt", request_method="GET")
def unit_teachers(context, request):
    return {"page_title": "本單位教師帳號管理",
            "teachers": teacher_accounts.teachers_of(request.root, context),
            "mask": mask_national_id, "titles": job_titles(),
            "stages": reference.vocabulary("school_stages"),
            "reasons": reference.vocabulary("transfer_out_reasons")}


@view_config(context=IOrganiser, name="teachers", permission="unit.teachers",
             request_method="POST")
def transfer_out(context, request):
    """離職/轉校/退休: the teacher keeps the account and transcript and loses the school."""
    login, reason = request.POST.get("login", ""), request.POST.get("reason", "")
    teacher = request.root["people"].get(login)
    if teacher is None or not ITeacher.providedBy(teacher) \
            or teacher.school != resource_path(context):
        request.session.flash("未完成：此教師不在本單位的教師名單中。")
    elif reason not in reference.vocabulary("transfer_out_reasons"):
        request.session.flash("未完成：請選擇離職、轉校或退休。")
    else:
        teacher_accounts.transfer_out(teacher, reason)
        label = reference.vocabulary("transfer_out_reasons")[reason]
        request.session.flash(f"已將 {teacher.name} 以「{label}」轉出本單位；其帳號與研習紀錄均保留。")
    return HTTPSeeOther(request.resource_url(context, "teachers"))


class AddTeacherSchema(CSRFSchema):
    national_id = colander.SchemaNode(
        colander.String(), title="身分證統一編號", preparer=normalised_id,
        validator=national_id_format,
        description="已有教師帳號者，帳號將移入本單位（姓名須相符）；尚無帳號者將新建帳號。",
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off"}))
    name = text("姓名", validator=length(1, 50))
    email = email_node()
    stage = stage_node()
    job_title = job_title_node()
    subjects = subjects_node()
    login = colander.SchemaNode(
        colander.String(), title="新帳號的帳號名稱", missing="",
        description=f"僅於新建帳號時使用（{teacher_accounts.LOGIN_RULE}），申請後不可變更；"
                    "教師將收到確認信並自行設定密碼。",
        preparer=lambda v: v.strip() if isinstance(v, str) else v,
        validator=new_login_validator)


@view_config(context=IOrganiser, name="add-teacher", permission="unit.teachers",
             renderer=FORM_PAGE)
class AddTeacher(FormView):
    """教師資料登錄: enter a newly arrived teacher into 本單位教師帳號管理."""
    schema = AddTeacherSchema
    buttons = (deform.Button("save", "登錄教師資料"),)
    formid = "add-teacher-form"
    page_title = "教師資料登錄"

    def __call__(self):
        result = super().__call__()
        if isinstance(result, dict):
            result["intro"] = f"{self.context.title}：新增新進教師於「本單位教師帳號管理」名單中。"
            result["back_url"] = self.request.resource_url(self.context, "teachers")
            result["back_title"] = "回本單位教師帳號管理"
        return result

    def refuse(self, field, message, appstruct):
        form = self.make_form()
        error = colander.Invalid(form.schema)
        error[field] = message
        form.widget.handle_error(form, error)
        form.cstruct = form.schema.serialize(
            dict(appstruct, csrf_token=self.request.session.get_csrf_token()))
        self.request.response.status = 400
        return {"form": form.render(), "page_title": self.page_title}

    def save_success(self, appstruct):
        root, school = self.request.root, self.context
        subjects = teacher_accounts.split_subjects(appstruct["subjects"])
        teacher = teacher_accounts.teacher_by_national_id(root, appstruct["national_id"])
        if teacher is not None:
            if teacher.name != appstruct["name"].strip():
                return self.refuse("name", "此身分證統一編號已有教師帳號，但姓名不符，請再確認。",
                                   appstruct)
            teacher_accounts.set_stage(teacher, appstruct["stage"])
            teacher.job_title = appstruct["job_title"]
            teacher.subjects = subjects
            teacher_accounts.move_to_school(teacher, school)
            mail.send(self.request, teacher.email, "【全國教師在職進修資訊網】服務學校已更新",
                      f"{teacher.name} 您好：\n\n{school.title}已將您登錄為該校教師，"
                      f"您的教師帳號「{teacher.login}」服務學校已更新。\n\n全國教師在職進修資訊網")
            message = f"{teacher.name} 已有教師帳號（{teacher.login}），已移入本單位。"
        else:
            if not appstruct["login"]:
                return self.refuse("login", "此身分證統一編號尚無教師帳號，請設定新帳號的帳號名稱。",
                                   appstruct)
            teacher = teacher_accounts.create_teacher(
                root, appstruct["login"], appstruct["name"].strip(), appstruct["email"],
                appstruct["national_id"], school=school, stage=appstruct["stage"],
                job_title=appstruct["job_title"], subjects=subjects)
            email_confirmation.issue(
                self.request, teacher,
                reason=f"{school.title}已為您建立教師個人帳號，請點選以下連結確認電子郵件信箱並設定密碼")
            message = f"已為 {teacher.name} 建立教師帳號（{teacher.login}），確認信已寄至 {teacher.email}。"
        self.request.session.flash(message)
        return HTTPSeeOther(self.request.resource_url(school, "teachers"))
