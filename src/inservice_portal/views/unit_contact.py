"""修改本單位通訊資料: a unit's address, phone and e-mail (001 肆, 機關資料)."""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..forms import CSRFSchema, FormView
from ..resources.events import ObjectModified, notify
from ..resources.interfaces import IOrganiser, IRegionCentre
from ..schemas.accounts import length, text
from .signup import FORM_PAGE

FIELDS = ("address", "phone", "email")


class ContactSchema(CSRFSchema):
    address = text("地址", autocomplete="street-address", validator=length(1, 200))
    phone = text("電話", autocomplete="tel", validator=length(6, 40))
    email = colander.SchemaNode(
        colander.String(), title="電子郵件信箱",
        validator=colander.Email(msg="電子郵件信箱格式不正確。"),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "email", "type": "email"}))


@view_config(context=IOrganiser, name="contact", permission="unit.edit_contact",
             renderer=FORM_PAGE)
@view_config(context=IRegionCentre, name="contact", permission="unit.edit_contact",
             renderer=FORM_PAGE)
class EditContact(FormView):
    schema = ContactSchema
    buttons = (deform.Button("save", "儲存通訊資料"),)
    formid = "contact-form"
    page_title = "修改本單位通訊資料"

    def __call__(self):
        result = super().__call__()
        if isinstance(result, dict):
            result["intro"] = self.context.title
        return result

    def appstruct(self):
        return {name: getattr(self.context, name, "") or "" for name in FIELDS}

    def save_success(self, appstruct):
        for name in FIELDS:
            setattr(self.context, name, appstruct[name].strip())
        notify(ObjectModified(self.context), self.request.registry)
        self.request.session.flash("本單位通訊資料已儲存。")
        return HTTPSeeOther(self.request.resource_url(self.context, "contact"))
