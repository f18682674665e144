"""移轉研習單位 (accounts/unit_move.py): the ministry moves a unit to another reviewing centre,
with a reason; the page says where it stands now."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.traversal import find_root
from pyramid.view import view_config

from .. import permissions
from ..accounts import unit_move
from ..resources.interfaces import IOrganiser

PAGE = "inservice_portal:templates/units/move.pt"


@view_config(context=IOrganiser, name="move", permission=permissions.UNIT_MOVE,
             request_method="GET", renderer=PAGE)
def move_form(context, request, problem=None):
    centres = [(c.code, c.title) for c in find_root(context)["centres"].values()
               if c.code != context.__parent__.code]
    return {"page_title": f"移轉研習單位：{context.title}", "centres": centres,
            "problem": problem, "csrf_token": request.session.get_csrf_token()}


@view_config(context=IOrganiser, name="move", permission=permissions.UNIT_MOVE,
             request_method="POST", renderer=PAGE)
def move(context, request):
    try:
        unit = unit_move.move_unit(request, find_root(context), context.code,
                                   request.POST.get("centre", ""), request.POST.get("reason", ""))
    except unit_move.MoveRefused as refused:
        request.response.status = 400
        return move_form(context, request, problem=str(refused))
    request.session.flash(f"已將「{unit.title}」移轉至{unit.__parent__.title}。")
    return HTTPSeeOther(request.resource_url(unit))
