"""The form of 傳報單位 registration (資訊傳報平臺管理)."""
import colander
import deform

from .. import vocabularies
from ..exchange.callbacks import allowed
from ..exchange.partners import MODES, RESERVED
from ..forms import CSRFSchema
from .accounts import length, select, text


@colander.deferred
def free_code(node, kw):
    platform = kw["context"]

    def check(node, value):
        if value in platform:
            raise colander.Invalid(node, f"代號「{value}」已有傳報單位使用。")
        if value in RESERVED:
            raise colander.Invalid(node, f"代號「{value}」為本網保留字，請改用其他代號。")
    return colander.All(colander.Regex(r"^[a-z][a-z0-9-]{1,31}$",
                                       "代號為 2 至 32 個小寫英文字母、數字或連字號，以字母開頭。"),
                        check)


class PartnerSchema(CSRFSchema):
    code = text("傳報單位代號", description="用作 OAuth 2 的 client_id，例如 tpe-city。",
                validator=free_code)
    title = text("傳報單位名稱", validator=length(2, 60))
    mode = select("傳報模式", MODES)
    counties = colander.SchemaNode(
        colander.Set(), title="可傳報的縣市", missing=(),
        description="只能傳報這些縣市學校教師的紀錄；不勾選表示全國（如全國性平臺）。",
        validator=colander.ContainsOnly(vocabularies.counties()),
        widget=deform.widget.CheckboxChoiceWidget(
            values=[(c, c) for c in vocabularies.counties()], inline=True))
    callback_url = colander.SchemaNode(
        colander.String(), title="完成通知網址（選填）", missing="",
        description="背景匯入完成時，本網以 POST 通知此網址（須為 https）。",
        validator=colander.Function(
            lambda value: not value or allowed(value), "須為 https:// 開頭的網址。"),
        widget=deform.widget.TextInputWidget(attributes={"type": "url", "inputmode": "url"}))
    retrieves = colander.SchemaNode(
        colander.Boolean(), title="可回撈所屬縣市教師的研習紀錄（records:read）", missing=False,
        widget=deform.widget.CheckboxWidget())
    syncs_teachers = colander.SchemaNode(
        colander.Boolean(), title="每日同步所屬縣市教師的服務學校與職稱（teachers:write）",
        missing=False, widget=deform.widget.CheckboxWidget())
    contact_name = text("傳報承辦人", autocomplete="name", validator=length(2, 40))
    contact_email = colander.SchemaNode(
        colander.String(), title="承辦人電子郵件信箱",
        validator=colander.Email(msg="電子郵件信箱格式不正確。"),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "email", "type": "email"}))
    contact_phone = text("承辦人電話", autocomplete="tel", validator=length(6, 40))


class PartnerEditSchema(PartnerSchema):
    """The same, for a partner registered: its code (the client id) stays."""
    active = colander.SchemaNode(
        colander.Boolean(), title="啟用（停用後不能取得權杖，已發出的權杖也失效）", missing=False,
        widget=deform.widget.CheckboxWidget())

    def after_bind(self, node, kw):
        del self["code"]
