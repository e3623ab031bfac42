import re

import pytest
from django.test import Client
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case
from safepassage.cases.services import case_open
from safepassage.core.testing import staff_member
from safepassage.people.services import PersonData, person_create

LIST = reverse("cases:list")


def _case(actor, org, name="", *, phones=(), other_names=(), **case_fields):
    person = person_create(actor=actor, organisation=org,
                           data=PersonData(full_name=name, phones=list(phones), other_names=list(other_names)))
    return case_open(actor=actor, person=person, **case_fields)


def _references(response) -> set[str]:
    return set(re.findall(r'<a href="/cases/[0-9a-f-]+/">([^<]+)</a>', response.content.decode()))


@pytest.fixture
def cases(coordinator, caseworker, org):
    return {
        "magomed": _case(coordinator, org, "Магомед Исаев", phones=["+7 928 123-45-67"], risk_level="critical",
                         assignees=[caseworker]),
        "khava": _case(coordinator, org, "Хава Дудаева", other_names=["Khava"], risk_level="low",
                       status="screening"),
        "ruslan": _case(coordinator, org, "Ruslan", phones=["+7 495 000 11 22"], risk_level="high"),
    }


def test_the_list_shows_every_column_of_the_unfiltered_first_page(coordinator, cases, client_as):
    response = client_as(coordinator).get(LIST)
    page = response.content.decode()
    assert response.status_code == 200 and _references(response) == {c.reference for c in cases.values()}
    assert "Магомед Исаев" in page and "Хава Дудаева" in page
    assert '<span class="risk risk-critical">Critical</span>' in page
    assert "Screening" in page and "caseworker" in page
    assert page.index(cases["magomed"].reference) < page.index(cases["ruslan"].reference) \
        < page.index(cases["khava"].reference)  # critical first, low last
    assert "no-store" in response["Cache-Control"]


def test_a_list_page_writes_one_audit_event_naming_the_cases_shown(coordinator, cases, client_as):
    client = client_as(coordinator)
    client.get(LIST)
    [event] = AuditEvent.objects.filter(action="case.list", actor_id=coordinator.pk)
    assert set(event.detail["cases"]) == {str(c.pk) for c in cases.values()}
    client.post(LIST, {"q": "magomed"})
    assert AuditEvent.objects.filter(action="case.list", actor_id=coordinator.pk).count() == 2


@pytest.mark.parametrize("query", ["magomed", "MAGOMED", "Магомед", "magomed isaev", "Исаев"])
def test_a_name_is_found_in_either_script(coordinator, cases, client_as, query):
    response = client_as(coordinator).post(LIST, {"q": query})
    assert _references(response) == {cases["magomed"].reference}


def test_another_name_of_the_person_is_searched_too(coordinator, cases, client_as):
    assert _references(client_as(coordinator).post(LIST, {"q": "Khava"})) == {cases["khava"].reference}


@pytest.mark.parametrize("query", ["+7 928 123-45-67", "8 (928) 123 45 67", "9281234567", "+79281234567"])
def test_a_phone_is_found_in_any_format(coordinator, cases, client_as, query):
    assert _references(client_as(coordinator).post(LIST, {"q": query})) == {cases["magomed"].reference}


def test_a_case_is_found_by_its_reference_or_its_persons_reference(coordinator, cases, client_as):
    client = client_as(coordinator)
    assert _references(client.post(LIST, {"q": cases["khava"].reference.lower()})) == {cases["khava"].reference}
    assert _references(client.post(LIST, {"q": f" {cases['ruslan'].person.reference} "})) \
        == {cases["ruslan"].reference}


def test_a_search_that_matches_nothing_says_so(coordinator, cases, client_as):
    response = client_as(coordinator).post(LIST, {"q": "Shamil"})
    assert _references(response) == set() and "No case matches" in response.content.decode()


def test_filters_by_status_risk_and_assigned_to_me(coordinator, caseworker, cases, client_as):
    client = client_as(coordinator)
    assert _references(client.post(LIST, {"status": "screening"})) == {cases["khava"].reference}
    assert _references(client.post(LIST, {"risk": "high"})) == {cases["ruslan"].reference}
    assert _references(client.post(LIST, {"mine": "on"})) == set()
    assert _references(client_as(caseworker).post(LIST, {"mine": "on"})) == {cases["magomed"].reference}
    assert _references(client.post(LIST, {"q": "magomed", "risk": "low"})) == set()


def test_an_unknown_filter_value_is_reported_not_ignored(coordinator, cases, client_as):
    response = client_as(coordinator).post(LIST, {"status": "gone"})
    assert response.status_code == 400 and _references(response) == set()
    assert "Select a valid choice" in response.content.decode()


def test_a_search_keeps_what_was_typed_and_never_puts_it_in_an_address(coordinator, cases, client_as):
    response = client_as(coordinator).post(LIST, {"q": "Магомед", "risk": "critical"})
    page = response.content.decode()
    assert response.status_code == 200  # answered directly, no redirect to a URL with the query
    assert 'value="Магомед"' in page and '<option value="critical" selected>' in page
    for form_tag in re.findall(r"<form[^>]*>", page):
        assert "Магомед" not in form_tag and "?" not in re.search(r'action="([^"]*)"', form_tag).group(1)


def test_a_caseworker_lists_only_their_own_and_their_teams_cases(caseworker, cases, client_as):
    assert _references(client_as(caseworker).get(LIST)) == {cases["magomed"].reference}
    assert _references(client_as(caseworker).post(LIST, {"q": "Ruslan"})) == set()


def test_another_organisation_never_finds_our_people(other_org, cases, client_as):
    foreign = staff_member(other_org, "foreign", ["coordinator"])
    client = client_as(foreign)
    assert _references(client.get(LIST)) == set()
    for query in ("magomed", "+7 928 123-45-67", cases["magomed"].reference):
        assert _references(client.post(LIST, {"q": query})) == set()


def test_fifty_cases_a_page_and_the_next_page_is_reached_by_post(coordinator, org, client_as):
    person = person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Магомед"))
    opened = [case_open(actor=coordinator, person=person) for _ in range(51)]
    other = _case(coordinator, org, "Ислам")
    client = client_as(coordinator)

    first = client.get(LIST)
    assert len(_references(first)) == 50 and "Page 1 of 2" in first.content.decode()
    second = client.post(LIST, {"page": "2"})
    assert len(_references(second)) == 2
    assert _references(first) | _references(second) == {c.reference for c in [*opened, other]}

    filtered = client.post(LIST, {"q": "magomed"})
    page = filtered.content.decode()
    assert len(_references(filtered)) == 50 and "51 cases" in page
    assert re.search(r'<input type="hidden" name="q" value="magomed"><input type="hidden" name="status" value="">'
                     r'<input type="hidden" name="risk" value=""><input type="hidden" name="page" value="2">', page)
    rest = client.post(LIST, {"q": "magomed", "page": "2"})
    assert len(_references(rest)) == 1 and other.reference not in _references(rest)
    assert _references(filtered) | _references(rest) == {c.reference for c in opened}


def test_nothing_of_the_list_is_served_to_an_anonymous_visitor(cases, unsealed_vault):
    client = Client()
    for response in (client.get(LIST), client.post(LIST, {"q": "magomed"})):
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
        body = response.content.decode()
        assert "Магомед" not in body and cases["magomed"].reference not in body
    assert not AuditEvent.objects.filter(action="case.list").exists()


def test_an_admin_without_a_case_role_lands_on_the_members_page(admin, cases, client_as):
    response = client_as(admin).get(LIST)
    assert response.status_code == 302 and response.url == reverse("accounts:members")
    assert not AuditEvent.objects.filter(action="case.list").exists()


def test_a_researcher_never_sees_the_list(org, cases, client_as):
    researcher = staff_member(org, "researcher", ["researcher"])
    client = client_as(researcher)
    for response in (client.get(LIST), client.post(LIST, {"q": "magomed"})):
        assert response.status_code in (302, 403)
        assert "Магомед" not in response.content.decode() and not _references(response)
    assert not AuditEvent.objects.filter(action="case.list").exists() and Case.objects.count() == 3


def test_a_search_in_the_address_is_ignored_so_nobody_learns_to_put_names_there(coordinator, cases, client_as):
    response = client_as(coordinator).get(LIST, {"q": "magomed", "risk": "low"})
    assert _references(response) == {c.reference for c in cases.values()}
    assert "magomed" not in response.content.decode()
