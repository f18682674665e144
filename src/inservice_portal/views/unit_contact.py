"""修改本單位通訊資料: a unit's address, phone and e-mail (001 肆, 機關資料); a school's kind
too, which decides its teachers' audience category (000 附件十 item 14)."""
import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import reference
from ..forms import CSRFSchema, FormView
from ..resources.events import ObjectModified, notify
from ..resources.interfaces import IOrganiser, IRegionCentre
from ..schemas.accounts import length, select, text
from .signup import FORM_PAGE

FIELDS = ("address", "phone", "email")


class ContactSchema(CSRFSchema):
    address = text("地址", autocomplete="street-address", validator=length(1, 200))
    phone = text("電話", autocomplete="tel", validator=length(6, 40))
    email = colander.SchemaNode(
        colander.String(), title="電子郵件信箱",
        validator=colander.Email(msg="電子郵件信箱格式不正確。"),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "email", "type": "email"}))


class SchoolContactSchema(ContactSchema):
    school_type = select("學校類別", reference.vocabulary("school_types"),
                         description="決定本校教師符合哪一類「參加對象教育階段別」（第 14 項）。")


@view_config(context=IOrganiser, name="contact", permission="unit.edit_contact",
             renderer=FORM_PAGE)
@view_config(context=IRegionCentre, name="contact", permission="unit.edit_contact",
             renderer=FORM_PAGE)
class EditContact(FormView):
    buttons = (deform.Button("save", "儲存通訊資料"),)
    formid = "contact-form"
    page_title = "修改本單位通訊資料"

    @property
    def schema(self):
        return SchoolContactSchema if self.is_school() else ContactSchema

    def is_school(self):
        return getattr(self.context, "kind", None) == "k12_school"

    def fields(self):
        return FIELDS + (("school_type",) if self.is_school() else ())

    def __call__(self):
        result = super().__call__()
        if isinstance(result, dict):
            result["intro"] = self.context.title
        return result

    def appstruct(self):
        return {name: getattr(self.context, name, "") or "" for name in self.fields()}

    def save_success(self, appstruct):
        for name in self.fields():
            setattr(self.context, name, appstruct[name].strip())
        notify(ObjectModified(self.context), self.request.registry)
        self.request.session.flash("本單位通訊資料已儲存。")
        return HTTPSeeOther(self.request.resource_url(self.context, "contact"))
