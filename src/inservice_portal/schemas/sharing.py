"""資源分享區 forms: one colander schema per kind of shared item.

Choices come from the data files: the taxonomy of 附件十一 (stage, scope, sub-item), the
licences and facilities (data/licences.yaml, data/facilities.yaml), the counties of
centres.yaml. A handout's course is a 課程代碼 that must name a course the sharer may see; a
lecturer's contact data is refused unless the lecturer consented to its sharing.
"""
import re

import colander
import deform

from .. import vocabularies
from ..sharing import service as sharing
from ..courses import taxonomy
from ..catalog import find_course
from ..forms import CSRFSchema
from .attachments import ACCEPTED, CheckedUpload, UploadWidget
from .course import TPL, Int, Tags, _checkboxes, _input, _radio, _select
from ..resources.sharing import KINDS

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9()#+\-\s]{6,30}$")


def _title(title: str, required: bool) -> dict:
    return {"title": title, "missing_msg": f"請填寫「{title}」"} if required else {"title": title}


def text(title, max_len=200, required=True, widget=None, **kw):
    return colander.SchemaNode(
        colander.String(), validator=colander.Length(max=max_len,
                                                     max_err=f"「{title}」請在 {max_len} 字以內"),
        widget=widget or _input(), **_title(title, required),
        **({} if required else {"missing": ""}), **kw)


def long_text(title, max_len=4000, required=True, **kw):
    return text(title, max_len, required, widget=deform.widget.TextAreaWidget(
        template=TPL + "textarea.pt", rows=5), **kw)


def one_of(title, values, widget, required=True, **kw):
    codes = [v for v, _ in values]
    extra = {"missing_msg": f"請選擇「{title}」"} if required else {"missing": None}
    return colander.SchemaNode(colander.String(), title=title, widget=widget,
                               validator=colander.OneOf(codes, msg_err=f"「{title}」沒有這個選項"),
                               **extra, **kw)


def some_of(title, values, **kw):
    codes = [v for v, _ in values]

    def validator(node, value):
        if set(value) - set(codes):
            raise colander.Invalid(node, f"「{title}」有不存在的選項")

    return colander.SchemaNode(colander.Set(), title=title, missing=(), validator=validator,
                               widget=_checkboxes(values), **kw)


def stage_choices():
    return list(vocabularies.stages().items())


def sub_item_choices():
    """Every selectable 課程細項, one <optgroup> per stage and scope; the value carries the
    stage ("elementary:1-3-5"), since codes repeat across stages."""
    groups = [("", "不指定")]
    scope_labels = vocabularies.scope_labels()
    for stage, stage_label in vocabularies.stages().items():
        for scope, _ in taxonomy.scopes(stage):
            options = [(f"{stage}:{code}", f"{code} {label}")
                       for code, label in taxonomy.sub_items(stage, scope)]
            if options:
                groups.append(deform.widget.OptGroup(
                    f"{stage_label}｜{scope_labels.get(scope, scope)}", *options))
    return groups


def _visible_course_code(node, value: str) -> int:
    """The code of the course ``value`` names, if the person sharing may see it."""
    request = node.bindings["request"]
    course = find_course(request.root, value) if value.isascii() and value.isdigit() else None
    if course is None or not request.has_permission("view", course):
        raise colander.Invalid(node, f"「{node.title}」找不到課程代碼 {value} 的課程")
    return course.code


class CourseCode(colander.SchemaType):
    """A 課程代碼 of a course the person sharing may see (the course the files came from)."""

    def serialize(self, node, appstruct):
        return str(appstruct) if appstruct else colander.null

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None) or not str(cstruct).strip():
            return colander.null
        return _visible_course_code(node, str(cstruct).strip())


class CourseCodes(colander.SchemaType):
    """課程代碼 separated by 、 or commas: each must name a course the sharer may see."""

    def serialize(self, node, appstruct):
        return "、".join(str(c) for c in appstruct) if appstruct else colander.null

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None):
            return colander.null
        codes = [_visible_course_code(node, value)
                 for value in re.split(r"[、,，;；\s]+", str(cstruct)) if value]
        return tuple(dict.fromkeys(codes)) or colander.null


def common():
    return {
        "tags": colander.SchemaNode(Tags(), title="標籤", missing=(), widget=_input(),
                                    description="以頓號（、）或逗號分隔，例如：閱讀理解、差異化教學"),
    }


FORM = deform.widget.FormWidget(template="inservice_portal:templates/deform/form.pt",
                                item_template=TPL + "item.pt")


class HandoutSchema(CSRFSchema):
    """研習教學檔案."""

    widget = FORM
    title = text("檔案名稱（標題）", 200)
    description = long_text("內容說明")
    file = colander.SchemaNode(
        CheckedUpload(), title="上傳檔案", widget=UploadWidget(), missing=colander.null,
        description=ACCEPTED + "之後可在「管理檔案」頁面增刪。")
    course_code = colander.SchemaNode(CourseCode(), title="來源研習課程代碼（選填）",
                                      missing=None, widget=_input(inputmode="numeric"))
    stage = one_of("教育階段", stage_choices(), _select([("", "請選擇")] + stage_choices()))
    scope = one_of("進修範疇", vocabularies.scope_choices(), _radio(vocabularies.scope_choices()))
    sub_item = colander.SchemaNode(colander.String(), title="課程細項（選填）", missing="",
                                   widget=_select(sub_item_choices()),
                                   description="須屬於所選的教育階段與進修範疇。")
    tags = common()["tags"]
    licence = one_of("授權方式", [(c, v["label"]) for c, v in sharing.licences().items()],
                     _radio([(c, v["label"]) for c, v in sharing.licences().items()]))

    def validator(self, node, value):
        error = colander.Invalid(node)
        if value.get("file") in (None, colander.null) and node.bindings.get("adding"):
            error["file"] = "請選擇要分享的檔案。"
        chosen = value.get("sub_item") or ""
        stage, _, code = chosen.partition(":")
        if chosen and (stage != value["stage"]
                       or not taxonomy.is_valid(stage, value["scope"], code)):
            error["sub_item"] = "「課程細項」不屬於所選的教育階段與進修範疇，請重新選擇。"
        if error.children:
            raise error


class LecturerSchema(CSRFSchema):
    """講師推薦."""

    widget = FORM
    title = text("講師姓名", 50)
    affiliation = text("服務單位與職稱", 200)
    expertise_stages = some_of("專長之教育階段", stage_choices())
    expertise_scopes = some_of("專長之進修範疇", vocabularies.scope_choices())
    expertise = long_text("專長與授課主題", 1000)
    description = long_text("推薦說明（本單位的評語）", 2000)
    tags = common()["tags"]
    consent = colander.SchemaNode(
        colander.Boolean(), title="講師同意分享聯絡資料", missing=False,
        widget=deform.widget.CheckboxWidget(),
        description="未經講師同意請勿勾選，也不要填寫電話與電子郵件。聯絡資料只提供給各單位業務帳號，不對外公開。")
    phone = text("講師聯絡電話", 30, required=False)
    email = text("講師電子郵件", 100, required=False, widget=_input("email"))

    def validator(self, node, value):
        error = colander.Invalid(node)
        if not value.get("consent") and (value.get("phone") or value.get("email")):
            error["consent"] = "講師未同意分享聯絡資料時，請勿填寫電話或電子郵件。"
        if value.get("email") and not EMAIL.match(value["email"]):
            error["email"] = "「講師電子郵件」格式不正確。"
        if value.get("phone") and not PHONE.match(value["phone"]):
            error["phone"] = "「講師聯絡電話」請只填數字、括號、連字號或 #分機。"
        if error.children:
            raise error


class VenueSchema(CSRFSchema):
    """研習場所."""

    widget = FORM
    title = text("場所名稱", 100)
    address = text("地址", 200)
    county = one_of("縣市", [(c, c) for c in vocabularies.counties()],
                    _select([("", "請選擇")] + [(c, c) for c in vocabularies.counties()]))
    capacity = colander.SchemaNode(
        Int(), title="可容納人數", missing_msg="請填寫「可容納人數」", widget=_input("number", min="1"),
        validator=colander.Range(min=1, max=100000, min_err="「可容納人數」至少為 1",
                                 max_err="「可容納人數」過大"))
    facilities = some_of("場地設施", list(sharing.facilities().items()))
    description = long_text("場地說明（交通、租借方式等）", 2000)
    course_codes = colander.SchemaNode(
        CourseCodes(), title="曾在此辦理的研習課程代碼（選填）", missing=(), widget=_input(),
        description="以頓號分隔。課程的研習地點與場所名稱或地址相同者，會自動列出。")
    tags = common()["tags"]


SCHEMAS = {"handout": HandoutSchema, "lecturer": LecturerSchema, "venue": VenueSchema}


def to_fields(kind: str, appstruct: dict) -> dict:
    """Keywords for the item's ``update`` from a validated appstruct."""
    fields = {k: v for k, v in appstruct.items() if k in KINDS[kind].FIELDS}
    for name in ("tags", "expertise_stages", "expertise_scopes", "facilities", "course_codes"):
        if name in fields:
            fields[name] = tuple(sorted(fields[name])) if isinstance(fields[name], set) \
                else tuple(fields[name] or ())
    if kind == "handout":
        fields["sub_item"] = (appstruct.get("sub_item") or "").partition(":")[2] or None
    if kind == "lecturer" and not fields.get("consent"):
        fields["phone"] = fields["email"] = ""
    return fields


def from_item(item) -> dict:
    """The form's values for an existing item."""
    values = dict(item.fields())
    if item.content_type == "handout":
        values["sub_item"] = f"{item.stage}:{item.sub_item}" if item.sub_item else ""
        values["course_code"] = item.course_code
    for name in ("expertise_stages", "expertise_scopes", "facilities"):
        if name in values:
            values[name] = set(values[name])
    return {k: v for k, v in values.items() if v is not None}
