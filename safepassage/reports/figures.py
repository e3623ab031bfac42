"""The registry of figure providers: each contributes one table of a report.

A provider counts, for one organisation, a value per (year, category) and how many distinct
contributors (testimonies, cases) stand behind every cell and margin. It never sees a person and
never decides what is published: suppression is applied to every provider alike. Providers that
publish the same year totals declare the same ``family`` and are protected together.

Adding a figure from another app (the referrals app adds destinations and denials by country this
way, see ``safepassage/referrals/report_figures.py``)::

    from safepassage.reports.figures import FigureProvider, counts_of, register

    class DenialsByCountry(FigureProvider):
        key, family, section = "denials", "denied", "programme"
        def count(self, ctx):
            return counts_of(...)     # (year, category, contributor) facts
        def version(self, ctx):
            return ...                # changes whenever the counts could
    register(DenialsByCountry())      # in the app's AppConfig.ready()

Its title and measure are the report's own words (``labels.TABLES[key]``).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from safepassage.testimonies import vocabulary

from . import labels as L


@dataclass
class Counts:
    cells: dict = field(default_factory=dict)  # (year, category) -> value
    contributors: dict = field(default_factory=dict)  # (year, category) -> distinct contributors
    row_contributors: dict = field(default_factory=dict)  # year -> distinct contributors
    col_contributors: dict = field(default_factory=dict)  # category -> distinct contributors
    grand_contributors: int = 0

    def years(self) -> set[int]:
        return {year for year, _ in self.cells}

    def fingerprint(self) -> tuple:
        """Everything a protected grid depends on, as one comparable value (a provider's ``version``
        when counting is cheap and only suppression is worth reusing)."""
        def frozen(mapping):
            return tuple(sorted(mapping.items(), key=repr))

        return (frozen(self.cells), frozen(self.contributors), frozen(self.row_contributors),
                frozen(self.col_contributors), self.grand_contributors)


class BuildContext:
    """What one report build shares between providers (one database read per source)."""

    def __init__(self, organisation):
        self.organisation = organisation
        self.cache: dict = {}

    def once(self, key, compute):
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


class FigureProvider:
    key: str = ""
    family: str = ""
    section: str = "programme"  # "incidents" or "programme"

    def title(self, lang: str) -> str:
        return L.pick(L.TABLES[self.key][0], lang)

    def measure(self, lang: str) -> str:
        return L.pick(L.TABLES[self.key][1], lang)

    def categories(self, ctx: BuildContext, years: list[int]) -> list:
        """Every category, in order, including those with nothing in them: the published dimensions
        are fixed, never chosen by what the data happens to contain."""
        raise NotImplementedError

    def label(self, ctx: BuildContext, category, lang: str) -> str:
        return str(category)

    def count(self, ctx: BuildContext) -> Counts:
        raise NotImplementedError

    def version(self, ctx: BuildContext):
        """A stamp of the data `count` reads beyond the testimonies' and cases' statistics, which the
        report already watches. Protected grids are reused while every stamp stays the same, so it
        must change whenever the counts could (a row added, changed or removed)."""
        return None


def counts_of(facts) -> Counts:
    """Counts from facts ``(year, category, contributor)``: each fact adds one to its cell; a cell,
    a year, a category and the whole count their distinct contributors (one case referred to two
    countries is two facts and one contributor of the year)."""
    cells: dict = defaultdict(int)
    people: dict = defaultdict(set)
    per_year: dict = defaultdict(set)
    per_col: dict = defaultdict(set)
    everyone: set = set()
    for year, category, contributor in facts:
        cells[(year, category)] += 1
        people[(year, category)].add(contributor)
        per_year[year].add(contributor)
        per_col[category].add(contributor)
        everyone.add(contributor)
    return Counts(cells=dict(cells), contributors={k: len(v) for k, v in people.items()},
                  row_contributors={k: len(v) for k, v in per_year.items()},
                  col_contributors={k: len(v) for k, v in per_col.items()}, grand_contributors=len(everyone))


_PROVIDERS: dict[str, FigureProvider] = {}


def register(provider: FigureProvider) -> FigureProvider:
    if not provider.key or not provider.family:
        raise ValueError("a figure provider needs a key and a family")
    _PROVIDERS[provider.key] = provider
    return provider


def unregister(key: str) -> None:
    _PROVIDERS.pop(key, None)


def providers() -> list[FigureProvider]:
    return list(_PROVIDERS.values())


# --- incidents, from testimonies that consent to the public report ------------------------------

def _query(sql: str, params) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_TABLE = "testimonies_countedincident"


def _incident_counts(ctx: BuildContext, column: str) -> Counts:
    """Counted in the database, each query along one covering index (see CountedIncident.Meta)."""
    org = [ctx.organisation.pk]
    # DISTINCT in a subquery streams along the (organisation, [year,] testimony) index; COUNT(DISTINCT)
    # would sort every row again.
    per_year = ctx.once("incidents_per_year", lambda: {y: n for y, n in _query(
        f"SELECT year, COUNT(*) FROM (SELECT DISTINCT year, testimony_id FROM {_TABLE} "
        "WHERE organisation_id = %s) AS pairs GROUP BY year", org)})
    grand = ctx.once("incidents_grand", lambda: _query(
        f"SELECT COUNT(*) FROM (SELECT DISTINCT testimony_id FROM {_TABLE} WHERE organisation_id = %s) AS ids",
        org)[0][0])
    rows = _query(f"SELECT year, {column}, COUNT(*), COUNT(DISTINCT testimony_id) FROM {_TABLE} "
                  f"WHERE organisation_id = %s GROUP BY year, {column}", org)
    if column == "month":  # the category is (year, month or 0): it belongs to one year only
        cells = {(y, (y, m or 0)): n for y, m, n, _people in rows}
        contributors = {(y, (y, m or 0)): people for y, m, _n, people in rows}
        by_category = {c: people for (_y, c), people in contributors.items()}
    else:
        cells = {(y, c): n for y, c, n, _people in rows}
        contributors = {(y, c): people for y, c, _n, people in rows}
        by_category = {c: people for c, people in _query(
            f"SELECT {column}, COUNT(DISTINCT testimony_id) FROM {_TABLE} WHERE organisation_id = %s "
            f"GROUP BY {column}", org)}
    return Counts(cells=cells, contributors=contributors, row_contributors=per_year,
                  col_contributors=by_category, grand_contributors=grand)


class _VocabularyIncidents(FigureProvider):
    family = "incidents"
    section = "incidents"
    vocab = ""
    column = ""

    def __init__(self, key, vocab, column):
        self.key, self.vocab, self.column = key, vocab, column

    def _terms(self, ctx):
        from safepassage.testimonies.services import terms

        return ctx.once(("terms", self.vocab), lambda: list(terms(ctx.organisation, self.vocab)))

    def categories(self, ctx, years):
        return [t.code for t in self._terms(ctx)]

    def label(self, ctx, category, lang):
        for term in self._terms(ctx):
            if term.code == category:
                return term.label(lang)
        return str(category)

    def count(self, ctx):
        return _incident_counts(ctx, self.column)


class IncidentsByMonth(FigureProvider):
    key, family, section = "month", "incidents", "incidents"

    def categories(self, ctx, years):
        return [(y, m) for y in years for m in range(1, 13)] + [(y, 0) for y in years]

    def label(self, ctx, category, lang):
        year, month = category
        return f"{year}-{month:02d}" if month else L.text("month_unknown", lang, year=year)

    def count(self, ctx):
        return _incident_counts(ctx, "month")


# --- the programme: cases by stage and by gender ------------------------------------------------

def _case_rows(organisation_id: int):
    """(year opened, stage, gender bucket, cases): one index-only scan of the case statistics."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT opened_year, status, gender_bucket, COUNT(*) FROM reports_casefigure "
                       "WHERE organisation_id = %s GROUP BY opened_year, status, gender_bucket", [organisation_id])
        return [(int(y), status, gender, n) for y, status, gender, n in cursor.fetchall()]


class _CaseFigures(FigureProvider):
    family = "cases"
    section = "programme"

    def bucket(self, status: str, gender: str):
        raise NotImplementedError

    def count(self, ctx):
        rows = ctx.once("cases", lambda: _case_rows(ctx.organisation.pk))
        cells: dict = defaultdict(int)
        per_year: dict = defaultdict(int)
        per_col: dict = defaultdict(int)
        grand = 0
        for year, status, gender, n in rows:
            key = (year, self.bucket(status, gender))
            cells[key] += n
            per_year[year] += n
            per_col[key[1]] += n
            grand += n
        # Each case is its own contributor: the counts are the contributors.
        return Counts(cells=dict(cells), contributors=dict(cells), row_contributors=dict(per_year),
                      col_contributors=dict(per_col), grand_contributors=grand)


class CasesByStage(_CaseFigures):
    key = "stage"
    _group = {status: group for group, (_label, statuses) in L.STAGE_GROUPS.items() for status in statuses}

    def categories(self, ctx, years):
        return list(L.STAGE_GROUPS)

    def label(self, ctx, category, lang):
        return L.pick(L.STAGE_GROUPS[category][0], lang)

    def bucket(self, status, gender):
        return self._group.get(status, "requested")


class CasesByGender(_CaseFigures):
    key = "gender"

    def categories(self, ctx, years):
        return list(L.GENDER_BUCKETS)

    def label(self, ctx, category, lang):
        return L.pick(L.GENDER_BUCKETS[category], lang)

    def bucket(self, status, gender):
        return gender if gender in L.GENDER_BUCKETS else "not_recorded"


register(_VocabularyIncidents("violation", vocabulary.VIOLATION, "violation"))
register(_VocabularyIncidents("perpetrator", vocabulary.PERPETRATOR, "perpetrator"))
register(_VocabularyIncidents("place", vocabulary.PLACE, "place"))
register(IncidentsByMonth())
register(CasesByStage())
register(CasesByGender())
