"""The public report's referral tables: cases referred by destination country and denials by country,
built from referrals recorded through the services, small cells suppressed and not recoverable."""
import subprocess
from datetime import date, datetime, timezone as dt_timezone

import pytest
from django.utils import timezone

from safepassage.core.testing import staff_member
from safepassage.referrals import services as referrals
from safepassage.referrals.models import Programme, Referral
from safepassage.referrals.selectors import denied_by_country, referred_by_country
from safepassage.reports import figures, services
from safepassage.reports.tests.attacker import feasible_ranges, recovered
from safepassage.safehouses.tests.journey_helpers import verified_case

THIS_YEAR = timezone.localdate().year
LAST_YEAR, EARLIER = THIS_YEAR - 1, THIS_YEAR - 2


@pytest.fixture
def researcher(org, unsealed_vault):
    return staff_member(org, "researcher", ["researcher"])


class Office:
    """Cases going through referral and decision, as the caseworkers record them."""

    def __init__(self, actor, organisation):
        self.actor, self.organisation, self.made = actor, organisation, 0

    def case(self):
        self.made += 1
        return verified_case(self.actor, self.organisation, name=f"Person {self.made:03d}", assignees=[self.actor])

    def refer(self, case, code):
        programme = Programme.objects.get(code=code)
        referrals.consent_record(actor=self.actor, case=case, programme=programme, note="By voice.")
        referral = referrals.referral_create(actor=self.actor, case=case, programme=programme)
        return referrals.referral_submit(actor=self.actor, referral=referral)

    def deny(self, referral, on):
        referrals.referral_decide(actor=self.actor, referral=referral, outcome="denied", decided_on=on,
                                  reason_code="no_reason_given")
        referral.case.refresh_from_db()

    def denied(self, n, code, on):
        """`n` new cases referred to `code` and denied there on `on`."""
        cases = []
        for _ in range(n):
            case = self.case()
            self.deny(self.refer(case, code), on)
            cases.append(case)
        return cases


@pytest.fixture
def office(caseworker, org):
    return Office(caseworker, org)


def table(report, key):
    t = report.table(key)
    return {row.code: row.value for row in t.rows}, t.total


def test_both_tables_are_registered_by_the_referrals_app_as_families_of_their_own():
    registered = {p.key: p for p in figures.providers()}
    assert registered["destination"].section == registered["denials"].section == "programme"
    families = {registered[key].family for key in ("destination", "denials", "stage", "violation")}
    assert len(families) == 4  # no year totals in common with each other or with the other tables


def _submitted_in(referrals_, year):
    Referral.objects.filter(pk__in=[r.pk for r in referrals_]).update(
        submitted_at=datetime(year, 5, 1, 12, tzinfo=dt_timezone.utc))


def test_referred_cases_are_counted_by_destination_and_year_of_their_first_referral_there(office, researcher):
    # 12 people referred to the US (6 two years ago, 6 last year), denied, and referred on to Canada
    # this year; 6 referred to Germany (3 two years ago, 3 last year).
    for year in (EARLIER, LAST_YEAR):
        us = [office.refer(office.case(), "us-usrap") for _ in range(6)]
        _submitted_in(us, year)
        for referral in us:
            office.deny(referral, date(year, 9, 1))
            office.refer(referral.case, "ca-gar")
        _submitted_in([office.refer(office.case(), "de-humanitarian-admission") for _ in range(3)], year)

    rows, total = table(services.report_build(actor=researcher), "destination")
    assert rows == {"CA": 12, "DE": 6, "FR": 0, "US": 12} and total == 30  # 18 people, 30 referrals
    assert {c: n for c, n in rows.items() if n} == referred_by_country(office.organisation)
    this_year = table(services.report_build(actor=researcher, year=THIS_YEAR), "destination")
    assert this_year == ({"CA": 12, "DE": 0, "FR": 0, "US": 0}, 12)  # their first referral to Canada
    for year in (EARLIER, LAST_YEAR):
        # Germany's 3 are too few: hidden, and the US with them, since the year's total is published
        assert table(services.report_build(actor=researcher, year=year), "destination") == (
            {"CA": 0, "DE": None, "FR": 0, "US": None}, 9)

    russian = services.report_build(actor=researcher, lang="ru").table("destination")
    assert [row.label for row in russian.rows] == ["Канада", "Германия", "Франция", "США"]
    assert russian.title == "Направленные дела по странам назначения"
    assert services.report_build(actor=researcher, lang="fr").table("denials").rows[3].label == "États-Unis"


def test_a_country_with_fewer_than_k_denials_is_hidden_and_not_recoverable_from_the_year_total(office,
                                                                                             researcher):
    office.denied(8, "us-usrap", date(LAST_YEAR, 3, 1))
    office.denied(2, "fr-humanitarian-visa", date(LAST_YEAR, 4, 1))
    assert denied_by_country(office.organisation) == {"US": 8, "FR": 2}
    year = table(services.report_build(actor=researcher, year=LAST_YEAR), "denials")
    every = table(services.report_build(actor=researcher), "denials")
    assert year[1] == 10  # the year's total is published ...
    assert year[0] == {"CA": 0, "DE": 0, "FR": None, "US": None}  # ... so France's 2 is not hidden alone
    # What an attacker makes of everything both reports publish: France could hold 1 to 9.
    codes = list(year[0])
    published = [[r[0][c] for c in codes] + [r[1]] for r in (year, every)]
    truth = [[{"US": 8, "FR": 2}.get(c, 0) for c in codes] + [10]] * 2
    hidden = {(i, j) for i, line in enumerate(published) for j, v in enumerate(line) if v is None}
    ranges = feasible_ranges(truth, hidden)
    assert ranges[(0, codes.index("FR"))] == (1, 9)
    assert recovered(truth, hidden) == []


def test_two_reports_a_year_apart_do_not_give_away_the_years_one_more_denial(office, researcher):
    """All years holds one more denial than the earlier year and the last year together: France's,
    last year. Subtracting reports, or any cleverer combination of them, does not recover it."""
    office.denied(12, "us-usrap", date(EARLIER, 5, 1))
    office.denied(7, "de-humanitarian-admission", date(EARLIER, 6, 1))
    office.denied(6, "us-usrap", date(LAST_YEAR, 2, 1))
    office.denied(6, "de-humanitarian-admission", date(LAST_YEAR, 3, 1))
    office.denied(1, "fr-humanitarian-visa", date(LAST_YEAR, 4, 1))
    reports = {year: table(services.report_build(actor=researcher, year=year), "denials")
               for year in (EARLIER, LAST_YEAR, None)}
    earlier, last, every = reports[EARLIER], reports[LAST_YEAR], reports[None]
    assert last[0]["FR"] is None and every[0]["FR"] is None
    assert earlier[0]["FR"] == 0
    # Naive: all years minus the earlier year would be last year, country by country and for the total.
    for code in every[0]:
        if last[0][code] is None:
            assert every[0][code] is None or earlier[0][code] is None
    # Thorough: the attacker's linear programmes over everything the three reports publish.
    codes = list(every[0])
    counts = {EARLIER: {"US": 12, "DE": 7}, LAST_YEAR: {"US": 6, "DE": 6, "FR": 1}}
    truth = [[counts[y].get(c, 0) for c in codes] + [sum(counts[y].values())] for y in (EARLIER, LAST_YEAR)]
    truth.append([a + b for a, b in zip(*truth)])
    published = [[r[0][c] for c in codes] + [r[1]] for r in (earlier, last, every)]
    hidden = {(i, j) for i, line in enumerate(published) for j, v in enumerate(line) if v is None}
    for i, line in enumerate(published):
        for j, value in enumerate(line):
            if value is not None:
                assert value == truth[i][j]
    assert recovered(truth, hidden) == []


def test_a_new_denial_changes_what_the_report_reuses_and_shows_in_the_next_report(office, researcher):
    office.denied(6, "us-usrap", date(LAST_YEAR, 3, 1))
    case = office.case()
    to_us, _to_germany = office.refer(case, "us-usrap"), office.refer(case, "de-humanitarian-admission")
    assert table(services.report_build(actor=researcher), "denials")[1] == 6

    def stamps():
        ctx = figures.BuildContext(office.organisation)
        return {p.key: p.version(ctx) for p in figures.providers() if p.key in ("destination", "denials")}

    before = stamps()
    office.deny(to_us, date(LAST_YEAR, 3, 2))  # Germany's is still open: the case stays "referred"
    after = stamps()
    assert after["denials"] != before["denials"] and after["destination"] == before["destination"]
    assert table(services.report_build(actor=researcher), "denials") == ({"CA": 0, "DE": 0, "FR": 0, "US": 7}, 7)


def test_the_page_csv_and_pdf_carry_both_tables_and_their_charts(office, researcher, client_as):
    for _ in range(6):
        case = office.case()
        office.deny(office.refer(case, "us-usrap"), date(LAST_YEAR, 3, 1))
        office.refer(case, "ca-gar")
    client = client_as(researcher)
    page = client.get("/reports/?lang=fr").content.decode()
    for section in ("table-destination", "table-denials"):
        start = page.index(f'id="{section}"')
        part = page[start:page.index("</section>", start)]
        assert '<img class="chart" src="data:image/svg+xml;base64,' in part
    assert "Dossiers transmis, par pays de destination" in page and "Refus par pays" in page
    assert "États-Unis" in page and "Allemagne" in page
    csv = client.get("/reports/report.csv?lang=en").content.decode("utf-8-sig")
    assert "Cases referred, by destination country" in csv and "Denials by country" in csv
    assert "United States,6" in csv and "Canada,6" in csv
    response = client.get("/reports/report.pdf?lang=ru")
    assert response["Content-Type"] == "application/pdf"
    try:
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True,
                              check=True).stdout.decode()
    except FileNotFoundError:
        pytest.skip("poppler-utils is not installed")
    assert "Отказы по странам" in text and "Направленные дела по странам назначения" in text
    assert "США" in text and "Канада" in text
