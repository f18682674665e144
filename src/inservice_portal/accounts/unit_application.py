"""新增研習單位: a unit not yet on the portal applies with its first 總負責人.

The unit lands under the centre Art. 11 names (organisers.register_organiser), waiting
(``applied``): it is listed nowhere and nobody works for it yet. Its 總負責人's application is
filed with that centre like any other (staff.py); the centre's approval of it makes the unit
active, its rejection removes the unit again (the code is free to apply once more).
"""
from .. import audit
from ..resources.organiser import APPLIED
from . import staff
from .organisers import register_organiser


def apply_unit(request, root, unit: dict, applicant: dict):
    """The unit, waiting under its centre, and its first 總負責人's application."""
    organiser = register_organiser(root, state=APPLIED, **unit)
    account = staff.apply(request, organiser, staff_type="principal_admin", **applicant)
    audit.record("unit.apply", organiser, request=request, actor=account.login,
                 detail={"centre": organiser.__parent__.code, "clause": organiser.jurisdiction})
    return organiser, account
