"""Journey figures for coordinators: how many got safe travel, arrived, were referred and denied.

Counts only, from clear columns (dates, countries, outcomes, reason codes). No person, no packet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from safepassage.audit.services import audit_record
from safepassage.policy.rules import membership, require
from safepassage.settlement import selectors as settlement
from safepassage.travel import selectors as travel

from . import selectors
from . import vocabulary as V


@dataclass
class JourneyFigures:
    since: date
    days: int
    then: int
    negotiated: int = 0
    arrived_within: int = 0
    arrived_then: int = 0
    arrived_total: int = 0
    referred: list = field(default_factory=list)  # [(country code, label, cases)]
    denied: list = field(default_factory=list)  # [(country code, label, referrals)]
    reasons: list = field(default_factory=list)  # [(country label, reason label, denials)]
    rereferred: int = 0

    @property
    def within_end(self) -> date:
        return self.since + timedelta(days=self.days)

    @property
    def then_end(self) -> date:
        return self.within_end + timedelta(days=self.then)


def journey_figures(actor, *, since: date | None = None, days: int = 90, then: int = 7) -> JourneyFigures:
    """Figures for the actor's organisation. `since` defaults to the first negotiated travel."""
    require(actor, "journey.figures")
    organisation = membership(actor).organisation
    since = since or travel.first_negotiation(organisation) or timezone.localdate()
    report = JourneyFigures(since=since, days=days, then=then)
    report.negotiated = travel.travel_negotiated_count(organisation, since=since)
    report.arrived_within = settlement.arrivals_count(organisation, start=since, end=report.within_end)
    report.arrived_then = settlement.arrivals_count(organisation, start=report.within_end, end=report.then_end)
    report.arrived_total = settlement.arrivals_count(organisation)
    report.referred = _by_country(selectors.referred_by_country(organisation))
    report.denied = _by_country(selectors.denied_by_country(organisation))
    report.reasons = [(V.country_label(country), V.choice_label(V.REASON_CODES, code) if code else "—", n)
                      for country, code, n in selectors.denial_reasons(organisation)]
    report.rereferred = selectors.rereferred_after_denial(organisation)
    audit_record(actor=actor, action="journey.figures", organisation=organisation, since=since.isoformat(),
                 days=days, then=then)
    return report


def _by_country(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return sorted(((code, V.country_label(code), n) for code, n in counts.items()), key=lambda r: (-r[2], r[1]))
