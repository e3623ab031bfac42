"""Charts drawn on the server as SVG (matplotlib, Agg): no script reaches the browser.

Only published values are drawn; a suppressed row gets no bar (its label is marked "·"), so a chart
can never show more than its table. Text stays text in the SVG (small, selectable, and the PDF
renderer keeps it searchable). Charts are kept in a small in-memory cache keyed by exactly what
they show: a PDF asked for right after the page costs no redrawing.
"""
from __future__ import annotations

import base64
import io
import threading
from collections import OrderedDict

_lock = threading.Lock()  # pyplot's state is global; draw one chart at a time
_cache: OrderedDict = OrderedDict()
_CACHE_SIZE = 64
BAR = "#1f5fa8"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9,
                         "svg.hashsalt": "safepassage", "axes.spines.top": False, "axes.spines.right": False})
    return plt


def table_svg(table, lang: str) -> str:
    """The chart of one report table, as SVG text ("" when the table has no rows at all)."""
    if not table.rows:
        return ""
    key = (table.key, lang, table.measure, tuple((r.label, r.value) for r in table.rows))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        svg = _timeline(table) if table.key == "month" and len(table.rows) > 13 else _bars(table)
        _cache[key] = svg
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return svg


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _save(fig) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def _bars(table) -> str:
    """Horizontal bars, one per category; the labels' length sets the left margin (no layout solver)."""
    plt = _pyplot()
    rows = [r for r in table.rows if not (table.key == "month" and r.value == 0)] or table.rows[:1]
    labels = [r.label + (" ·" if r.value is None else "") for r in rows]
    values = [r.value or 0 for r in rows]
    width, height = 7.2, 0.24 * len(rows) + 0.8
    left = min(0.55, (max(len(label) for label in labels) * 0.065 + 0.2) / width)
    fig = plt.figure(figsize=(width, height))
    try:
        ax = fig.add_axes((left, 0.55 / height, 0.97 - left, 1 - 0.75 / height))
        positions = list(range(len(rows)))[::-1]
        # One collection of thick lines rather than a patch per bar: the same picture, drawn faster.
        bar_width = 72 * 0.6 * (height - 0.75) / max(len(rows), 1)
        ax.hlines(positions, 0, values, colors=BAR, linewidth=bar_width, capstyle="butt")
        ax.set_yticks(positions, labels=labels)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlim(0, (max(values) if values else 0) * 1.05 + 1)
        ax.set_xlabel(table.measure)
        return _save(fig)
    finally:
        plt.close(fig)


def _timeline(table) -> str:
    """Months over several years: vertical bars, one tick per year."""
    plt = _pyplot()
    rows = [r for r in table.rows if r.code[1]]  # (year, month); "month not known" stays in the table
    rows.sort(key=lambda r: r.code)
    values = [r.value or 0 for r in rows]
    fig = plt.figure(figsize=(7.2, 2.6))
    try:
        ax = fig.add_axes((0.08, 0.2, 0.9, 0.72))
        ax.vlines(range(len(rows)), 0, values, colors=BAR, linewidth=72 * 0.85 * 6.48 / max(len(rows), 1),
                  capstyle="butt")
        ax.set_ylim(0, (max(values) if values else 0) * 1.05 + 1)
        ticks = [i for i, r in enumerate(rows) if r.code[1] == 1]
        ax.set_xticks(ticks, labels=[str(rows[i].code[0]) for i in ticks])
        ax.set_xlim(-1, len(rows))
        ax.set_ylabel(table.measure)
        return _save(fig)
    finally:
        plt.close(fig)


def data_uri(svg: str) -> str:
    if not svg:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
