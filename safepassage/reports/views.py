"""Report pages: build, show, download. Thin: policy and services decide, suppression is done."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.contrib.auth.decorators import login_required

from safepassage.policy.rules import require

from . import charts, exports, services
from . import labels as L
from .forms import ReportForm


def _build(request, *, audit=True):
    require(request.user, "report.view")
    lang = request.GET.get("lang") or translation.get_language() or "en"
    lang = lang.split("-")[0] if lang.split("-")[0] in L.TEXT["total"] else "en"
    try:
        year = int(request.GET["year"]) if request.GET.get("year") else None
    except ValueError:
        year = None
    try:
        report = services.report_build(actor=request.user, year=year, lang=lang, audit=audit)
    except ValidationError:  # a year with nothing in it: the whole period instead
        report = services.report_build(actor=request.user, year=None, lang=lang, audit=audit)
    form = ReportForm(initial={"year": report.year or "", "lang": lang}, years=report.years,
                      all_label=L.text("all_years", lang))
    return form, report


def _charts(report) -> dict[str, str]:
    return {t.key: charts.data_uri(charts.table_svg(t, report.lang)) for t in report.tables}


@never_cache
@login_required
def report_view(request):
    form, report = _build(request)
    return render(request, "reports/report.html", {
        "form": form, "report": report, "charts": _charts(report), "text": exports.texts(report),
        "query": request.GET.urlencode()})


@never_cache
@login_required
def report_csv_view(request):
    _form, report = _build(request, audit=False)
    services.report_export(actor=request.user, report=report, fmt="csv")
    response = HttpResponse(exports.report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="report-{report.year or "all"}-{report.lang}.csv"'
    return response


@never_cache
@login_required
def report_pdf_view(request):
    _form, report = _build(request, audit=False)
    services.report_export(actor=request.user, report=report, fmt="pdf")
    response = HttpResponse(exports.report_pdf(report, _charts(report)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{report.year or "all"}-{report.lang}.pdf"'
    return response
