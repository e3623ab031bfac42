"""Recording an exposure alerts at once everyone and everything the person could name."""
import pytest
from django.db import transaction

from safepassage.audit.models import AuditEvent
from safepassage.audit.services import audit_verify
from safepassage.cases.models import Case, CaseEvent
from safepassage.core.testing import staff_member
from safepassage.exposure import selectors, services
from safepassage.exposure import vocabulary as V
from safepassage.exposure.alerts import TASK_RESPOND, TASK_ROUTE, TASK_WARN
from safepassage.exposure.models import Incident, IncidentItem
from safepassage.policy.rules import NotAllowed
from safepassage.tasks.models import Task

from .conftest import needs_safehouses, needs_travel, person_with_case


def risk(case) -> str:
    return Case.objects.get(pk=case.pk).risk_level


def detain(actor, person, **kwargs) -> Incident:
    return services.exposure_record(actor=actor, person=person, kind=V.EVENT_DETAINED, **kwargs)


def test_risk_decays_with_each_hop_and_stops_at_the_organisation_depth(coordinator, network):
    detain(coordinator, network.detained)
    assert risk(network.detained_case) == "critical"
    assert risk(network.ali_case) == "critical"  # 1 hop
    assert risk(network.dana_case) == "critical"  # 1 hop: the detained person knows her phone
    assert risk(network.bela_case) == "high"  # 2 hops
    assert risk(network.chingiz_case) == "low"  # 3 hops: beyond the default depth of 2
    assert risk(network.erik_case) == "low"  # connected to nobody


def test_a_deeper_setting_reaches_further(coordinator, network):
    services.exposure_settings_update(actor=coordinator, depth=3, hop_risks=["critical", "high", "medium", "low"])
    incident = detain(coordinator, network.detained)
    assert risk(network.chingiz_case) == "medium"
    assert incident.depth == 3 and incident.people_count == 4


def test_risk_is_never_lowered(coordinator, network):
    Case.objects.filter(pk=network.bela_case.pk).update(risk_level="critical", risk_rank=0)
    detain(coordinator, network.detained)
    assert risk(network.bela_case) == "critical"


def test_each_case_gets_the_reason_sealed_in_its_risk_reasons(coordinator, network):
    detain(coordinator, network.detained)
    ali = Case.objects.get(pk=network.ali_case.pk)
    assert "Named contact of a detained person, 1 hop." in ali.risk_reasons
    assert "Known to them: real name, phone number, address." in ali.risk_reasons
    assert "Named contact of a detained person, 2 hops." in Case.objects.get(pk=network.bela_case.pk).risk_reasons
    with transaction.atomic():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT risk_reasons FROM cases_case WHERE id = %s",
                           [network.ali_case.pk.hex if connection.vendor == "sqlite" else network.ali_case.pk])
            raw = bytes(cursor.fetchone()[0])
    assert b"Named contact" not in raw and b"detained" not in raw


def test_tasks_go_to_the_exposed_person_and_the_people_one_hop_away(coordinator, network):
    detain(coordinator, network.detained)
    kinds = dict(Task.objects.filter(case__in=[network.detained_case, network.ali_case, network.bela_case,
                                               network.dana_case]).values_list("case_id", "kind"))
    assert kinds == {network.detained_case.pk: TASK_RESPOND, network.ali_case.pk: TASK_WARN,
                     network.dana_case.pk: TASK_WARN}
    assert Task.objects.filter(kind=TASK_WARN, urgent=True, due_at__isnull=False).count() == 2


def test_one_audit_row_for_the_incident_and_one_per_case_alerted(coordinator, network):
    before = AuditEvent.objects.count()
    incident = detain(coordinator, network.detained)
    actions = list(AuditEvent.objects.filter(id__gt=before).values_list("action", "target_id"))
    assert actions.count(("exposure.record", str(incident.pk))) == 1
    alerted = sorted(t for a, t in actions if a == "exposure.alert")
    assert alerted == sorted(str(c.pk) for c in [network.detained_case, network.ali_case, network.dana_case,
                                                  network.bela_case])
    assert incident.case_count == 4
    assert audit_verify().ok


def test_the_timeline_shows_the_risk_change(coordinator, network):
    incident = detain(coordinator, network.detained)
    event = CaseEvent.objects.get(case=network.bela_case, kind="risk")
    assert event.detail == {"from": "low", "to": "high", "incident": str(incident.pk)}


def test_a_caseworker_may_record_the_exposure_of_their_own_client_only(network):
    with pytest.raises(NotAllowed):
        detain(network.worker_b, network.detained)
    incident = detain(network.worker_a, network.detained)
    assert incident.case_count == 4  # the alert reaches team B's cases all the same


# --- the incident page ---------------------------------------------------------------------------

def test_a_worker_sees_their_cases_and_only_a_count_of_the_others(coordinator, network):
    incident = detain(coordinator, network.detained)
    page = selectors.incident_page(network.worker_b, incident)
    assert page.exposed is None  # the detained person is in team A
    assert [r.title for r in page.rows] == [network.dana_case.reference, network.bela_case.reference]
    assert page.hidden == {"case": 2}
    assert all("Reached through someone you do not work with." in r.lines or "Known directly" not in " ".join(r.lines)
               for r in page.rows)


def test_items_are_ordered_by_urgency(coordinator, network):
    incident = detain(coordinator, network.detained)
    page = selectors.incident_page(coordinator, incident)
    titles = [r.title for r in page.rows]
    # ali: 1 hop and his address is known; dana: 1 hop; the detained person's own case; bela: 2 hops
    assert titles == [network.ali_case.reference, network.dana_case.reference, network.detained_case.reference,
                      network.bela_case.reference]
    assert page.hidden == {} and page.exposed.pk == network.detained.pk


def test_incidents_are_listed_only_to_those_who_see_part_of_them(coordinator, network, org):
    incident = detain(coordinator, network.detained)
    outsider = staff_member(org, "worker-c", ["caseworker"])
    assert selectors.incident_list(outsider) == []
    assert [i.pk for i in selectors.incident_list(network.worker_b)] == [incident.pk]
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.incident_for(outsider, incident.pk)


def test_acknowledge_and_resolve_are_audited_and_close_the_incident(coordinator, network):
    incident = detain(coordinator, network.detained)
    items = list(incident.items.all())
    first = items[0]
    services.incident_item_acknowledge(actor=coordinator, item=first)
    assert IncidentItem.objects.get(pk=first.pk).state == "acknowledged"
    for item in items:
        services.incident_item_resolve(actor=coordinator, item=item, resolution="Предупредили по Signal.")
    assert Incident.objects.get(pk=incident.pk).status == "closed"
    assert IncidentItem.objects.get(pk=first.pk).resolution == "Предупредили по Signal."
    actions = list(AuditEvent.objects.filter(target_id=str(incident.pk)).values_list("action", flat=True))
    assert actions.count("exposure.item.acknowledge") == 1 and actions.count("exposure.item.resolve") == len(items)


def test_open_incidents_are_listed_before_closed_ones(coordinator, network):
    first = detain(coordinator, network.erik)
    for item in first.items.all():
        services.incident_item_resolve(actor=coordinator, item=item)
    second = detain(coordinator, network.chingiz)
    third = detain(coordinator, network.dana)
    assert [i.pk for i in selectors.incident_list(coordinator)] == [third.pk, second.pk, first.pk]


def test_a_worker_cannot_act_on_an_item_they_may_not_see(coordinator, network):
    incident = detain(coordinator, network.detained)
    ali_item = incident.items.get(case=network.ali_case)
    with pytest.raises(NotAllowed):
        services.incident_item_resolve(actor=network.worker_b, item=ali_item)


def test_a_person_reached_without_an_open_case_is_listed(coordinator, org, network):
    from safepassage.people.services import PersonData, person_create

    lone = person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Зарема Ахмедова"))
    services.connection_create(actor=coordinator, person=network.detained, other=lone, relationship="family",
                               person_knows=["address"])
    incident = detain(coordinator, network.detained)
    item = incident.items.get(kind=IncidentItem.KIND_PERSON)
    assert item.person_id == lone.pk and item.hop == 1


# --- safe houses, routes, staff -------------------------------------------------------------------

@pytest.fixture
def house(coordinator):
    from safepassage.safehouses.services import safehouse_create

    return safehouse_create(actor=coordinator, codename="Birch", area="Moscow region", capacity=4,
                            address="ул. Ленина 5", contact="Анна")


def shelter(actor, case, house):
    from safepassage.safehouses.services import stay_start

    with transaction.atomic():
        return stay_start(actor=actor, case=case, house=house)


@needs_safehouses
def test_a_house_the_person_stayed_in_is_compromised_and_its_occupants_relocated(coordinator, network, house):
    from safepassage.safehouses.journey import RELOCATE
    from safepassage.safehouses.models import SafeHouse
    from safepassage.safehouses.services import stay_end

    stay = shelter(coordinator, network.detained_case, house)
    with transaction.atomic():
        stay_end(actor=coordinator, stay=stay, reason="moved_on")
    shelter(coordinator, network.erik_case, house)  # erik is connected to nobody but stays there now
    incident = detain(network.worker_a, network.detained)  # a caseworker: may not manage houses
    house.refresh_from_db()
    assert house.status == SafeHouse.STATUS_COMPROMISED
    assert Task.objects.filter(case=network.erik_case, kind=RELOCATE, urgent=True).exists()
    assert risk(network.erik_case) == "critical"
    erik_item = incident.items.get(case=network.erik_case)
    assert erik_item.urgency == 0 and erik_item.risk_before == "low"
    assert incident.items.filter(kind=IncidentItem.KIND_HOUSE, house_id=house.pk).exists()
    assert incident.house_count == 1
    page = selectors.incident_page(coordinator, incident)
    assert page.rows[0].title == network.erik_case.reference
    assert "Staying in Birch, which the exposed person knew: relocate now." in page.rows[0].lines


@needs_safehouses
def test_a_house_recorded_as_known_is_compromised_too(coordinator, network, house):
    from safepassage.safehouses.models import SafeHouse

    services.knowledge_add(actor=coordinator, person=network.detained, kind=V.LINK_HOUSE, target=house.pk,
                           basis=V.BASIS_TOLD_ADDRESS)
    detain(coordinator, network.detained)
    house.refresh_from_db()
    assert house.status == SafeHouse.STATUS_COMPROMISED


@needs_safehouses
def test_a_house_known_only_two_hops_away_is_left_alone(coordinator, network, house):
    services.knowledge_add(actor=coordinator, person=network.bela, kind=V.LINK_HOUSE, target=house.pk,
                           basis=V.BASIS_VISITED)
    detain(coordinator, network.detained)
    house.refresh_from_db()
    assert house.status == "active"


@needs_safehouses
def test_the_house_is_hidden_from_a_worker_and_counted(coordinator, network, house):
    shelter(coordinator, network.detained_case, house)
    incident = detain(coordinator, network.detained)
    page = selectors.incident_page(network.worker_b, incident)
    assert page.hidden.get("house") == 1
    assert all(r.item.kind != IncidentItem.KIND_HOUSE for r in page.rows)


def travel_plan(case, status: str = "negotiated"):
    """A plan as the travel pages leave it (they need a verified case; the scenario skips that)."""
    from safepassage.travel.models import TravelPlan

    plan = TravelPlan(case=case, organisation_id=case.organisation_id, data_key_id=case.data_key_id, status=status)
    plan.save()
    return plan


@needs_travel
def test_another_person_route_known_to_the_detained_person_is_alerted(coordinator, network):
    plan = travel_plan(network.erik_case)
    services.knowledge_add(actor=coordinator, person=network.detained, kind=V.LINK_PLAN, target=plan.pk,
                           basis=V.BASIS_TOLD_ROUTE)
    incident = detain(coordinator, network.detained)
    assert risk(network.erik_case) == "critical"
    assert Task.objects.filter(case=network.erik_case, kind=TASK_ROUTE).exists()
    assert incident.items.filter(kind=IncidentItem.KIND_ROUTE, plan_id=plan.pk).exists()
    assert incident.route_count == 1


@needs_travel
def test_a_finished_route_is_listed_without_alerting_its_case(coordinator, network):
    plan = travel_plan(network.erik_case, status="completed")
    services.knowledge_add(actor=coordinator, person=network.detained, kind=V.LINK_PLAN, target=plan.pk,
                           basis=V.BASIS_ESCORTED)
    incident = detain(coordinator, network.detained)
    assert risk(network.erik_case) == "low"
    assert incident.items.get(kind=IncidentItem.KIND_ROUTE).urgency == 45


@needs_travel
def test_the_person_own_route_is_listed(coordinator, network):
    plan = travel_plan(network.detained_case)
    incident = detain(coordinator, network.detained)
    route = incident.items.get(kind=IncidentItem.KIND_ROUTE)
    assert route.plan_id == plan.pk and route.why == {"basis": [V.BASIS_TRAVELLED], "own": True}


def test_a_staff_member_the_person_could_name_is_listed_for_coordinators_only(coordinator, caseworker, network):
    services.knowledge_add(actor=coordinator, person=network.detained, kind=V.LINK_STAFF, target=caseworker.pk,
                           basis=V.BASIS_KNOWS_IDENTITY)
    incident = detain(coordinator, network.detained)
    assert incident.staff_count == 1
    assert [r.title for r in selectors.incident_page(coordinator, incident).rows
            if r.item.kind == IncidentItem.KIND_STAFF] == ["caseworker"]
    assert selectors.incident_page(network.worker_a, incident).hidden.get("staff") == 1


def test_an_isolated_person_opens_an_incident_for_their_own_case(coordinator, network):
    incident = detain(coordinator, network.erik)
    assert incident.case_count == 1 and incident.people_count == 0
    assert risk(network.ali_case) == "low"


def test_another_organisation_is_never_reached(coordinator, network, other_org):
    foreign = staff_member(other_org, "foreign", ["coordinator"])
    person, case = person_with_case(foreign, other_org, "Ибрагимов Магомед")
    detain(coordinator, network.detained)
    assert risk(case) == "low"
    assert selectors.incident_list(foreign) == []
