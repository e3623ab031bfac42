"""Building reports: refresh the case statistics, count, suppress, slice by period. Audited.

A report never holds a person, a testimony or a narrative: it is built from clear-text counts
(``CountedIncident``, ``CaseFigure`` and case stages, and what other apps register in ``figures.py``,
such as referrals by destination country) and what leaves this module has already been through
small-cell suppression (``suppression.py``).
"""
from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.policy.rules import membership, require
from safepassage.vault import services as vault

from . import figures as figures_registry
from . import labels as L
from .models import CaseFigure, FigureSync
from .suppression import Grid, protect_family

def min_cell() -> int:
    """The suppression threshold k, fixed per deployment: letting each report choose it would let
    two reports with different thresholds be compared."""
    return max(2, int(getattr(settings, "REPORT_MIN_CELL", 5)))


# --- case statistics ----------------------------------------------------------------------------

def _bucket(gender: str) -> str:
    return L.GENDER_TO_BUCKET.get(gender or "", "not_recorded")


def _changed_cases(organisation, since_event: int) -> set:
    """Cases of the organisation touched by an audited change after `since_event`: the case itself
    (opened, moved, edited) or its person (edited, e.g. their gender). An indexed range of the log."""
    from safepassage.audit.models import AuditEvent
    from safepassage.cases.models import Case

    touched: dict[str, set] = {"case": set(), "person": set()}
    for kind, target in AuditEvent.objects.filter(id__gt=since_event, target_type__in=list(touched)) \
            .values_list("target_type", "target_id").iterator(chunk_size=5000):
        touched[kind].add(target)
    cases = Case.objects.filter(organisation=organisation)
    found = set()
    for kind, field_name in (("case", "pk__in"), ("person", "person_id__in")):
        ids = sorted(touched[kind])
        for start in range(0, len(ids), 5000):
            found.update(cases.filter(**{field_name: ids[start:start + 5000]}).values_list("pk", flat=True))
    return found


@transaction.atomic
def case_figures_refresh(*, organisation, cases=None) -> int:
    """Bring the per-case statistic (year opened, stage, gender bucket) up to date.

    With `cases`, refresh those. Without, refresh every case touched by an audited change since the
    last refresh (all of them the first time). Decrypts only those people's gender, their keys
    unwrapped in batches. Returns how many cases were refreshed.
    """
    from safepassage.audit.models import AuditEvent
    from safepassage.cases.models import Case

    now = timezone.now()
    head = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    sync = None
    if cases is None:
        sync = FigureSync.objects.select_for_update().filter(organisation=organisation).first()
        if sync is None:
            case_ids = list(Case.objects.filter(organisation=organisation).values_list("pk", flat=True))
        else:
            case_ids = list(_changed_cases(organisation, sync.audit_id))
    else:
        case_ids = [c.pk for c in cases]
    refreshed = 0
    for start in range(0, len(case_ids), 2000):
        batch = list(Case.objects.filter(pk__in=case_ids[start:start + 2000]).select_related("person")
                     .only("pk", "organisation_id", "created_at", "status", "person__id", "person__data_key_id",
                           "person__gender"))
        vault.preload_data_keys(c.person.data_key_id for c in batch)
        existing = dict(CaseFigure.objects.filter(case__in=batch).values_list("case_id", "pk"))
        new, changed = [], []
        for case in batch:
            figure = CaseFigure(case_id=case.pk, organisation_id=case.organisation_id,
                                opened_year=case.created_at.year, status=case.status,
                                gender_bucket=_bucket(case.person.gender), refreshed_at=now)
            if case.pk in existing:
                figure.pk = existing[case.pk]
                changed.append(figure)
            else:
                new.append(figure)
        CaseFigure.objects.bulk_create(new)
        CaseFigure.objects.bulk_update(changed, ["opened_year", "status", "gender_bucket", "refreshed_at"])
        refreshed += len(batch)
    if cases is None:
        FigureSync.objects.update_or_create(organisation=organisation, defaults={
            "synced_to": now, "audit_id": head,
            "version": (sync.version if sync else 0) + (1 if refreshed else 0)})
    elif refreshed:
        FigureSync.objects.filter(organisation=organisation).update(version=F("version") + 1)
    return refreshed


# --- the report ---------------------------------------------------------------------------------

@dataclass
class Row:
    code: object
    label: str
    value: int | None  # None: suppressed


@dataclass
class Table:
    key: str
    section: str
    title: str
    measure: str
    rows: list[Row]
    total: int | None
    matrix: list | None = None  # months over several years: [(year, [value per month 1..12, unknown])]

    def published(self) -> list[Row]:
        return [r for r in self.rows if r.value is not None]


@dataclass
class Report:
    organisation_name: str
    year: int | None
    years: list[int]
    k: int
    lang: str
    generated_at: datetime.datetime
    testimonies: int | None
    tables: list[Table] = field(default_factory=list)

    def period_label(self) -> str:
        return str(self.year) if self.year else L.text("all_years", self.lang)

    def section(self, name: str) -> list[Table]:
        return [t for t in self.tables if t.section == name]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _grids(ctx: figures_registry.BuildContext) -> tuple[dict, dict, list[int]]:
    """Every provider's protected grid, keyed by provider; and the years each family covers."""
    counted = {p.key: (p, p.count(ctx)) for p in figures_registry.providers()}
    families: dict[str, list] = {}
    for key, (provider, counts) in counted.items():
        families.setdefault(provider.family, []).append(key)
    grids: dict[str, Grid] = {}
    family_years: dict[str, list[int]] = {}
    k = min_cell()
    for family, keys in families.items():
        years = sorted(set().union(*(counted[key][1].years() for key in keys)))
        family_years[family] = years
        members = []
        for key in keys:
            provider, counts = counted[key]
            cols = provider.categories(ctx, years)
            extra = sorted({c for _, c in counts.cells} - set(cols), key=str)
            grid = Grid.build(years, cols + extra, counts.cells, counts.contributors, counts.row_contributors,
                              counts.col_contributors, counts.grand_contributors)
            grids[key] = grid
            members.append(grid)
        protect_family(members, k)
    all_years = sorted(set().union(*family_years.values())) if family_years else []
    return grids, family_years, all_years


def report_years(*, actor) -> list[int]:
    """The periods a report can be asked for (besides all years): two index-only lookups."""
    require(actor, "report.view")
    from safepassage.testimonies.models import CountedIncident

    org = membership(actor).organisation_id
    years = set(CountedIncident.objects.filter(organisation_id=org).values_list("year", flat=True).distinct())
    years |= set(CaseFigure.objects.filter(organisation_id=org).values_list("opened_year", flat=True).distinct())
    return sorted(years)


# Protected grids of recent builds, keyed by everything they depend on. Every period and language of
# a report is a slice of the same grids, so switching the period or downloading the PDF after viewing
# the page reuses them; any change to the counted data changes the key.
_GRID_CACHE: OrderedDict = OrderedDict()
_GRID_CACHE_SIZE = 16
_cache_lock = threading.Lock()


def _data_version(organisation, ctx) -> tuple:
    from safepassage.testimonies.models import CountedIncident, Term

    def stamp(queryset):
        row = queryset.aggregate(n=Count("id"), top=Max("id"))
        return row["n"], row["top"]

    sync = FigureSync.objects.filter(organisation=organisation).values_list("version", flat=True).first()
    providers = figures_registry.providers()
    return (organisation.pk, organisation.created_at, min_cell(), tuple(p.key for p in providers),
            stamp(CountedIncident.objects.filter(organisation=organisation)),
            stamp(CaseFigure.objects.filter(organisation=organisation)), sync,
            stamp(Term.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))),
            tuple(p.version(ctx) for p in providers))


def _protected(organisation, ctx):
    """(grids, years, testimonies behind the report): from the cache when nothing changed."""
    key = _data_version(organisation, ctx)
    with _cache_lock:
        hit = _GRID_CACHE.get(key)
        if hit is not None:
            _GRID_CACHE.move_to_end(key)
            return hit
    grids, _family_years, years = _grids(ctx)
    value = (grids, years, ctx.cache.get("incidents_grand"))
    with _cache_lock:
        _GRID_CACHE[key] = value
        while len(_GRID_CACHE) > _GRID_CACHE_SIZE:
            _GRID_CACHE.popitem(last=False)
    return value


def report_build(*, actor, year: int | None = None, lang: str = "en", audit: bool = True) -> Report:
    """The report for one calendar year or all years, in `lang`, suppression applied. Audited."""
    require(actor, "report.view")
    organisation = membership(actor).organisation
    case_figures_refresh(organisation=organisation)
    ctx = figures_registry.BuildContext(organisation)
    grids, years, grand = _protected(organisation, ctx)
    if year is not None and year not in years:
        raise ValidationError({"year": _("There is nothing to report for that year.")})
    k = min_cell()
    report = Report(organisation_name=organisation.name, year=year, years=years, k=k, lang=lang,
                    generated_at=timezone.now(), testimonies=None)
    for provider in figures_registry.providers():
        grid = grids[provider.key]
        if year is None:
            i = grid.R
        elif year in grid.rows:
            i = grid.rows.index(year)
        else:
            i = None  # nothing at all in this family that year: every entry is zero
        if i is not None and provider.key == "month" and year is not None:
            cols = [(j, c) for j, c in enumerate(grid.cols) if c[0] == year]
        else:
            cols = list(enumerate(grid.cols))
        rows = []
        for j, code in cols:
            value = 0 if i is None else (None if grid.is_hidden(i, j) else grid.values[i][j])
            rows.append(Row(code, provider.label(ctx, code, lang), value))
        total = 0 if i is None else (None if grid.is_hidden(i, grid.C) else grid.values[i][grid.C])
        table = Table(provider.key, provider.section, provider.title(lang), provider.measure(lang), rows, total)
        if provider.key == "month" and year is None and rows:
            by_code = {row.code: row.value for row in rows}
            table.matrix = [(y, [by_code.get((y, m), 0) for m in (*range(1, 13), 0)])
                            for y in sorted({code[0] for code in by_code})]
        report.tables.append(table)
    if grand is not None:
        report.testimonies = grand if grand >= k or grand == 0 else None
    if audit:
        audit_record(actor=actor, action="report.build", organisation=organisation, year=year or "all", lang=lang)
    return report


def report_export(*, actor, report: Report, fmt: str) -> None:
    """Record that a report left the system (CSV or PDF)."""
    require(actor, "report.view")
    audit_record(actor=actor, action="report.export", organisation=membership(actor).organisation, fmt=fmt,
                 year=report.year or "all", lang=report.lang)
