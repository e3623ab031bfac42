"""The public report's referral tables: cases referred by destination country, denials by country.

Counted from clear columns only (country, submission time, decision outcome and date), never a
packet; the report applies small-cell suppression to them like to every other table. A case is one
contributor, whatever it counts for: a case referred to two countries is in both their cells and
once in the year's contributors.

Each table is its own suppression family. Families exist for tables that publish the same year
totals (a year total hidden in one must be hidden in all); these two do not: referrals are dated
by submission, denials by decision, and neither equals the case tables' totals by year opened.
"""
from __future__ import annotations

from safepassage.reports.figures import FigureProvider, counts_of, register

from . import selectors
from . import vocabulary as V


class _ByCountry(FigureProvider):
    section = "programme"

    def facts(self, organisation) -> list:
        """(year, country code, case id), one per unit counted."""
        raise NotImplementedError

    def _countries(self, ctx) -> list[str]:
        return ctx.once("referral_countries", selectors.programme_countries)

    def _counts(self, ctx):
        return ctx.once(("referral_counts", self.key), lambda: counts_of(self.facts(ctx.organisation)))

    def categories(self, ctx, years):
        # Every programme's country, by code: the same order in every language, so the suppression
        # pattern never depends on the language.
        return list(self._countries(ctx))

    def label(self, ctx, category, lang):
        return V.country_label(category, lang)

    def count(self, ctx):
        return self._counts(ctx)

    def version(self, ctx):
        # Counting is one small GROUP BY; what is worth reusing is the suppression.
        return self._counts(ctx).fingerprint(), tuple(self._countries(ctx))


class ReferredByDestination(_ByCountry):
    """Cases referred to each country, in the year of their first referral there."""

    key, family = "destination", "referred"

    def facts(self, organisation):
        return selectors.referred_facts(organisation)


class DenialsByCountry(_ByCountry):
    """Referrals denied by each country, in the year of the decision; contributors are cases."""

    key, family = "denials", "denied"

    def facts(self, organisation):
        return selectors.denial_facts(organisation)


def connect() -> None:
    register(ReferredByDestination())
    register(DenialsByCountry())
