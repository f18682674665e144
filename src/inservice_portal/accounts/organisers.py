"""Registering an organiser under the centre that reviews it (002 Art. 11).

The tree is the jurisdiction: an organiser lives under the region centre whose reviewers
confirm its courses and rosters, so ACLs inherited down the tree give exactly that centre —
and no other — the review. ``rules.jurisdiction`` decides the centre.
"""
from ..reference import centres
from ..resources.organiser import Organiser
from ..rules.jurisdiction import OrganiserFacts, reviewing_centre


class DuplicateOrganiser(ValueError):
    pass


def county_centres() -> dict[str, str]:
    return {c["county"]: c["code"] for c in centres() if c["county"]}


def find_organiser(root, code: str):
    """The organiser with this unit code under any centre (25 BTree look-ups), or None."""
    for centre in root["centres"].values():
        if code in centre:
            return centre[code]
    return None


FACTS = ("ownership", "stage", "authority", "school_type", "accreditation")


def register_organiser(root, code: str, name: str, kind: str, county: str | None = None,
                       state: str = "active", **fields) -> Organiser:
    """A new organiser under the centre Art. 11 names; ``fields``: the facts it decides by
    (FACTS) and the contact (address, phone, email)."""
    if find_organiser(root, code) is not None:
        raise DuplicateOrganiser(f"單位代碼 {code} 已存在")
    facts = {name: fields.pop(name, None) for name in FACTS}
    centre_code, clause = reviewing_centre(OrganiserFacts(kind, county=county, **facts),
                                           county_centres())
    organiser = Organiser(code, name, kind, county=county, **fields)
    for attribute, value in facts.items():
        setattr(organiser, attribute, value)
    organiser.state = state
    organiser.jurisdiction = clause          # shown to staff: why this centre reviews us
    return root["centres"][centre_code].add(code, organiser)
