import subprocess

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.cases.services import case_open
from safepassage.people.services import PersonData, person_create
from safepassage.reports import services
from safepassage.testimonies.services import consent_record
from safepassage.testimonies.tests.factories import incident, record

from .attacker import recovered


def many(actor, n, *incidents, public=True):
    return [record(actor, *incidents, public=public) for _ in range(n)]


def figures(report, key):
    table = report.table(key)
    return {row.code: row.value for row in table.rows}, table.total


def test_only_testimonies_consenting_to_the_public_report_are_counted(coordinator, researcher):
    many(coordinator, 6, incident("torture"))
    many(coordinator, 7, incident("torture"), public=False)
    rows, total = figures(services.report_build(actor=researcher), "violation")
    assert rows["torture"] == 6 and total == 6
    assert services.report_build(actor=researcher).testimonies == 6


def test_a_withdrawal_takes_effect_in_the_next_report(coordinator, researcher):
    given = many(coordinator, 8, incident("torture"))
    before, _ = figures(services.report_build(actor=researcher), "violation")
    assert before["torture"] == 8
    for t in given[:2]:
        consent_record(actor=coordinator, testimony=t, use="public_report", granted=False)
    after, total = figures(services.report_build(actor=researcher), "violation")
    assert after["torture"] == 6 and total == 6


def test_a_small_group_is_suppressed_and_the_chart_shows_no_more_than_the_table(coordinator, researcher):
    many(coordinator, 9, incident("torture", place="grozny"))
    many(coordinator, 2, incident("killing", place="argun"))
    report = services.report_build(actor=researcher)
    rows, _total = figures(report, "violation")
    assert rows["killing"] is None and rows["torture"] is None  # the complementary suppression
    places, _ = figures(report, "place")
    assert places["argun"] is None


def test_the_differencing_attack_on_two_reports_recovers_no_suppressed_figure(coordinator, researcher):
    """The researcher builds "all years" and "2017" and subtracts: 2018's lone killing stays hidden."""
    many(coordinator, 12, incident("torture", when="2017-03"))
    many(coordinator, 7, incident("arbitrary_detention", when="2017-04"))
    many(coordinator, 6, incident("torture", when="2018-02"))
    many(coordinator, 6, incident("arbitrary_detention", when="2018-05"))
    record(coordinator, incident("killing", when="2018-06"))
    reports = {y: services.report_build(actor=researcher, year=y) for y in (None, 2017, 2018)}
    every, y2017, y2018 = (figures(reports[y], "violation") for y in (None, 2017, 2018))
    assert y2018[0]["killing"] is None
    # Naive: all years minus 2017 gives 2018, category by category and for the totals.
    for code in every[0]:
        if y2018[0][code] is None:
            assert every[0][code] is None or y2017[0][code] is None
    # Thorough: the attacker's linear programmes over all three published reports.
    codes = list(every[0])
    table = [[y2017[0][c] for c in codes] + [y2017[1]], [y2018[0][c] for c in codes] + [y2018[1]],
             [every[0][c] for c in codes] + [every[1]]]
    truth = [[12 if c == "torture" else 7 if c == "arbitrary_detention" else 0 for c in codes] + [19],
             [6 if c == "torture" else 6 if c == "arbitrary_detention" else 1 if c == "killing" else 0
              for c in codes] + [13]]
    truth.append([a + b for a, b in zip(*truth)])
    hidden = {(i, j) for i, line in enumerate(table) for j, v in enumerate(line) if v is None}
    for i, line in enumerate(table):
        for j, v in enumerate(line):
            if v is not None:
                assert v == truth[i][j]
    assert recovered(truth, hidden) == []


def test_programme_figures_count_cases_by_stage_and_gender(coordinator, researcher):
    people = []
    for n in range(6):
        person = person_create(actor=coordinator, organisation=coordinator.membership.organisation,
                               data=PersonData(full_name=f"Person {n}", gender="woman" if n < 5 else "man"))
        case_open(actor=coordinator, person=person)
        people.append(person)
    report = services.report_build(actor=researcher)
    stage, total = figures(report, "stage")
    assert total == 6 and stage["requested"] == 6
    gender, gender_total = figures(report, "gender")
    assert gender_total == 6
    assert gender["woman"] is None and gender["man"] is None  # 5 and 1: both hidden, never just one


def test_the_case_statistics_follow_audited_changes_and_read_nobody_else_again(coordinator, researcher):
    from safepassage.cases.services import case_transition
    from safepassage.people.services import person_data, person_update

    org = coordinator.membership.organisation
    cases = []
    for n in range(7):
        person = person_create(actor=coordinator, organisation=org, data=PersonData(full_name=f"P {n}", gender="man"))
        cases.append(case_open(actor=coordinator, person=person))
    services.report_build(actor=researcher)
    assert services.case_figures_refresh(organisation=org) == 0  # nothing changed since the report

    data = person_data(cases[0].person)
    data.gender = "woman"
    person_update(actor=coordinator, person=cases[0].person, data=data)
    case_transition(actor=coordinator, case=cases[1], to_status="screening")
    assert services.case_figures_refresh(organisation=org) == 2  # exactly the two touched

    for case in cases:
        case.refresh_from_db()
        case_transition(actor=coordinator, case=case, to_status="unreachable", reason="no answer")
    stage, total = figures(services.report_build(actor=researcher), "stage")
    assert stage["not_taken_on"] == 7 and stage["requested"] == 0 and total == 7


def test_building_and_exporting_a_report_is_audited(coordinator, researcher, client_as):
    many(coordinator, 6, incident())
    client = client_as(researcher)
    assert client.get("/reports/?year=2017&lang=en").status_code == 200
    csv = client.get("/reports/report.csv?year=2017&lang=en")
    assert csv.status_code == 200 and b"Incidents by type of violation" in csv.content
    actions = list(AuditEvent.objects.filter(actor_id=researcher.pk).values_list("action", flat=True))
    assert "report.build" in actions and "report.export" in actions


def test_the_report_page_renders_in_russian_with_the_vocabulary_in_russian(coordinator, researcher, client_as):
    many(coordinator, 6, incident("torture"))
    page = client_as(researcher).get("/reports/?lang=ru").content.decode()
    assert "Пытки или жестокое обращение" in page and "Инциденты по видам нарушений" in page
    assert "<script" not in page


@pytest.mark.skipif(subprocess.run(["which", "pdftotext"], capture_output=True).returncode != 0,
                    reason="poppler-utils is not installed")
def test_the_pdf_holds_the_published_numbers_and_not_the_suppressed_ones(coordinator, researcher, client_as,
                                                                         tmp_path):
    many(coordinator, 7, incident("torture"))
    many(coordinator, 2, incident("killing"))
    response = client_as(researcher).get("/reports/report.pdf?lang=en")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "Incidents by type of violation" in text
    assert "Based on 9 testimonies" in text
