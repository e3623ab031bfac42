"""The pipeline chart, drawn on the server as SVG (matplotlib, Agg): no script reaches the browser.

It shows counts and times only, never a case; the page puts the same numbers in a table beside it.
"""
from __future__ import annotations

import base64
import io
import threading

from django.utils.translation import gettext as _

_lock = threading.Lock()  # pyplot's state is global: one chart at a time


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def pipeline_svg(stages) -> str:
    """Two bar charts side by side: cases per stage now, and the median days a case stays in it."""
    labels = [s.label for s in stages]
    counts = [s.count for s in stages]
    medians = [s.median_days or 0 for s in stages]
    positions = list(range(len(stages)))[::-1]
    plt = _pyplot()
    with _lock:
        plt.rcParams.update({"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9,
                             "svg.hashsalt": "safepassage"})
        fig, (left, right) = plt.subplots(1, 2, sharey=True, figsize=(8.4, 0.3 * len(stages) + 1.2))
        try:
            for ax, values, colour, title, texts in (
                (left, counts, "#1f5fa8", _("Cases now"), [str(v) for v in counts]),
                (right, medians, "#8a6d00", _("Median days in stage"),
                 ["—" if s.median_days is None else f"{s.median_days:g}" for s in stages]),
            ):
                ax.barh(positions, values, color=colour, height=0.7)
                peak = max(values) if values else 0
                for y, value, text in zip(positions, values, texts):
                    ax.text(value + peak * 0.02 + 0.05, y, text, va="center", fontsize=8)
                ax.set_xlim(0, peak * 1.2 + 1)
                ax.set_title(title, fontsize=10)
                ax.spines[["top", "right"]].set_visible(False)
            left.set_yticks(positions, labels=labels)
            fig.tight_layout()
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        finally:
            plt.close(fig)
    return out.getvalue()


def pipeline_chart(stages) -> str:
    """The chart as a data: URI for an <img> (the page's CSP allows images from data:, no inline styles)."""
    return "data:image/svg+xml;base64," + base64.b64encode(pipeline_svg(stages).encode()).decode()
