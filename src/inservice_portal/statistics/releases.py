"""公布的月報與年報 frozen: once its release day has come, a report is kept as it was then
(the nightly recomputation freezes what became due), so a roster closed late, or a course
moved, does not change figures already published. Before it is frozen, its page reads the
counters live."""
from BTrees.OOBTree import OOBTree

from .. import clock
from . import publication, reports, tables
from .measures import school_year
from .reports import Row


def month_key(month) -> str:
    return f"monthly:{month:%Y-%m}"


def year_key(year: int) -> str:
    return f"annual:{year}"


def frozen(root, key: str):
    """(the tables as released, when) or None."""
    kept = getattr(root, "statistics_releases", None)
    found = kept.get(key) if kept is not None else None
    if found is None:
        return None
    return [_load(t) for t in found["tables"]], found["at"]


def freeze_due(root, today=None) -> list[str]:
    """Freeze every listed report whose release day has come and that is not frozen yet;
    the keys frozen."""
    today = today or clock.now().date()
    if getattr(root, "statistics_releases", None) is None:
        root.statistics_releases = OOBTree()
    kept, done = root.statistics_releases, []
    out = publication.published(today, reports.school_years(root, "courses"))
    for month in out["months"]:
        if month_key(month) not in kept:
            _keep(kept, month_key(month), tables.monthly(root, school_year(month), month.month))
            done.append(month_key(month))
    for year in out["years"]:
        if year_key(year) not in kept:
            _keep(kept, year_key(year), tables.public(root, year))
            done.append(year_key(year))
    return done


def _keep(kept, key, found):
    kept[key] = {"at": clock.now(), "tables": [_dump(t) for t in found]}


def _dump(table) -> dict:
    return {"key": table.key, "title": table.title, "heading": table.heading,
            "columns": tuple(table.columns), "chart": table.chart, "drawn": tuple(table.drawn),
            "note": table.note, "hidden": tuple(table.hidden),
            "rows": [(row.label, {name: value for name, value in row.figures.items()
                                  if name != tables.FILL[0]})       # a rate: computed again
                     for row in table.rows]}


def _load(kept: dict):
    return tables.Table(kept["key"], kept["title"], kept["heading"], kept["columns"],
                        [Row(label, dict(figures)) for label, figures in kept["rows"]],
                        kept["chart"], kept["drawn"], kept["note"], kept["hidden"])
