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


def register_organiser(root, code: str, name: str, kind: str, county: str | None = None,
                       ownership: str | None = None, stage: str | None = None,
                       authority: str | None = None, **contact) -> Organiser:
    if find_organiser(root, code) is not None:
        raise DuplicateOrganiser(f"單位代碼 {code} 已存在")
    facts = OrganiserFacts(kind, county=county, ownership=ownership, stage=stage,
                           authority=authority)
    centre_code, clause = reviewing_centre(facts, county_centres())
    organiser = Organiser(code, name, kind, county=county, **contact)
    organiser.ownership, organiser.stage, organiser.authority = ownership, stage, authority
    organiser.jurisdiction = clause          # shown to staff: why this centre reviews us
    return root["centres"][centre_code].add(code, organiser)
