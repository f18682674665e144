"""問答集 and 意見交流: the public FAQ and its upkeep by the national centre; the question
form, the sender's page (by the signed link), and a centre's list where it answers
(comms/faq.py, comms/contact.py)."""
import colander
import deform
from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from .. import permissions
from ..comms import contact, faq
from ..forms import CSRFSchema, FormView
from ..resources.faq import FAQ_MANAGE
from ..resources.interfaces import IFaq, IMinistry, IRegionCentre
from ..schemas.accounts import choices, email_node, length
from ..workflows.ticket import STATES
from .signup import FORM_PAGE

TPL = "inservice_portal:templates/comms/"


def _text(title, high, rows=None, **kw):
    widget = deform.widget.TextAreaWidget(rows=rows) if rows else None
    return colander.SchemaNode(colander.String(), title=title, validator=length(1, high),
                               **({"widget": widget} if widget else {}), **kw)


# -- 問答集 ----------------------------------------------------------------------------------

@view_config(context=IFaq, permission=permissions.VIEW, request_method="GET",
             renderer=TPL + "faq.pt")
def faq_page(context, request):
    return {"page_title": "問答集", "groups": faq.by_category(context),
            "may_manage": bool(request.has_permission(FAQ_MANAGE, context)),
            "csrf_token": request.session.get_csrf_token()}


class FaqSchema(CSRFSchema):
    category = colander.SchemaNode(
        colander.String(), title="分類", validator=colander.OneOf(list(faq.CATEGORIES)),
        widget=deform.widget.SelectWidget(values=choices(faq.CATEGORIES)))
    question = _text("問題", 200)
    answer = _text("回答", 4000, rows=8)
    order = colander.SchemaNode(colander.Integer(), title="排序（小者在前）", missing=0,
                                validator=colander.Range(0, 9999))


@view_config(context=IFaq, name="edit", permission=FAQ_MANAGE, renderer=FORM_PAGE)
class EditFaq(FormView):
    schema = FaqSchema
    buttons = (deform.Button("save", "儲存"),)
    formid = "faq-form"
    page_title = "編輯問答"

    def entry_id(self):
        id = self.request.params.get("id") or None
        if id is not None and id not in self.context:
            raise HTTPNotFound()
        return id

    def appstruct(self):
        id = self.entry_id()
        if id is None:
            return {}
        entry = self.context[id]
        return {"category": entry.category, "question": entry.question, "answer": entry.answer,
                "order": entry.order}

    def save_success(self, appstruct):
        fields = {k: appstruct[k] for k in ("category", "question", "answer", "order")}
        fields["question"], fields["answer"] = fields["question"].strip(), fields["answer"].strip()
        id = faq.save(self.context, fields, self.entry_id())
        self.request.session.flash("已儲存。")
        return HTTPSeeOther(self.request.resource_url(self.context, anchor=f"faq-{id}"))


@view_config(context=IFaq, name="remove", permission=FAQ_MANAGE, request_method="POST")
def remove_faq(context, request):
    if faq.remove(context, request.POST.get("id", "")):
        request.session.flash("已刪除這則問答。")
    return HTTPSeeOther(request.resource_url(context))


# -- 意見交流 --------------------------------------------------------------------------------

def centre_choices(root) -> list:
    centres = sorted(root["centres"].values(), key=lambda c: (c.kind != "national", c.code))
    return [(c.code, c.title) for c in centres]


@colander.deferred
def centre_widget(node, kw):
    return deform.widget.SelectWidget(values=[("", "請選擇")] + centre_choices(kw["request"].root))


@colander.deferred
def centre_validator(node, kw):
    return colander.OneOf([code for code, _ in centre_choices(kw["request"].root)])


class AskSchema(CSRFSchema):
    centre = colander.SchemaNode(
        colander.String(), title="寄給", widget=centre_widget, validator=centre_validator,
        description="網站操作與帳號問題請選全國推廣中心；課程審核、研習名單問題請選您的區域管理中心。")
    category = colander.SchemaNode(
        colander.String(), title="問題類別", validator=colander.OneOf(list(faq.CATEGORIES)),
        widget=deform.widget.SelectWidget(values=choices(faq.CATEGORIES)))
    name = _text("姓名", 50)
    email = email_node("電子郵件信箱（回覆寄到這裡）")
    subject = _text("主旨", 80)
    text = _text("內容", contact.MAX_TEXT, rows=8)


@view_config(context=IMinistry, name="ask", permission=permissions.VIEW, renderer=FORM_PAGE)
class Ask(FormView):
    schema = AskSchema
    buttons = (deform.Button("send", "送出"),)
    formid = "ask-form"
    page_title = "意見交流"
    intro = "請先查閱問題集；仍有疑問請留下問題，承辦人員回覆後會寄信通知您。"
    limit = "ask.client"

    def appstruct(self):
        account = self.request.account
        return {"name": account.name, "email": account.email} if account is not None else {}

    def send_success(self, appstruct):
        centre = self.request.root["centres"][appstruct["centre"]]
        fields = {k: appstruct[k].strip() for k in ("category", "subject", "name", "email", "text")}
        ticket = contact.open_ticket(self.request, centre, fields)
        return HTTPSeeOther(contact.status_url(self.request.registry, self.request.root, ticket))


def _ticket(request):
    found = contact.find(request.root, request.registry.settings, request.params.get("id"),
                         request.params.get("t"))
    if found is None:
        raise HTTPBadRequest("連結不完整或已失效，請重新開啟通知信中的連結。")
    return found


@view_config(context=IMinistry, name="ask-status", permission=permissions.VIEW,
             request_method="GET", renderer=TPL + "ticket.pt")
def ask_status(context, request):
    ticket = _ticket(request)
    return {"page_title": f"意見交流：{ticket.subject}", "ticket": ticket,
            "state": STATES[ticket.state], "centre": context["centres"][ticket.centre],
            "csrf_token": request.session.get_csrf_token()}


@view_config(context=IMinistry, name="ask-status", permission=permissions.VIEW,
             request_method="POST")
def ask_follow_up(context, request):
    ticket = _ticket(request)
    text = (request.POST.get("text") or "").strip()
    if not text or len(text) > contact.MAX_TEXT:
        request.session.flash(f"請填寫內容（{contact.MAX_TEXT} 字以內）。")
    else:
        contact.follow_up(request, ticket, text)
        request.session.flash("已送出，承辦人員回覆後會寄信通知您。")
    return HTTPSeeOther(contact.status_url(request.registry, context, ticket))


@view_config(context=IRegionCentre, name="tickets", permission="course.review",
             request_method="GET", renderer=TPL + "tickets.pt")
def tickets(context, request):
    found = contact.of_centre(request.root, context)
    return {"page_title": f"意見交流：{context.title}",
            "open": [t for t in found if t.state == "open"],
            "answered": [t for t in found if t.state == "answered"][:50],
            "categories": faq.CATEGORIES, "csrf_token": request.session.get_csrf_token()}


@view_config(context=IRegionCentre, name="tickets", permission="course.review",
             request_method="POST")
def answer(context, request):
    ticket = request.root.tickets.get(request.POST.get("id", ""))
    text = (request.POST.get("text") or "").strip()
    if ticket is None or ticket.centre != context.code:
        raise HTTPNotFound()
    if not text or len(text) > contact.MAX_TEXT:
        request.session.flash(f"請填寫回覆內容（{contact.MAX_TEXT} 字以內）。")
    else:
        try:
            contact.answer(request, context, ticket, text)
        except contact.ContactError as refused:
            request.session.flash(f"未回覆：{refused}")
        else:
            request.session.flash(f"已回覆「{ticket.subject}」，並寄信通知提問者。")
    return HTTPSeeOther(request.resource_url(context, "tickets"))
