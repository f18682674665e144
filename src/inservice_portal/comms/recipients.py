"""Who is mailed for a unit: its own address and its staff's, each once."""
from pyramid.traversal import find_root


def of_unit(unit, roles=None, digest: bool = False) -> list[str]:
    """The unit's e-mail and its active staff's (總負責人、聯絡人、作業人員 of an organiser).
    With ``roles``: only staff holding one of them (a centre's reviewers), not the unit's own
    address. With ``digest``: only staff who kept the daily digests on."""
    people = find_root(unit)["people"]
    addresses = [unit.email] if getattr(unit, "email", "") and roles is None else []
    for login, held in unit.__local_roles__.items():
        if roles is not None and not set(held) & set(roles):
            continue
        account = people.get(login)
        if account is None or not account.active or not account.email:
            continue
        if digest and not wants_digests(account):
            continue
        addresses.append(account.email)
    return list(dict.fromkeys(addresses))


def wants_digests(account) -> bool:
    """Staff may turn the daily digests off; the notices of a step (a return) always go."""
    return getattr(account, "digests", True)
