"""Colander schema of 新增研習單位 (accounts/unit_application.py): the unit, with the facts
002 Art. 11 decides its centre by, and its first 總負責人's application."""
import colander
import deform
from pyramid.traversal import find_root

from .. import reference, vocabularies
from ..accounts.organisers import find_organiser
from ..forms import CSRFSchema
from .accounts import (check_passwords, choices, confirm_node, email_node, length, login_node,
                       new_password_node, text)


def _pick(title, vocabulary: dict, description=None, required=False):
    return colander.SchemaNode(
        colander.String(), title=title, description=description,
        missing=colander.required if required else None,
        widget=deform.widget.SelectWidget(values=choices(vocabulary, blank="（不適用）"
                                                         if not required else "請選擇")),
        validator=colander.OneOf(list(vocabulary)))


@colander.deferred
def new_unit_code_validator(node, kw):
    root = find_root(kw["context"])

    def validate(node, value):
        if not (value.isascii() and value.isalnum() and 4 <= len(value) <= 10):
            raise colander.Invalid(node, "單位代碼為 4 至 10 位英數字（學校請填教育部學校代碼）。")
        if find_organiser(root, value) is not None:
            raise colander.Invalid(node, "此單位代碼已在本網；請以「業務帳號申請」申請該單位的帳號。")
    return validate


class UnitApplicationSchema(CSRFSchema):
    unit_code = colander.SchemaNode(colander.String(), title="單位代碼",
                                    preparer=lambda v: v.strip() if isinstance(v, str) else v,
                                    validator=new_unit_code_validator)
    unit_name = text("單位名稱", validator=length(2, 100))
    kind = _pick("單位類別", reference.vocabulary("organiser_kinds"), required=True)
    county = colander.SchemaNode(
        colander.String(), title="所在縣市",
        widget=deform.widget.SelectWidget(values=[("", "請選擇")] + [
            (c, c) for c in vocabularies.counties()]),
        validator=colander.OneOf(vocabularies.counties()))
    ownership = _pick("設立別", reference.vocabulary("ownerships"),
                      "學校必填：國立、私立或直轄市／縣（市）立（第 11 條第 2、4 款）。")
    stage = _pick("最高教育階段", reference.vocabulary("school_stages"), "學校必填。")
    school_type = _pick("學校類別", reference.vocabulary("school_types"),
                        "學校必填：決定教師的「參加對象教育階段別」。")
    authority = _pick("所屬主管機關（教師研習中心）", reference.vocabulary("authorities"),
                      "教師研習中心填寫（第 11 條第 3 款）。")
    accreditation = _pick("認可方式（社教機構或法人）", reference.vocabulary("accreditations"),
                          "社教機構或法人填寫（第 11 條第 5 款）。")
    address = text("單位地址", autocomplete="street-address", validator=length(2, 200))
    unit_phone = text("單位電話", autocomplete="tel", validator=length(6, 40))
    unit_email = email_node("單位電子郵件信箱")
    login = login_node()
    password = new_password_node()
    password_confirm = confirm_node()
    name = text("總負責人姓名", autocomplete="name", validator=length(1, 50))
    email = email_node("總負責人電子郵件信箱")
    phone = text("總負責人聯絡電話", autocomplete="tel", validator=length(6, 40))

    def validator(self, form, value):
        check_passwords(form, value)
        if value["kind"] == "k12_school":
            missing = [n for n in ("ownership", "stage", "school_type") if not value.get(n)]
            if missing:
                error = colander.Invalid(form)
                for name in missing:
                    error[name] = f"學校請選擇「{form[name].title}」。"
                raise error


def unit_fields(value: dict) -> dict:
    """register_organiser's arguments from a validated appstruct."""
    return {"code": value["unit_code"], "name": value["unit_name"], "kind": value["kind"],
            "county": value["county"], "ownership": value["ownership"],
            "stage": value["stage"], "school_type": value["school_type"],
            "authority": value["authority"], "accreditation": value["accreditation"],
            "address": value["address"], "phone": value["unit_phone"],
            "email": value["unit_email"]}


def applicant_fields(value: dict) -> dict:
    return {name: value[name] for name in ("login", "password", "name", "email", "phone")}
