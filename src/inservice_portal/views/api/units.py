"""POST /api/v1/units: 新增研習單位 over the API (accounts/unit_application.py), the page's
twin (views/unit_application.py): the form's fields by name; 201 with the centre Art. 11
gives the unit."""
import colander
from pyramid.view import view_config

from ... import permissions, throttle
from ...accounts import unit_application
from ...bootstrap import root_factory
from ...schemas.units import UnitApplicationSchema, applicant_fields, unit_fields
from . import PREFIX, json_object
from .errors import ApiError

ROUTE = "api.units"


def includeme(config):
    config.add_route(ROUTE, PREFIX + "/units", factory=root_factory)


# No CSRF: an anonymous application uses no credential of the caller's (as API log-in).
@view_config(route_name=ROUTE, request_method="POST", renderer="json",
             permission=permissions.VIEW, require_csrf=False)
def apply_over_api(context, request):
    throttle.of(request).take("signup.client", throttle.client(request))
    schema = UnitApplicationSchema().bind(request=request, context=context)
    try:
        value = schema.deserialize(json_object(request))
    except colander.Invalid as error:
        raise ApiError(422, "invalid_unit", "單位申請資料未通過檢查，請依各欄位的說明修正。",
                       error.asdict()) from None
    unit, account = unit_application.apply_unit(request, context, unit_fields(value),
                                                applicant_fields(value))
    request.response.status_int = 201
    return {"code": unit.code, "state": unit.state, "centre": unit.__parent__.code,
            "clause": unit.jurisdiction, "principal": account.login}
