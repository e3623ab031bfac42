"""A report as CSV and as PDF. Both carry exactly what the page shows: suppressed cells stay "·"."""
from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string

from . import labels as L

SUPPRESSED = "·"


def report_csv(report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([L.text("report_title", report.lang), report.organisation_name])
    writer.writerow([L.text("period", report.lang), report.period_label()])
    writer.writerow([L.text("threshold", report.lang, k=report.k)])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([L.text("category", report.lang), table.measure])
        for row in table.rows:
            writer.writerow([row.label, SUPPRESSED if row.value is None else row.value])
        writer.writerow([L.text("total", report.lang), SUPPRESSED if table.total is None else table.total])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets spreadsheets see UTF-8 Cyrillic


def report_pdf(report, charts: dict[str, str]) -> bytes:
    """Render with WeasyPrint from the same tables as the page. Only data: URLs (the charts) are
    fetched: a report never reaches out to the network or the file system."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string("reports/report_pdf.html", {"report": report, "charts": charts,
                                                        "text": _texts(report)})
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()


def _texts(report) -> dict:
    lang = report.lang
    return {
        "title": L.text("report_title", lang), "period": L.text("period", lang),
        "generated": L.text("generated", lang), "total": L.text("total", lang),
        "category": L.text("category", lang), "threshold": L.text("threshold", lang, k=report.k),
        "incidents": L.text("incidents_section", lang), "programme": L.text("programme_section", lang),
        "based": L.text("testimonies_based", lang, n=report.testimonies if report.testimonies is not None
                        else SUPPRESSED),
        "months": [*(f"{m:02d}" for m in range(1, 13)), "?"],
        "sections": [("incidents", L.text("incidents_section", lang)),
                     ("programme", L.text("programme_section", lang))],
    }


texts = _texts
