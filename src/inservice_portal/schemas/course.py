"""研習課程登錄表 (000 附件十): the course form's colander schema, item by item.

Field names are the API's (``resources.course.FIELDS``); every choice comes from the data files
(``data/course_form.yaml``, the taxonomy of 附件十一, ``data/course_admission.yaml``). Besides
the single items, ``check`` enforces what a course review requires (002 Art. 8) and the hours
rules (Art. 10): a document number for a delegated course, the amount of a subsidy, complete
contacts, dates in order, sessions inside the course dates, hours in half hours and not above
the suggestion without a reason, credits (not hours) for credit classes.

``to_fields`` turns a validated appstruct into ``Course.update`` keywords; ``from_course`` does
the reverse. Widgets use the templates in ``templates/course/`` (no inline script: CSP).
"""
import re
from decimal import Decimal
from functools import cache

import colander
import deform
from pyramid.traversal import find_root

from ..courses import project_tags, taxonomy
from ..forms import CSRFSchema
from ..resources.course import CREDIT_CLASSES, FIELDS, Session
from ..resources.interfaces import ICourse
from ..rules import hours as hours_rule
from ..vocabularies import (ADMISSION, ITEMS, STAGE_LABELS, VOCAB, choices, level_choices,
                            scope_choices, stage_choices)
from .written import DATE_HINT, TIME_HINT, Date, Time

NO_FUNDING = "21-12"                       # 無接受補助: every other source needs an amount
DELIVERY_OTHER = ITEMS[11]["other"]        # 11-99 其他：____（請填列）
TITLE_OTHER = ITEMS[15]["other"]           # 15-99 其他：____（請填列）
DATE_ORDER = ("registration_opens", "registration_closes", "starts_on", "ends_on")
TPL = "inservice_portal:templates/course/"


def _item(n, part=None):
    """An item's label as 附件十 prints it, with its number: 「16 報名開始日期」."""
    return f"{part or n} {ITEMS[n]['parts'][part] if part else ITEMS[n]['title']}"


STAGE_TITLE, SUBJECT_TITLE = ITEMS[4]["title"].split("-", 1)   # 教育階段 / 領域-科目
OTHER = "其他（請填列）"
TITLES = {
    "class_type": _item(1), "nature": "2 辦理性質", "authority_doc_no": f"2 {ITEMS[2]['text']}",
    "title": _item(3, "3-1"), "tags": _item(3, "3-2"),
    "stage": f"4 {STAGE_TITLE}", "subject": f"4 {SUBJECT_TITLE}",
    "scope": _item(5), "sub_item": _item(6), "level": _item(7), "lecturers": _item(8),
    "outline": _item(9), "attachments": _item(10),
    "delivery_modes": _item(11), "delivery_other": f"{DELIVERY_OTHER} {OTHER}",
    "time_slots": _item(12), "hours": f"{_item(13)}（{ITEMS[13]['unit']}）",
    "credits": "13 學分數（學分班、學位班）", "hours_reason": "13 研習時數高於建議時數之說明",
    "audience_stages": _item(14), "audience_titles": _item(15),
    "audience_other": f"{TITLE_OTHER} {OTHER}",
    "registration_opens": _item(16), "registration_closes": _item(17),
    "registration_opens_time": "16 報名開始時間", "registration_closes_time": "17 報名截止時間",
    "starts_on": _item(18), "ends_on": _item(19), "place": _item(20),
    "funding": _item(21), "funding_amount": "21 補助金額（新臺幣元）", "fee": _item(22),
    "classes": f"{_item(23)}（{ITEMS[23]['unit']}）",
    "seats_per_class": f"{_item(24)}（{ITEMS[24]['unit']}）",
    "contacts": _item(25), "feedback": _item(26),
    "admission": "錄取方式", "sessions": "場次（每次上課的日期、時間及地點）",
}
ROW_TITLES = {"lecturers": "師資", "contacts": "承辦人", "sessions": "場次"}
ROW_ORDINALS = {"lecturers": "第 {} 位師資", "contacts": "第 {} 位承辦人", "sessions": "第 {} 場次"}
LECTURER = {"name": ITEMS[8]["text"], "kind": "師資類別"}
CONTACT = dict(zip(("name", "phone", "email"), ITEMS[25]["fields"]))
SESSION = {"date": "日期", "start": "開始時間", "end": "結束時間", "venue": "地點（未填同第 20 項）"}


@cache
def sub_item_groups(stage: str) -> tuple:
    """The selectable 課程細項 of a stage, one <optgroup> per scope (scope 6 has none)."""
    groups = []
    for (scope, _), (value, label) in zip(taxonomy.scopes(stage), scope_choices()):
        options = [(code, f"{code} {text}") for code, text in taxonomy.sub_items(stage, scope)]
        if options:
            group = deform.widget.OptGroup(label, *options)
            group.scope = value
            groups.append(group)
    return tuple(groups)


def scope_notes() -> str:
    """What 附件十一 prints instead of sub-items (scope 6: 課程細項不明列)."""
    stage = taxonomy.stages()[0]
    return "；".join(f"{label}：{note}" for value, label in scope_choices()
                    if (note := taxonomy.scope_note(stage, value)))


def _codes(values) -> list[str]:
    return [value for value, _ in values]


# -- types whose errors name their field in zh-TW -----------------------------------------------
class _Named:
    message = "格式不正確"

    def deserialize(self, node, cstruct):
        try:
            return super().deserialize(node, cstruct)
        except colander.Invalid:
            raise colander.Invalid(node, f"「{node.title}」{self.message}") from None


class Int(_Named, colander.Int):
    message = "請填整數"


class Number(_Named, colander.Decimal):
    message = "請填數字"

    def deserialize(self, node, cstruct):
        # Decimal takes "NaN" and "Infinity", which no comparison survives.
        result = super().deserialize(node, cstruct)
        if result is not colander.null and not result.is_finite():
            raise colander.Invalid(node, f"「{node.title}」{self.message}")
        return result


class Tags(colander.SchemaType):
    """3-2 專案屬性標籤: one text line, tags separated by 、 or commas; a list in the appstruct."""

    def serialize(self, node, appstruct):
        return "、".join(appstruct) if appstruct else colander.null

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None):
            return colander.null
        tags = [t for t in re.split(r"[、,，;；\n]+", str(cstruct)) if t.strip()]
        return list(dict.fromkeys(t.strip() for t in tags)) or colander.null


# -- widgets (templates/course/*.pt) ---------------------------------------------------------------
def _input(kind="text", **attributes):
    return deform.widget.TextInputWidget(template=TPL + "input.pt", input_type=kind,
                                         attributes=attributes)


def _typed(**attributes):
    """A date or time field: text, not type=date or time (schemas/written.py says why)."""
    return _input(autocomplete="off", **attributes)


def _radio(values, **kw):
    return deform.widget.RadioChoiceWidget(template=TPL + "choices.pt", values=values,
                                           group=True, radiogroup=True, **kw)


def _checkboxes(values):
    return deform.widget.CheckboxChoiceWidget(template=TPL + "choices.pt", values=values,
                                              group=True, multiple=True)


def _select(values, **kw):
    return deform.widget.SelectWidget(template=TPL + "select.pt", values=values, **kw)


def _blank(value) -> bool:
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    return value in (None, colander.null, "") or (isinstance(value, str) and not value.strip())


class RowsWidget(deform.widget.SequenceWidget):
    """A sequence whose wholly blank rows are dropped: without JavaScript a row is "removed" by
    clearing it, and the empty row offered for adding one is not an error."""

    template = TPL + "sequence.pt"
    item_template = TPL + "row.pt"
    group = True

    def deserialize(self, field, pstruct):
        if isinstance(pstruct, list):
            pstruct = [row for row in pstruct if not _blank(row)]
        return super().deserialize(field, pstruct)


# -- nodes ---------------------------------------------------------------------------------------
def _node(typ, name, title=None, verb="填寫", children=(), **kw):
    title = title or TITLES[name]
    kw.setdefault("missing_msg", f"請{verb}「{title}」")
    return colander.SchemaNode(typ, *children, name=name, title=title, **kw)


def _text(name, max_len=200, title=None, **kw):
    return _node(colander.String(), name, title,
                 validator=colander.Length(max=max_len, max_err=f"「{title or TITLES[name]}」"
                                                             f"請在 {max_len} 字以內"), **kw)


def _one_of(name, values, title=None, **kw):
    title = title or TITLES[name]
    return _node(colander.String(), name, title, verb="選擇",
                 validator=colander.OneOf(_codes(values),
                                          msg_err=f"「{title}」沒有「${{val}}」這個選項"), **kw)


def _some_of(name, values, **kw):
    title, codes = TITLES[name], _codes(values)

    def validator(node, value):
        unknown = [v for v in value if v not in codes]
        if unknown:
            raise colander.Invalid(node, f"「{title}」沒有「{'、'.join(sorted(unknown))}」這個選項")
        if not value:
            raise colander.Invalid(node, f"請至少選擇一項「{title}」")

    return _node(colander.Set(), name, verb="選擇", validator=validator,
                 widget=_checkboxes(values), **kw)


def _count(name, **kw):
    return _node(Int(), name, validator=colander.Range(
        min=1, min_err=f"「{TITLES[name]}」至少為 1"), widget=_input("number", min="1"), **kw)


def _rows(name, row_name, *children, minimum, **kw):
    row = colander.SchemaNode(
        colander.Mapping(), *children, name=row_name, title=ROW_TITLES[name],
        widget=deform.widget.MappingWidget(template=TPL + "row_fields.pt",
                                           item_template=TPL + "item.pt",
                                           ordinal=ROW_ORDINALS[name]))
    # missing=[] lets blank rows drop out; at least one row is still required (shown as such).
    return _node(colander.Sequence(), name, children=[row], missing=[], widget=RowsWidget(min_len=1),
                 validator=colander.Length(min=1, min_err=minimum), shown_required=True, **kw)


def _half_hours(node, value):
    if value <= 0 or not hours_rule.is_half_hour_step(value):
        raise colander.Invalid(node, f"「{node.title}」以 0.5 小時為最小單位，請填 0.5、1、1.5…")


def _tag_setting(kw):
    """(the root, the tags the course has already): retired tags stay where they are."""
    context = kw.get("context")
    course = context if ICourse.providedBy(context) else kw.get("course")
    return (find_root(context) if context is not None else None,
            tuple(getattr(course, "tags", ()) or ()))


@colander.deferred
def _tags_validator(node, kw):
    root, kept = _tag_setting(kw)

    def validate(node, value):
        refused = project_tags.unknown(root, value, kept) if root is not None else []
        if refused:
            raise colander.Invalid(node, f"「{'、'.join(refused)}」不在教育部的專案屬性標籤清單中，"
                                         "請從清單選用")
    return validate


@colander.deferred
def _tags_description(node, kw):
    root, _ = _tag_setting(kw)
    listed = project_tags.tags_of(root) if root is not None else None
    names = "、".join(listed.active()) if listed is not None else ""
    return (f"{ITEMS[3]['note']}；多個標籤以「、」分隔。"
            + (f"可選用：{names}" if names else "目前沒有可選用的標籤"))


@colander.deferred
def _sub_item_widget(node, kw):
    stage = kw.get("stage")
    values = [("", "請選擇")] + list(sub_item_groups(stage) if stage else ())
    return _select(values, stage=stage, stages=[(s, sub_item_groups(s)) for s in taxonomy.stages()])


@colander.deferred
def _level_widget(node, kw):
    helps = {str(entry["level"]): entry["help"] for entry in taxonomy.levels(kw.get("stage"))}
    return _radio(level_choices(), helps=helps)


@colander.deferred
def _hours_widget(node, kw):
    return deform.widget.TextInputWidget(template=TPL + "hours.pt", input_type="number",
                                         attributes={"step": "0.5", "min": "0"},
                                         suggested=None if kw.get("suggested") is None
                                         else hours_text(kw["suggested"]))


def _on(item):
    """The 附件十 item a node belongs to (its section in the form)."""
    return {"item": item}


class CourseSchema(CSRFSchema):
    """研習課程登錄 (000 附件十, items 1–26, plus 場次 and 錄取方式)."""

    widget = deform.widget.FormWidget(template=TPL + "form.pt", item_template=TPL + "item.pt")

    # 課程訊息
    class_type = _one_of("class_type", choices("class_types"), widget=_radio(
        choices("class_types")), **_on(1))
    nature = _one_of("nature", choices("organising_modes"),
                     widget=_radio(choices("organising_modes")), **_on(2))
    authority_doc_no = _text("authority_doc_no", 100, missing="", widget=_input(), **_on(2),
                             description="必填（自主辦理、委託辦理皆同）：教育部或教育行政主管機關"
                                         "核定轄下教師研習時數之公文文號")
    title = _text("title", 200, widget=_input(), **_on(3),
                  description=f"如：{ITEMS[3]['example']}（系列課程請依場次加以區別）")
    tags = _node(Tags(), "tags", missing=[], widget=_input(), **_on(3),
                 validator=_tags_validator, description=_tags_description)
    stage = _one_of("stage", stage_choices(), **_on(4), widget=_select(
        [("", "請選擇")] + stage_choices(), refresh="依所選教育階段列出課程細項"),
        description="選定後按「依所選教育階段列出課程細項」（啟用 JavaScript 時會自動更新）")
    subject = _text("subject", 100, missing="", widget=_input(), **_on(4),
                    description=ITEMS[4]["note"])
    scope = _one_of("scope", scope_choices(), widget=_radio(scope_choices()), **_on(5))
    # 6 and 7 are required unless 5 is the scope without them (check() says which).
    sub_item = _node(colander.String(), "sub_item", verb="選擇", missing="", shown_required=True,
                     widget=_sub_item_widget, **_on(6),
                     description=f"{ITEMS[6]['note']}。{scope_notes()}，免選")
    level = _node(Int(), "level", verb="選擇", missing=None, shown_required=True,
                  widget=_level_widget, **_on(7),
                  validator=colander.OneOf(taxonomy.level_numbers(),
                                           msg_err="「7 進修階層」只有第一至第四階"))
    lecturers = _rows(
        "lecturers", "lecturer",
        _text("name", 50, title=LECTURER["name"], widget=_input()),
        _one_of("kind", choices("lecturer_types"), title=LECTURER["kind"],
                widget=_select([("", "請選擇")] + choices("lecturer_types"))),
        minimum=f"請至少填寫一位「{TITLES['lecturers']}」", **_on(8))
    outline = _text("outline", 4000, widget=deform.widget.TextAreaWidget(
        template=TPL + "textarea.pt", rows=6), description="簡述課程辦理目的或相關訊息", **_on(9))
    delivery_modes = _some_of("delivery_modes", choices("delivery_modes"), **_on(11))
    delivery_other = _text("delivery_other", 100, missing="", widget=_input(), **_on(11),
                           description=f"勾選「{DELIVERY_OTHER} 其他」時必填")
    time_slots = _some_of("time_slots", choices("time_slots"), **_on(12))
    hours = _node(Number(), "hours", missing=None, validator=_half_hours, widget=_hours_widget,
                  description=f"{ITEMS[13]['note']}；學分班、學位班免填，改填學分數", **_on(13))
    credits = _node(Int(), "credits", missing=None, widget=_input("number", min="1"), **_on(13),
                    validator=colander.Range(min=1, min_err="「13 學分數」至少為 1"),
                    description=f"1 學分 = {hours_rule.HOURS_PER_CREDIT} 小時（第 10 條）")
    hours_reason = _text("hours_reason", 500, missing="", **_on(13),
                         widget=deform.widget.TextAreaWidget(template=TPL + "textarea.pt", rows=2),
                         description="研習時數高於依場次計算之建議時數時必填")
    # 報名資訊
    audience_stages = _some_of("audience_stages", choices("audience_stages"), **_on(14))
    audience_titles = _some_of("audience_titles", choices("audience_titles"), **_on(15))
    audience_other = _text("audience_other", 100, missing="", widget=_input(), **_on(15),
                           description=f"勾選「{TITLE_OTHER} 其他」時必填")
    registration_opens = _node(Date(), "registration_opens", widget=_typed(), **_on(16),
                               description=f"西元年-月-日，範例：{ITEMS[16]['example']}")
    registration_opens_time = _node(Time(), "registration_opens_time", missing=None,
                                    widget=_typed(), **_on(16),
                                    description=f"選填，{TIME_HINT}；未填為當日 00:00 起")
    registration_closes = _node(Date(), "registration_closes", widget=_typed(), **_on(17),
                                description=f"西元年-月-日，範例：{ITEMS[17]['example']}")
    registration_closes_time = _node(Time(), "registration_closes_time", missing=None,
                                     widget=_typed(), **_on(17),
                                     description=f"選填，{TIME_HINT}；未填為當日 23:59 止")
    admission = _one_of("admission", list(ADMISSION.items()), widget=_radio(
        list(ADMISSION.items())), **_on(17))
    starts_on = _node(Date(), "starts_on", widget=_typed(), **_on(18),
                      description=f"西元年-月-日，範例：{ITEMS[18]['example']}")
    ends_on = _node(Date(), "ends_on", widget=_typed(), **_on(19),
                    description=f"西元年-月-日，範例：{ITEMS[19]['example']}")
    place = _text("place", 500, widget=deform.widget.TextAreaWidget(
        template=TPL + "textarea.pt", rows=2), description="須註明研習活動起迄時間及辦理地點",
        **_on(20))
    sessions = _rows(
        "sessions", "session",
        _node(Date(), "date", SESSION["date"], widget=_typed(**{"data-time": "date"}),
              description=DATE_HINT),
        _node(Time(), "start", SESSION["start"], widget=_typed(**{"data-time": "start"}),
              description=TIME_HINT),
        _node(Time(), "end", SESSION["end"], widget=_typed(**{"data-time": "end"}),
              description=TIME_HINT),
        _text("venue", 200, title=SESSION["venue"], missing="", widget=_input()),
        minimum="請至少填寫一個場次（日期與起訖時間）", **_on(20))
    # 其他
    funding = _one_of("funding", choices("funding_sources"), **_on(21),
                      widget=_select(choices("funding_sources")))
    funding_amount = _node(Int(), "funding_amount", missing=None, **_on(21),
                           widget=_input("number", min="1"),
                           validator=colander.Range(min=1, min_err="「21 補助金額」至少為 1 元"),
                           description="有經費補助者必填")
    fee = _one_of("fee", choices("fees"), widget=_radio(choices("fees")), **_on(22))
    classes = _count("classes", **_on(23))
    seats_per_class = _count("seats_per_class", **_on(24))
    contacts = _rows(
        "contacts", "contact",
        _text("name", 50, title=CONTACT["name"], widget=_input(autocomplete="off")),
        _text("phone", 30, title=CONTACT["phone"], widget=_input("tel")),
        _node(colander.String(), "email", CONTACT["email"], widget=_input("email"),
              validator=colander.Email(msg=f"「{CONTACT['email']}」格式不正確")),
        minimum=f"請至少填寫一位「{TITLES['contacts']}」（姓名、電話、Email）", **_on(25))
    feedback = _one_of("feedback", choices("feedback"), widget=_radio(choices("feedback")),
                       **_on(26))

    def deserialize(self, cstruct=colander.null):
        """Single items first; the rules that span items run even when some item failed
        (on what did deserialize), so one submission reports every problem at once."""
        try:
            appstruct, error = super().deserialize(cstruct), None
        except colander.Invalid as exc:
            appstruct, error = self._salvage(cstruct), exc
        problems = check(appstruct)
        if problems:
            error = error or colander.Invalid(self)
            for path, message in problems:
                _attach(error, self, path, message)
        if error is not None:
            raise error
        return appstruct

    def salvage(self, cstruct) -> tuple[dict, list]:
        """暫存草稿: what of ``cstruct`` parses, item by item, a blank item as blank (cleared);
        and the titles of the items typed in but not parsed (not kept)."""
        values, refused = {}, []
        for child in self.children:
            given = cstruct.get(child.name, colander.null) if isinstance(cstruct, dict) \
                else colander.null
            try:
                values[child.name] = child.deserialize(given)
            except colander.Invalid:
                if given in (colander.null, None, (), []) or _blank(given):
                    values[child.name] = FIELDS.get(child.name)
                else:
                    refused.append(child.title)
        return values, refused

    def _salvage(self, cstruct) -> dict:
        values = {}
        for child in self.children:
            try:
                values[child.name] = child.deserialize(
                    cstruct.get(child.name, colander.null) if isinstance(cstruct, dict)
                    else colander.null)
            except colander.Invalid:
                pass
        return values


# Field → its 附件十 item (its section).
ITEM_OF = {node.name: node.item for node in CourseSchema().children if hasattr(node, "item")}


def _attach(error, node, path, message):
    """Put ``message`` at ``path`` (names, or positions in a sequence) below ``error``, unless
    that place already has an error (one message per field)."""
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        pos, child = head, node.children[0]
    else:
        pos, child = next((i, c) for i, c in enumerate(node.children) if c.name == head)
    existing = next((e for e in error.children if e.pos == pos), None)
    if existing is None:
        existing = colander.Invalid(child, None if rest else message)
        error.add(existing, pos)
    elif not rest:
        return
    if rest:
        _attach(existing, child, rest, message)


def _unchosen_by_scope(v: dict, scope: str | None) -> list[tuple[str, str]]:
    """Items 6 and 7 left blank while 4 or 5 is not chosen yet."""
    T, stage = TITLES, taxonomy.stages()[0]
    exempt = [label for value, label in scope_choices()
              if not taxonomy.sub_items(stage, value)]
    unless = f"；5 為「{'、'.join(exempt)}」者免選" if exempt and scope is None else ""
    problems = []
    if not v.get("sub_item") and (scope is None or taxonomy.sub_items(stage, scope)):
        problems.append(("sub_item", f"請選擇「{T['sub_item']}」（選定「{T['stage']}」與"
                                     f"「{T['scope']}」後列出選項{unless}）"))
    if v.get("level") is None and "level" in v and (scope is None
                                                    or taxonomy.is_levelled(stage, scope)):
        problems.append(("level", f"請選擇「{T['level']}」" + (f"（{unless[1:]}）" if unless else "")))
    return problems


# -- the rules that span items (002 Art. 8, Art. 10) ---------------------------------------------
def check(v: dict) -> list[tuple[tuple, str]]:
    """(path, message) for each cross-item problem; items that are missing are skipped (they
    were reported by themselves)."""
    problems = []

    def fail(path, message):
        problems.append((path if isinstance(path, tuple) else (path,), message))

    T = TITLES
    # 000 附件十 prints 「依據文號___」 beside both 2-1 and 2-2; 002 Art. 8 (2) reviews it:
    # "依據文號需為教育部或教育行政主管機關核定轄下教師研習時數之公文文號".
    nature = v.get("nature")
    if nature in VOCAB["organising_modes"] and not v.get("authority_doc_no"):
        fail("authority_doc_no", f"「{T['nature']}」為「{VOCAB['organising_modes'][nature]}」"
                                 f"時，請填寫「{T['authority_doc_no']}」")
    stage, scope, sub_item = v.get("stage"), v.get("scope"), v.get("sub_item") or None
    if stage and scope:
        if not taxonomy.is_valid(stage, scope, sub_item):
            fail("sub_item", f"「{T['sub_item']}」{sub_item} 不屬於所選{STAGE_TITLE}"
                             f"（{STAGE_LABELS[stage]}）的「{T['scope']}」，請重新選擇"
                             if sub_item else f"請選擇「{T['sub_item']}」")
        if taxonomy.is_levelled(stage, scope) and v.get("level") is None and "level" in v:
            fail("level", f"請選擇「{T['level']}」")
    else:
        # Reported now, not on the next submit once 4 and 5 are chosen (issue 25): 6 and 7
        # are needed unless 5 turns out to be the scope without sub-items or levels.
        for problem in _unchosen_by_scope(v, scope):
            fail(*problem)
    if DELIVERY_OTHER in (v.get("delivery_modes") or ()) and not v.get("delivery_other"):
        fail("delivery_other", f"勾選「{DELIVERY_OTHER} 其他」時，請填寫「{T['delivery_other']}」")
    if TITLE_OTHER in (v.get("audience_titles") or ()) and not v.get("audience_other"):
        fail("audience_other", f"勾選「{TITLE_OTHER} 其他」時，請填寫「{T['audience_other']}」")
    funding = v.get("funding")
    if funding and funding != NO_FUNDING and v.get("funding_amount") is None and "funding_amount" in v:
        fail("funding_amount", f"有經費補助者（{VOCAB['funding_sources'][funding]}），"
                               f"請填寫「{T['funding_amount']}」")

    dates = [(name, v[name]) for name in DATE_ORDER if v.get(name)]
    for (before, early), (after, late) in zip(dates, dates[1:]):
        if early > late:
            fail(after, f"「{T[after]}」（{late}）不可早於「{T[before]}」（{early}）")
    for day, at in (("registration_opens", "registration_opens_time"),
                    ("registration_closes", "registration_closes_time")):
        if v.get(at) and not v.get(day) and day in v:
            fail(at, f"填寫「{T[at]}」時，請一併填寫「{T[day]}」")
    opened, closed = v.get("registration_opens_time"), v.get("registration_closes_time")
    if (opened and closed and v.get("registration_opens")
            and v.get("registration_opens") == v.get("registration_closes") and closed <= opened):
        fail("registration_closes_time", f"同一天開始與截止報名時，「{T['registration_closes_time']}」"
                                         f"須晚於「{T['registration_opens_time']}」")
    starts, ends = v.get("starts_on"), v.get("ends_on")
    sessions = v.get("sessions") or []
    for i, s in enumerate(sessions):
        if s["end"] <= s["start"]:
            fail(("sessions", i, "end"), f"「{SESSION['end']}」須晚於「{SESSION['start']}」")
        if (starts and s["date"] < starts) or (ends and s["date"] > ends):
            fail(("sessions", i, "date"), f"「{SESSION['date']}」{s['date']} 不在「{T['starts_on']}」"
                                          f"至「{T['ends_on']}」之間")

    class_type = v.get("class_type")
    hours = v.get("hours")
    if class_type in CREDIT_CLASSES:
        if v.get("credits") is None and "credits" in v:
            fail("credits", f"學分班、學位班請填寫「{T['credits']}」")
        if hours is not None:
            fail("hours", f"學分班、學位班以學分計（1 學分 = {hours_rule.HOURS_PER_CREDIT} 小時），"
                          f"請勿填寫「{T['hours']}」")
    elif class_type:
        if hours is None and "hours" in v:
            fail("hours", f"請填寫「{T['hours']}」")
        if v.get("credits") is not None:
            fail("credits", f"非學分班請填「{T['hours']}」，不填學分數")
        if hours is not None and sessions and all(s["end"] > s["start"] for s in sessions):
            suggested = suggested_hours(sessions)
            if hours > suggested and not (v.get("hours_reason") or "").strip():
                fail("hours_reason", f"「{T['hours']}」{hours_text(hours)} 小時高於依場次計算之建議時數 "
                                     f"{hours_text(suggested)} 小時（第 10 條），請填寫「{T['hours_reason']}」")
    return problems


def suggested_hours(sessions) -> Decimal:
    """Art. 10's suggestion over session rows (dicts with ``date``, ``start``, ``end``)."""
    return hours_rule.suggested_hours((s["date"], _session(s).minutes) for s in sessions)


def session_hours_text(session) -> str:
    """A session's hours as pages show them: a period under 50 minutes counts only pooled with
    the day's other short ones (rules/hours.py), so it says so instead of 0."""
    if 0 < getattr(session, "minutes", 0) < 50:           # (a WholeCourse has none)
        return "與同日未滿 50 分鐘的節次合併計算"
    return f"{hours_text(session.credited_hours)} 小時"


def hours_text(value) -> str:
    """Hours as people write them: 3.0 → "3", 2.5 → "2.5"."""
    return f"{Decimal(str(value)).normalize():f}"


def _session(row: dict) -> Session:
    return Session(date=row["date"], start=row["start"], end=row["end"],
                   venue=row.get("venue") or "")


# -- appstruct ↔ Course ----------------------------------------------------------------------------
def _ordered(values, vocabulary) -> tuple:
    return tuple(code for code in VOCAB[vocabulary] if code in set(values or ()))


def to_fields(a: dict) -> dict:
    """Keywords for ``Course.update`` from a validated appstruct."""
    credit = a["class_type"] in CREDIT_CLASSES
    fields = {name: a[name] for name in FIELDS if name in a}
    fields.update(
        tags=tuple(a.get("tags") or ()),
        sub_item=a.get("sub_item") or None,
        lecturers=tuple({"name": r["name"], "kind": r["kind"]} for r in a["lecturers"]),
        delivery_modes=_ordered(a["delivery_modes"], "delivery_modes"),
        time_slots=_ordered(a["time_slots"], "time_slots"),
        audience_stages=_ordered(a["audience_stages"], "audience_stages"),
        audience_titles=_ordered(a["audience_titles"], "audience_titles"),
        delivery_other=a["delivery_other"] if DELIVERY_OTHER in a["delivery_modes"] else "",
        audience_other=a["audience_other"] if TITLE_OTHER in a["audience_titles"] else "",
        hours=None if credit else a["hours"],
        credits=a["credits"] if credit else None,
        funding_amount=None if a["funding"] == NO_FUNDING else a["funding_amount"],
        contacts=tuple({k: r[k] for k in ("name", "phone", "email")} for r in a["contacts"]),
        sessions=tuple(sorted((_session(s) for s in a["sessions"]),
                              key=lambda s: (s.date, s.start))),
    )
    return fields


def kept_fields(values: dict, course=None) -> dict:
    """Keywords for ``Course.update`` when a draft is kept as it is (暫存草稿): the items that
    parsed, over what the course has stored (or a new course's empty values). The checks wait
    for 送出審核 (courses/service.py problems)."""
    stored = course.fields() if course is not None else dict(FIELDS)
    base = {name: list(value) if isinstance(value, tuple) else value
            for name, value in stored.items()}
    base.update(lecturers=[dict(r) for r in stored["lecturers"]],
                contacts=[dict(r) for r in stored["contacts"]],
                sessions=[{"date": s.date, "start": s.start, "end": s.end, "venue": s.venue}
                          for s in stored["sessions"]])
    return to_fields({**base, **{name: value for name, value in values.items()
                                 if value is not colander.null}})


def from_course(course=None) -> dict:
    """The form's appstruct for a course (or, without one, for a new course's defaults)."""
    fields = course.fields() if course is not None else dict(FIELDS)
    values = {name: colander.null if value is None else value for name, value in fields.items()}
    values.update(
        tags=list(fields["tags"]),
        lecturers=[dict(r) for r in fields["lecturers"]],
        contacts=[dict(r) for r in fields["contacts"]],
        sessions=[{"date": s.date, "start": s.start, "end": s.end, "venue": s.venue}
                  for s in fields["sessions"]],
        hours=fields["hours"] or colander.null,       # 0 is "not entered yet"
    )
    return values
