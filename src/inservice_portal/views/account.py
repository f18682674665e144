"""我的帳號: who I am, my roles and my units."""
from pyramid.traversal import find_resource
from pyramid.view import view_config

from ..accounts import mfa
from .. import permissions, reference
from ..rules.national_id import mask_national_id
from ..resources.interfaces import IMinistry


def role_rows(root, account) -> list[dict]:
    """Each role the account holds, with the unit it is held on."""
    rows = []
    roles = reference.vocabulary("roles")
    for role in account.global_roles():
        rows.append({"role": roles[role], "unit": None})
    unit_path = getattr(account, "unit", None)
    if unit_path:
        unit = find_resource(root, unit_path)
        for role in unit.roles_of(account.login):
            rows.append({"role": roles[role], "unit": unit})
    return rows


@view_config(context=IMinistry, name="account", permission=permissions.AUTHENTICATED,
             renderer="inservice_portal:templates/account/me.pt", request_method="GET")
def my_account(context, request):
    account = request.account
    school = None
    if getattr(account, "school", None):
        school = find_resource(context, account.school)
    return {
        "page_title": "我的帳號",
        "account": account,
        "roles": role_rows(context, account),
        "school": school,
        "masked_id": mask_national_id(getattr(account, "national_id", "")),
        "stages": reference.vocabulary("school_stages"),
        "mfa_on": mfa.enrolled(account),
        "mfa_required": mfa.required_for(account),
        "proxy": account is not request.real_account,
    }
