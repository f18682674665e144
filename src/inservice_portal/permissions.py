"""Permissions from the function–permission matrix (001 肆, 000 附件二 §六), kept as data.

A permission is the code of one function of the matrix (``course.review``, ``unit.accounts`` …).
What a role may do depends on the kind of unit it is held on: the unit's column of the matrix,
narrowed by what the role's staff type allows (001 參四(三)4).
"""
from functools import cache

from pyramid.authorization import Allow, Authenticated, Deny, Everyone

from .reference import load

ON = "◎"

# Permissions outside the matrix.
VIEW = "view"                  # read a public page or object
AUTHENTICATED = "account"      # any logged-in account: 我的帳號, token management
# Browsing the audit log (稽核紀錄): the ministry sees every entry, a centre its own units'.
AUDIT = "audit.browse"
AUDIT_ROLES = ("ministry_admin", "national_centre", "centre_reviewer")
# 專案屬性標籤 (item 3-2) are the ministry's list, kept by its own account; and only the
# ministry moves a unit from one reviewing centre to another (accounts/unit_move.py).
PROJECT_TAGS = "project_tags.manage"
UNIT_MOVE = "unit.move"
SCHOOL_DIRECTORY = "school_directory.import"        # the school code list (school_directory.py)
# 待辦事項 across centres (todo/): the ministry's account, and the national centre (001 參二(二):
# it approves the centres' accounts and 彙整縣市教師進修檔案, a single window over every centre).
NATIONAL_OVERVIEW = "national.overview"
# 傳報平臺管理: registering partner systems and their credentials (resources/exchange.py).
EXCHANGE_MANAGE = "exchange.manage"
# The default permission of a view that names none: granted to nobody, so a view that forgets
# its permission is closed rather than open (deny by default).
NOBODY = "no-permission-declared"


def matrix() -> dict:
    return load("permission_matrix")


@cache
def functions() -> dict[str, dict]:
    """Every function code → its row (label, group, table) in matrix order."""
    rows = {}
    for table_name, table in matrix()["tables"].items():
        for code, row in table["rows"].items():
            rows[code] = dict(row, table=table_name)
    return rows


@cache
def unit_functions(unit_kind: str) -> frozenset[str]:
    """The functions a unit of this kind has: its column's ◎ cells in each table."""
    columns = matrix()["unit_kinds"][unit_kind]
    granted = set()
    for table_name, table in matrix()["tables"].items():
        index = table["columns"].index(columns[table_name])
        granted.update(code for code, row in table["rows"].items() if row["cells"][index] == ON)
    return frozenset(granted)


def _role_allows(role: dict, code: str) -> bool:
    allowed = role["functions"]
    if allowed != "all" and code not in allowed:
        return False
    return code not in role.get("except", ())


@cache
def role_permissions(role_name: str, unit_kind: str) -> frozenset[str]:
    """What ``role_name`` held on a unit of ``unit_kind`` may do there."""
    role = matrix()["roles"][role_name]
    return frozenset(c for c in unit_functions(unit_kind) if _role_allows(role, c))


@cache
def roles_held_on(unit_kind: str) -> tuple[str, ...]:
    organisers = set(matrix()["unit_kinds"]) - {
        "ministry", "national_centre", "k12ea", "county_bureau", "curriculum_circle"}
    names = []
    for name, role in matrix()["roles"].items():
        held = role["held_on"]
        if unit_kind in (organisers if held == "organisers" else held):
            names.append(name)
    return tuple(names)


def role_principal(role_name: str) -> str:
    return f"role:{role_name}"


@cache
def unit_acl(unit_kind: str, is_root: bool = False) -> tuple:
    """The ACL of a unit: its roles' allowances, then (below the root) a deny of the
    unit-scoped functions so that roles held higher up do not act as this unit."""
    acl = []
    for role in roles_held_on(unit_kind):
        perms = sorted(role_permissions(role, unit_kind))
        if perms:
            acl.append((Allow, role_principal(role), perms))
    acl += [(Allow, role_principal(role), [AUDIT])
            for role in AUDIT_ROLES if role in roles_held_on(unit_kind)]
    if unit_kind == "ministry":
        acl.append((Allow, role_principal("ministry_admin"),
                    [PROJECT_TAGS, UNIT_MOVE, SCHOOL_DIRECTORY, NATIONAL_OVERVIEW]))
    if unit_kind == "national_centre":
        acl.append((Allow, role_principal("national_centre"), [NATIONAL_OVERVIEW]))
    if is_root:
        acl.append((Allow, Everyone, VIEW))
        acl.append((Allow, Authenticated, AUTHENTICATED))
    else:
        acl.append((Deny, Everyone, list(matrix()["unit_scoped"])))
    return tuple(acl)
