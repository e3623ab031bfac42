"""The demo as someone evaluating safepassage meets it: every staff page has fictional content.

The demo is loaded once for the module (in a transaction rolled back at the end) and each demo user
opens the pages of their role with the test client.
"""
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.accounts.models import Membership, Organisation
from safepassage.cases.models import Case, CaseNote
from safepassage.cases.workflow import JOURNEY
from safepassage.core import demo
from safepassage.core.testing import login_verified
from safepassage.people.models import Person
from safepassage.vault import services as vault
from safepassage.vault.models import VaultState

pytestmark = pytest.mark.django_db

# Organisations working in this field: the demo must never put words in their mouth.
REAL_ORGANISATIONS = ("Rainbow Railroad", "LGBT Network", "ЛГБТ-сеть", "SK SOS", "Memorial", "Мемориал",
                      "Human Rights Watch", "Amnesty", "UNHCR", "УВКБ", "IRCC", "Novaya Gazeta", "Новая газета",
                      "Red Cross", "Красный Крест", "ILGA", "Front Line Defenders")


def test_the_demo_never_mixes_with_a_real_vault(db):
    # first in the module: the tests below share one loaded demo
    vault.initialise(shares=3, threshold=2)
    with pytest.raises(demo.DemoRefused):
        demo.demo_load(people=3)
    assert not Organisation.objects.filter(is_demo=True).exists()
    vault.seal()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    from safepassage.intake.services import forget_public_key

    with django_db_blocker.unblock():
        with transaction.atomic():
            yield demo.demo_load(people=40)
            transaction.set_rollback(True)
        vault.seal()
        forget_public_key()


def member(username: str):
    return Membership.objects.select_related("user").get(user__username=username).user


def page(username: str, name: str, *args, **query) -> str:
    client = Client()
    login_verified(client, member(username))
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, (username, name, response.status_code)
    return response.content.decode()


def test_the_demo_is_clearly_labelled_fictional_organisations_unsealed_with_the_demo_key(loaded):
    organisations = {o.name: o for o in Organisation.objects.all()}
    assert set(organisations) == {demo.DEMO_ORG, demo.DEMO_LIAISON_ORG}
    for name, organisation in organisations.items():
        assert organisation.is_demo and name.startswith("DEMO") and "fictional" in name
    assert vault.state().mode == VaultState.MODE_DEMO and vault.is_unsealed()
    frontline = organisations[demo.DEMO_ORG]
    assert loaded.people == Person.objects.filter(organisation=frontline).count() == 40
    assert Case.objects.count() == loaded.cases > 30
    assert loaded.notes == CaseNote.objects.count() > 20


def test_the_demo_staff_log_in_with_the_demo_password_and_fixed_authenticator_keys(loaded):
    members = {m.user.username: m for m in Membership.objects.select_related("user", "organisation")}
    assert set(members) == {username for username, _roles, _key in demo.DEMO_STAFF}
    assert members["admin"].roles == ["admin", "custodian"]
    assert {"safehouse", "travel", "settlement", "researcher", "liaison"} <= {
        role for m in members.values() for role in m.roles}
    for username, roles, key in demo.DEMO_STAFF:
        assert members[username].roles == roles
        assert members[username].user.check_password(demo.DEMO_PASSWORD)
        assert TOTPDevice.objects.get(user=members[username].user, confirmed=True).key == key
        expected = demo.DEMO_LIAISON_ORG if "liaison" in roles else demo.DEMO_ORG
        assert members[username].organisation.name == expected
    assert len({key for _u, _r, key in demo.DEMO_STAFF}) == len(demo.DEMO_STAFF)


def test_the_demo_people_are_varied_and_every_stage_of_the_journey_has_cases(loaded):
    people = list(Person.objects.all())
    assert {"man", "woman"} <= {p.gender for p in people}
    names = " ".join(p.full_name for p in people)
    assert any("а" <= ch <= "я" for ch in names.lower()) and any("a" <= ch <= "z" for ch in names.lower())
    assert any(len(p.date_of_birth) == 4 for p in people) and any(p.phones for p in people)
    stages = set(Case.objects.values_list("status", flat=True))
    assert set(JOURNEY) <= stages
    assert {tuple(sorted(u.username for u in c.assignees.all())) for c in Case.objects.all()} >= {
        ("caseworker1",), ("caseworker2",)}


def test_the_journey_was_walked_through_the_services_with_its_audit_trail(loaded):
    from safepassage.audit.models import AuditEvent

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"case.transition", "case.transition.request", "verification.check", "stay.check_in",
            "referral.consent", "referral.submit", "referral.decide", "travel.plan.status", "travel.checkin.receive",
            "travel.alarm", "settlement.arrival", "testimony.create", "testimony.consent", "exposure.connect",
            "exposure.record", "intake.receive", "intake.convert", "task.create"} <= actions
    sheltered = Case.objects.filter(status="sheltered").first()
    assert sheltered.transitions.filter(target="sheltered").get().decided_by.username == "safehouse"
    closed = Case.objects.get(status="closed")
    record = closed.transitions.get(target="closed")
    assert (record.requested_by.username, record.decided_by.username) == ("settlement", "coordinator")


def test_the_safe_house_board_shows_houses_stays_and_the_house_compromised_by_the_detention(loaded):
    from safepassage.safehouses.models import SafeHouse, Stay

    html = page("safehouse", "safehouses:board")
    for codename, area, _capacity in demo._HOUSES:
        assert codename in html and area in html
    assert html.count('class="occupant"') >= 5
    assert SafeHouse.objects.get(status=SafeHouse.STATUS_COMPROMISED).codename == "Juniper"
    assert 'class="compromised"' in html
    assert Stay.objects.filter(state=Stay.STATE_ENDED).exists()  # relocated, moved on
    assert Stay.objects.filter(state=Stay.STATE_PROPOSED).exists()  # out of Juniper, waiting for a second person
    assert "FICTIONAL address" not in html  # addresses stay sealed until asked for


def test_the_liaison_inbox_holds_the_packets_of_the_programmes_the_desk_receives(loaded):
    from safepassage.referrals.models import Referral

    html = page("liaison", "referrals:inbox")
    received = Referral.objects.filter(programme__code__in=demo.LIAISON_PROGRAMMES, submitted_at__isnull=False)
    assert received.count() >= 8
    for referral in received:
        assert referral.reference in html
    assert {"submitted", "approved", "denied"} <= set(received.values_list("status", flat=True))
    for referral in Referral.objects.exclude(programme__code__in=demo.LIAISON_PROGRAMMES):
        assert referral.reference not in html
    packet = received.filter(status="submitted").first()
    assert "FICTIONAL" in page("liaison", "referrals:packet", packet.pk)


def test_the_journey_figures_count_referrals_denials_travel_and_arrivals(loaded):
    html = page("coordinator", "referrals:figures")
    cell = {key: int(re.search(rf'id="{key}">(\d+)<', html).group(1)) for key in
            ("negotiated", "arrived-total", "rereferred")}
    assert cell["negotiated"] >= 9 and cell["arrived-total"] == 6 and cell["rereferred"] >= 1
    assert "Security screening" in html and "Quota" in html


def test_travel_plans_have_legs_check_ins_and_the_overdue_alarm_is_already_raised(loaded):
    from safepassage.tasks.models import Task
    from safepassage.travel.models import CheckIn, TravelPlan

    travel = member("travel")
    plans = TravelPlan.objects.filter(coordinator=travel)
    assert plans.filter(status="underway").count() == 3 and plans.filter(case__status="in_transit").count() == 3
    assert CheckIn.objects.filter(received_at__isnull=False).exists()
    overdue = CheckIn.objects.get(alarm_raised_at__isnull=False)
    assert overdue.leg.plan.case.risk_level == "critical"
    assert Task.objects.filter(case=overdue.leg.plan.case, kind="travel_alarm", done_at__isnull=True).exists()
    html = page("travel", "travel:case", overdue.leg.plan.case_id)
    assert "FICTIONAL: Vladikavkaz" in html
    assert "FICTIONAL: confirm the driver" in page("travel", "tasks:my_work")


def test_arrivals_have_settlement_plans_with_items_payments_and_check_ins(loaded):
    from safepassage.settlement.models import PlanItem, SettlementPlan

    plans = SettlementPlan.objects.filter(worker__username="settlement")
    assert plans.count() == 6
    assert PlanItem.objects.filter(plan__in=plans, status="done").exists()
    assert PlanItem.objects.filter(plan__in=plans, status="open").exists()
    settling = plans.filter(case__status="settling").first()
    html = page("settlement", "settlement:case", settling.case_id)
    assert "FICTIONAL" in html
    assert "FICTIONAL: book the language course" in page("settlement", "tasks:my_work")


def test_the_researchers_report_shows_numbers_and_suppresses_small_cells(loaded):
    from safepassage.reports.services import report_build
    from safepassage.testimonies.models import Testimony

    assert Testimony.objects.count() == 12
    assert Testimony.objects.filter(consent_public_report=True).count() == 9  # one withdrew, two never gave it
    report = report_build(actor=member("researcher"), audit=False)
    violations = {row.code: row.value for row in report.table("violation").rows}
    assert violations["arbitrary_detention"] is not None and violations["arbitrary_detention"] >= report.k
    assert any(value is None for value in violations.values())  # small cells suppressed
    html = page("researcher", "reports:index")
    table = re.search(r'id="table-violation">(.*?)</section>', html, re.S).group(1)
    assert f'<td class="num">{violations["arbitrary_detention"]}</td>' in table and "·" in table


def test_the_intake_inbox_holds_anonymous_requests_one_of_them_now_a_case(loaded):
    from safepassage.intake.models import HelpRequest

    requests = HelpRequest.objects.all()
    assert requests.count() == 5
    assert {"new", "open", "converted", "entrapment_suspected"} <= set(requests.values_list("status", flat=True))
    converted = requests.get(status="converted")
    assert converted.case.status == "screening"
    html = page("intake", "intake:inbox")
    assert html.count(reverse("intake:detail", args=[requests.filter(status="new").first().pk])) >= 1
    for request in requests.filter(status="open"):
        assert "FICTIONAL" in page("intake", "intake:detail", request.pk)


def test_the_exposure_graph_and_the_detention_incident(loaded):
    from safepassage.exposure.models import Connection, Incident

    assert Connection.objects.count() == 4
    incident = Incident.objects.get()
    assert incident.kind == "detained" and incident.house_count == 1 and incident.case_count >= 3
    html = page("coordinator", "exposure:incident", incident.pk)
    assert "Juniper" in html
    assert reverse("exposure:incident", args=[incident.pk]) in page("coordinator", "exposure:index")


def test_tasks_are_assigned_to_the_demo_staff(loaded):
    from safepassage.tasks.models import Task

    holders = set(Task.objects.filter(done_at__isnull=True, assignee__isnull=False)
                  .values_list("assignee__username", flat=True))
    assert {"caseworker1", "caseworker2", "safehouse", "travel", "settlement"} <= holders
    assert Task.objects.filter(done_at__isnull=False, outcome="done").exists()
    assert "FICTIONAL: bring a winter coat" in page("safehouse", "tasks:my_work")


def test_the_other_staff_pages_have_demo_content(loaded):
    references = list(Case.objects.filter(status="referred").values_list("reference", flat=True))
    assert any(ref in page("coordinator", "cases:list") for ref in references)
    assert "FICTIONAL" in page("caseworker1", "tasks:my_work")
    html = page("coordinator", "testimonies:list")
    assert "Witness Aist (pseudonym)" in html
    assert "caseworker1" in page("admin", "accounts:members")


def test_nothing_in_the_demo_names_a_real_organisation(loaded):
    source = Path(demo.__file__).read_text()
    for name in REAL_ORGANISATIONS:
        assert name.lower() not in source.lower(), name
    from safepassage.safehouses.models import SafeHouse
    from safepassage.testimonies.models import Consent

    written = [o.name for o in Organisation.objects.all()] + [t.name for t in
                                                              Organisation.objects.get(name=demo.DEMO_ORG).teams.all()]
    written += [f"{h.codename} {h.area} {h.address} {h.contact}" for h in SafeHouse.objects.all()]
    written += [" ".join(c.bodies) for c in Consent.objects.filter(use="named_bodies")]
    for text in written:
        assert not any(name.lower() in text.lower() for name in REAL_ORGANISATIONS), text


def test_loading_the_demo_twice_adds_nothing(loaded):
    assert demo.demo_load(people=40) is None
    assert Person.objects.count() == 40 and Organisation.objects.count() == 2
