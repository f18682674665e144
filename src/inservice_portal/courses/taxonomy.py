"""The course taxonomy of 000 附件十一: scopes → contents → sub-items per content stage, and the
four levels with their help text. Pure functions over ``data/taxonomy.yaml`` (see its header for
the numbering rule); no Pyramid, no ZODB.

Codes are only meaningful within a stage: ``"1-5"`` is 重要議題融入課程 for kindergarten and
特殊教育 for elementary. The selectable sub-items of a scope (course form item 6) are its leaves:
the sub-items of each content, or the content itself where the seed prints no sub-items under it
(scope 4 outside kindergarten, ``"4-1"`` …). Scope 6 has none at all.
"""
from inservice_portal import reference


def _data() -> dict:
    return reference.load("taxonomy")


def _stage(stage: str) -> dict:
    try:
        return _data()["stages"][stage]
    except (KeyError, TypeError):
        raise KeyError(f"unknown content stage: {stage!r}") from None


def _scope(stage: str, scope: str) -> dict:
    try:
        return _stage(stage)["scopes"][scope]
    except (KeyError, TypeError):
        raise KeyError(f"unknown scope {scope!r} for stage {stage!r}") from None


def stages() -> list[str]:
    """The content stages in the seed's order: kindergarten, elementary, junior_high, senior_high."""
    return list(_data()["stages"])


def scope_names() -> dict[str, str]:
    """Scope code → name, common to every stage ({"1": "課程、教學及評量", …})."""
    return dict(_data()["scopes"])


def scopes(stage: str) -> list[tuple[str, str]]:
    """(code, name) of the stage's six scopes, in order."""
    return [(code, s["name"]) for code, s in _stage(stage)["scopes"].items()]


def scope_note(stage: str, scope: str) -> str | None:
    """The note the seed prints instead of contents (scope 6), else None."""
    return _scope(stage, scope).get("note")


def is_levelled(stage: str, scope: str) -> bool:
    """False where the seed says the scope's contents are 不分階 (scope 6)."""
    return _scope(stage, scope).get("levelled", True)


def contents(stage: str, scope: str) -> list[tuple[str, str]]:
    """(code, label) of the scope's 課程內涵, in order."""
    return [(code, c["label"]) for code, c in _scope(stage, scope)["contents"].items()]


def sub_items(stage: str, scope: str, content: str | None = None) -> list[tuple[str, str]]:
    """(code, label) of the selectable 課程細項 of a scope (or of one content), in print order.

    A content printed without sub-items is itself selectable. The seed maps no sub-item to a
    level, so there is no level element. Empty for scope 6.
    """
    items = []
    for code, c in _scope(stage, scope)["contents"].items():
        if content is not None and code != content:
            continue
        subs = c.get("sub_items")
        items.extend(subs.items() if subs else [(code, c["label"])])
    return items


def label_of(stage: str, code: str) -> str | None:
    """The label of a scope, content or sub-item code within a stage; None if not printed there."""
    data = _data()["stages"].get(stage)
    if data is None or not isinstance(code, str):
        return None
    scope = data["scopes"].get(code.split("-", 1)[0])
    if scope is None:
        return None
    if "-" not in code:
        return scope["name"]
    for content_code, c in scope["contents"].items():
        if content_code == code:
            return c["label"]
        label = (c.get("sub_items") or {}).get(code)
        if label is not None:
            return label
    return None


def is_valid(stage: str, scope: str, sub_item: str | None) -> bool:
    """Whether ``sub_item`` may be chosen for ``scope`` in ``stage``.

    A scope without sub-items (scope 6) takes none (``None`` or ``""``); every other scope needs
    one of its own selectable sub-items. Unknown stages and scopes are refused.
    """
    try:
        choices = sub_items(stage, scope)
    except KeyError:
        return False
    if not choices:
        return sub_item in (None, "")
    return any(code == sub_item for code, _ in choices)


def _help(entry: dict) -> str:
    return "\n".join([entry["definition"], *entry["aspects"], f"建議參加對象：{entry['audience']}"])


def levels(stage: str | None = None) -> list[dict]:
    """The four 進修階層 with help text, as dicts with ``level`` (1…4), ``heading``,
    ``definition``, ``aspects``, ``audience`` and ``help`` (all of it, one paragraph a line).

    Without a stage: the general definitions (「各階層用詞定義」, which also give ``name``,
    ``keywords`` and a course ``example``); with a stage: that stage's table column headers,
    whose 建議參加對象 differ between stages.
    """
    table = _data()["levels"] if stage is None else _stage(stage)["levels"]
    return [{"level": n, **entry, "help": _help(entry)} for n, entry in table.items()]


def level_numbers() -> list[int]:
    return list(_data()["levels"])
