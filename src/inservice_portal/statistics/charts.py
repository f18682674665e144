"""Charts of the statistics tables, drawn on the server as SVG (pygal, no script, no CDN): a bar,
line or stacked-bar chart of a Table's drawn figures, served as an image beside the same
figures as a table (its text alternative is Table.summary)."""
import pygal
from pygal.etree import etree      # pygal's own tree (lxml or the standard one): only written
from pygal.style import Style

# Series colours, each at least 4.5:1 on white (WCAG 1.4.11 asks 3:1 of graphics; labels
# drawn in them stay readable too), told apart in the legend and the table as well.
COLOURS = ("#1d4f91", "#a8431b", "#2d6a2f", "#6b2d8f", "#8a5a00", "#0e6470", "#5a5a5a")
STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1a1a1a",
    foreground_strong="#1a1a1a", foreground_subtle="#595959", colors=COLOURS,
    font_family='"Noto Sans CJK TC", "Noto Sans TC", "Microsoft JhengHei", sans-serif',
    title_font_size=18, label_font_size=13, major_label_font_size=13, legend_font_size=14,
    value_font_size=12, opacity="1", opacity_hover="1", transition="0s")
KINDS = {"bar": pygal.Bar, "line": pygal.Line, "stacked": pygal.StackedBar}
# Many rows (22 counties) read better as horizontal bars, their names level beside them.
HORIZONTAL = {"bar": pygal.HorizontalBar, "stacked": pygal.HorizontalStackedBar}
MANY = 6
LABEL_CHARS = 16          # longer names end in "…" (the table beside gives them whole)
# The SVG's own policy: pygal styles it with one <style> element; nothing else loads or runs.
CSP = "default-src 'none'; style-src 'unsafe-inline'"


def svg(table) -> str:
    """The chart of ``table`` as an SVG document (one with no rows says so)."""
    rows = table.rows
    many = len(rows) > MANY and table.chart in HORIZONTAL
    if many:
        rows = rows[::-1]                 # pygal draws the first row at the bottom
    labels = [_short(row.label) for row in rows]
    kind = HORIZONTAL[table.chart] if many else KINDS[table.chart]
    chart = kind(
        style=STYLE, js=[], title=table.title, width=900,
        height=160 + 28 * len(labels) * len(table.drawn) if many else 420,
        legend_at_bottom=True, legend_at_bottom_columns=min(len(table.drawn), 4),
        truncate_label=LABEL_CHARS,
        truncate_legend=-1, print_values=False, y_labels_major_count=6,
        no_data_text="尚無資料", value_formatter=lambda v: f"{v:,g}",
        disable_xml_declaration=True, dots_size=4, stroke_style={"width": 3})
    chart.x_labels = labels
    titles = table.titles()
    series = {titles[name]: [row.figures.get(name) or 0 for row in rows] for name in table.drawn}
    for title, values in series.items():
        chart.add(title, values)
    counts = [v for values in series.values() for v in values]
    if all(float(v).is_integer() for v in counts):
        chart.config.y_labels = _ticks(max(counts, default=0)) if table.chart != "stacked" \
            else _ticks(max((sum(v) for v in zip(*series.values())), default=0))
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for script in [child for child in parent if str(child.tag).endswith("script")]:
            parent.remove(script)         # pygal's tooltip settings: nothing runs here
    return etree.tostring(tree, encoding="unicode")


def _short(label: str) -> str:
    """A month's label without its year ("2025 年 8 月" → "8 月"): the title says the year."""
    return label.split(" 年 ", 1)[1] if " 年 " in label and label.endswith(" 月") else label


def _ticks(top) -> list[int]:
    """Whole-number axis marks for counts (a chart of 3 courses marks 0, 1, 2, 3, not 2.8):
    at most about six, 1, 2 or 5 times a power of ten apart."""
    step, power = 1, 1
    while top / step > 6:
        step = next((m * power for m in (1, 2, 5) if top / (m * power) <= 6), None) or step
        if top / step > 6:
            power *= 10
    return list(range(0, int(top) + step, step)) if top else [0, 1]
