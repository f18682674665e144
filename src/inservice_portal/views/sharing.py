"""資源分享區 pages (000 附件二 §六: 研習教學檔案分享 / 講師推薦 / 研習場所登錄).

Browsing (``/sharing``, ``/sharing/<kind>``) and item pages are public for shared items. A unit's
staff share from their unit (``<unit>/@@share-handout`` …, permission: the kind's function of
the matrix) and see their unit's items and counts on ``<unit>/@@sharing``; the owner unit edits
(``@@edit``, a handout's files on ``@@files``); the centre moderates on
``<centre>/@@sharing-moderation`` and on the item page. Every state change goes through
workflows/sharing.transition (``@@transition``, POST).
"""
import colander
import deform
from hypatia.text.parsetree import ParseError
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.traversal import find_root, resource_path
from pyramid.view import view_config

from ..courses import attachments as attachment_rules
from .. import clock, permissions, vocabularies
from ..sharing import service as sharing
from ..courses import taxonomy
from ..forms import FormView
from ..resources.interfaces import (IRegionCentre, ISharedItem, ISharingArea, ISharingKind,
                                    IUnit)
from ..resources.sharing import KINDS
from ..resources.units import unit_at
from ..schemas.sharing import SCHEMAS, from_item, to_fields
from ..workflows import api as workflow_api
from ..workflows import sharing as workflow
from .course_form import error_items

TPL = "inservice_portal:templates/sharing/"
PER_PAGE = 20
ADD_VIEWS = {f"share-{kind}": kind for kind in KINDS}


# -- labels --------------------------------------------------------------------------------------
def kind_titles() -> dict[str, str]:
    return {kind: KINDS[kind].kind_title for kind in sharing.KIND_ORDER}


def item_rows(item, request) -> list[tuple[str, object]]:
    """(label, value) of the item page; a list value is shown one per line."""
    stages, scopes = vocabularies.stages(), vocabularies.scope_labels()
    rows = []
    if item.content_type == "handout":
        licence = sharing.licences().get(item.licence, {"label": item.licence})
        rows += [("內容說明", item.description),
                 ("教育階段", stages.get(item.stage, "")),
                 ("進修範疇", scopes.get(item.scope, "")),
                 ("課程細項", (f"{item.sub_item} {taxonomy.label_of(item.stage, item.sub_item) or ''}"
                           if item.sub_item else "")),
                 ("授權方式", licence["label"])]
    elif item.content_type == "lecturer":
        rows += [("服務單位與職稱", item.affiliation),
                 ("專長之教育階段", [stages.get(s, s) for s in item.expertise_stages]),
                 ("專長之進修範疇", [scopes.get(s, s) for s in item.expertise_scopes]),
                 ("專長與授課主題", item.expertise),
                 ("推薦說明", item.description)]
        if item.consent and request.has_permission(workflow.CONTACT, item):
            rows.append(("聯絡資料（講師同意提供，僅供業務帳號參考）",
                         [v for v in (item.phone and f"電話 {item.phone}",
                                      item.email and f"電子郵件 {item.email}") if v]))
    else:
        facilities = sharing.facilities()
        rows += [("地址", item.address), ("縣市", item.county or ""),
                 ("可容納人數", f"{item.capacity} 人" if item.capacity else ""),
                 ("場地設施", [facilities.get(f, f) for f in item.facilities]),
                 ("場地說明", item.description)]
    rows.append(("標籤", "、".join(item.tags)))
    rows.append(("推薦單位" if item.content_type == "lecturer" else "分享單位", item.owner_title))
    return rows


def history_rows(item) -> list[dict]:
    people = find_root(item)["people"]
    rows = []
    for entry in item.history or ():
        person = people.get(entry["by"])
        rows.append({"at": entry["at"],
                     "by": f"{person.name}（{entry['by']}）" if person is not None else entry["by"],
                     "action": workflow.TITLES.get(entry["transition"], entry["transition"]),
                     "to": workflow.STATES.get(entry["to"], entry["to"]),
                     "comment": entry.get("comment") or ""})
    return rows


def files_of(item, request) -> list[dict]:
    return [{"filename": a.filename, "size": attachment_rules.human_size(a.size),
             "url": request.resource_url(item, "@@download", name)}
            for name, a in getattr(item, "attachments", {}).items()]


# -- browsing ------------------------------------------------------------------------------------
def filters_from(request, kind=None) -> dict:
    params = request.GET
    chosen = {
        "kind": kind or (params.get("kind") if params.get("kind") in KINDS else ""),
        "q": params.get("q", "").strip()[:100],
        "stage": params.get("stage") if params.get("stage") in taxonomy.stages() else "",
        "scope": params.get("scope") if params.get("scope") in vocabularies.scope_labels() else "",
        "county": params.get("county") if params.get("county") in vocabularies.counties() else "",
        "tag": params.get("tag", "").strip()[:50],
    }
    return chosen


def page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@view_config(context=ISharingArea, permission=permissions.VIEW, request_method="GET",
             renderer=TPL + "browse.pt")
@view_config(context=ISharingKind, permission=permissions.VIEW, request_method="GET",
             renderer=TPL + "browse.pt")
def browse(context, request):
    kind = getattr(context, "kind", None)
    chosen = filters_from(request, kind)
    root = find_root(context)
    page = page_number(request)
    error = None
    start = (page - 1) * PER_PAGE
    try:
        results = sharing.browse(root, kinds=(chosen["kind"],) if chosen["kind"]
                                 else sharing.KIND_ORDER,
                                 **{k: v for k, v in chosen.items() if k != "kind"})
        total = len(results)
        items = sharing.newest_first(root, results, limit=start + PER_PAGE)[start:]
    except ParseError:
        error, items, total = "查詢字詞的格式無法辨識，請改用一般文字查詢。", [], 0
    return {
        "page_title": context.title,
        "kind": kind, "chosen": chosen, "items": items,
        "total": total, "page": page, "pages": max(1, -(-total // PER_PAGE)), "error": error,
        "kinds": kind_titles(), "stages": vocabularies.stages(), "scopes": vocabularies.scope_labels(),
        "counties": vocabularies.counties(), "area_url": request.resource_url(root["sharing"]),
        "summary": lambda item: summary(item),
    }


def summary(item) -> str:
    """One line under an item's title in a list."""
    if item.content_type == "handout":
        return "｜".join(filter(None, (vocabularies.stages().get(item.stage, ""),
                                       vocabularies.scope_labels().get(item.scope, ""), item.owner_title)))
    if item.content_type == "lecturer":
        return "｜".join(filter(None, (item.affiliation, f"推薦單位：{item.owner_title}")))
    return "｜".join(filter(None, (item.county, item.address,
                                   f"可容納 {item.capacity} 人" if item.capacity else "")))


# -- the item page -------------------------------------------------------------------------------
@view_config(context=ISharedItem, permission=permissions.VIEW, request_method="GET",
             renderer=TPL + "item.pt")
def item_page(context, request):
    def may(permission):
        return bool(request.has_permission(permission, context))

    insider = may(workflow.HISTORY)
    return {
        "page_title": context.title,
        "kind_title": context.kind_title,
        "state": workflow.STATES.get(context.state, context.state),
        "rows": item_rows(context, request),
        "files": files_of(context, request),
        "is_handout": context.content_type == "handout",
        "licence_url": sharing.licences().get(getattr(context, "licence", None), {}).get("url"),
        "courses": sharing.related_courses(context, request),
        "history": history_rows(context) if insider else None,
        "taken_down": workflow.last_take_down(context) if insider else None,
        "transitions": workflow_api.allowed(context, request),
        "can_edit": may(workflow.EDIT),
        "csrf_token": request.session.get_csrf_token(),
    }


@view_config(context=ISharedItem, name="transition", permission=permissions.VIEW,
             request_method="POST")
def take_transition(context, request):
    name = request.POST.get("transition", "")
    try:
        workflow.transition(context, request, name, comment=request.POST.get("comment", ""))
    except workflow_api.TransitionForbidden:
        raise HTTPForbidden()
    except workflow_api.TransitionNotAllowed as refused:
        request.session.flash(str(refused))
        return HTTPSeeOther(request.resource_url(context))
    request.session.flash(f"已{workflow.TITLES.get(name, name)}：{context.title}")
    came_from = request.POST.get("came_from", "")
    if came_from == "moderation" and request.has_permission("course.review", _centre_of(context)):
        return HTTPSeeOther(request.resource_url(_centre_of(context), "@@sharing-moderation"))
    return HTTPSeeOther(request.resource_url(context))


def _centre_of(item):
    code = item.owner_centre
    return find_root(item)["centres"].get(code) if code else None


# -- forms ---------------------------------------------------------------------------------------
class ItemForm(FormView):
    buttons = (deform.Button("save", "儲存"),)
    formid = "sharing-form"

    def kind(self) -> str:
        raise NotImplementedError

    @property
    def schema(self):
        return SCHEMAS[self.kind()]

    def make_form(self):
        schema = self.schema().bind(request=self.request, context=self.context,
                                    adding=self.adding)
        return deform.Form(schema, buttons=self.buttons, formid=self.formid,
                           action=self.request.path_qs)      # (forms.FormView says why)

    def show(self, form, appstruct=None):
        values = dict(appstruct or {}, csrf_token=self.request.session.get_csrf_token())
        return self.page(form.render(values))

    def failure(self, failure):
        self.request.response.status = 400
        return self.page(failure.render(), errors=error_items(failure.field))

    def page(self, html, errors=()):
        return {"page_title": self.page_title(), "form": html, "cancel_url": self.cancel_url(),
                "kind_title": KINDS[self.kind()].kind_title}

    def store_file(self, item, appstruct):
        checked = appstruct.get("file")
        if checked not in (None, colander.null) and hasattr(item, "attachments"):
            attachment_rules.store(item, checked, self.request.account.login, clock.now())


@view_config(context=IUnit, name="share-handout", permission="sharing.handouts",
             renderer=TPL + "form.pt")
@view_config(context=IUnit, name="share-lecturer", permission="sharing.lecturers",
             renderer=TPL + "form.pt")
@view_config(context=IUnit, name="share-venue", permission="sharing.venues",
             renderer=TPL + "form.pt")
class AddItem(ItemForm):
    adding = True

    def kind(self):
        return ADD_VIEWS[self.request.view_name]

    def page_title(self):
        return f"新增{KINDS[self.kind()].kind_title}：{self.context.title}"

    def cancel_url(self):
        return self.request.resource_url(self.context, "@@sharing")

    def save_success(self, appstruct):
        kind = self.kind()
        item = sharing.add_item(find_root(self.context), kind, self.context,
                                self.request.account.login, self.request.registry,
                                **to_fields(kind, appstruct))
        self.store_file(item, appstruct)
        sharing.modified(item, self.request.registry)     # file names are searchable
        self.request.session.flash(f"已新增「{item.title}」（尚未分享）。確認內容後請按「分享」。")
        return HTTPSeeOther(self.request.resource_url(item))


@view_config(context=ISharedItem, name="edit", permission=workflow.EDIT, renderer=TPL + "form.pt")
class EditItem(ItemForm):
    adding = False

    def kind(self):
        return self.context.content_type

    def page_title(self):
        return f"修改{self.context.kind_title}：{self.context.title}"

    def cancel_url(self):
        return self.request.resource_url(self.context)

    def appstruct(self):
        return from_item(self.context)

    def save_success(self, appstruct):
        self.context.update(**to_fields(self.kind(), appstruct))
        self.store_file(self.context, appstruct)
        sharing.modified(self.context, self.request.registry)
        self.request.session.flash("已儲存修改。")
        return HTTPSeeOther(self.request.resource_url(self.context))


# -- a unit's items and a centre's moderation ----------------------------------------------------
def count_rows(table: dict, units) -> list[dict]:
    rows = []
    for unit in units:
        kinds = table.get(resource_path(unit), {})
        rows.append({"unit": unit, "counts": {
            kind: {"shared": kinds.get(kind, {}).get("shared", 0),
                   "all": sum(kinds.get(kind, {}).values())} for kind in sharing.KIND_ORDER}})
    return rows


@view_config(context=IUnit, name="sharing", permission="sharing.handouts",
             renderer=TPL + "unit.pt", request_method="GET")
def unit_sharing(context, request):
    root = find_root(context)
    path = resource_path(context)
    items = sharing.newest_first(root, sharing.browse(root, states=tuple(workflow.STATES),
                                                      owner=path))
    return {
        "page_title": f"資源分享區（本單位）：{context.title}",
        "items": items, "states": workflow.STATES, "kinds": kind_titles(),
        "counts": count_rows(sharing.tally(items), [context])[0]["counts"],   # (all states)
        "add_links": [(request.resource_url(context, f"@@share-{kind}"), title)
                      for kind, title in kind_titles().items()
                      if request.has_permission(KINDS[kind].function, context)],
    }


@view_config(context=IRegionCentre, name="sharing-moderation", permission="course.review",
             renderer=TPL + "moderation.pt", request_method="GET")
def moderation(context, request):
    root = find_root(context)
    table = sharing.counts(root, centre=context.code)
    units = [u for u in (unit_at(root, p) for p in sorted(table)) if u is not None]
    shared = sharing.newest_first(root, sharing.browse(root, centre=context.code,
                                                       states=("shared", "taken_down")))
    return {
        "page_title": f"資源分享區管理：{context.title}",
        "rows": count_rows(table, units), "kinds": kind_titles(), "items": shared,
        # units of the centre that have shared nothing (the centre itself is not among them)
        "silent": len(context) - len([u for u in units if u.__parent__ is context]),
        "states": workflow.STATES, "csrf_token": request.session.get_csrf_token(),
    }
