"""The review queue as a coordinator sees it: pairs without names, names one pair at a time."""
import pytest

from safepassage.audit.models import AuditEvent
from safepassage.core.testing import staff_member
from safepassage.matching.models import MatchSuggestion, MergeRecord
from safepassage.people.models import Person
from safepassage.people.services import PersonData, person_create


@pytest.fixture
def pair(coordinator, org):
    a = person_create(actor=coordinator, organisation=org,
                      data=PersonData(full_name="Магомед Ибрагимов", phones=["+7 928 123-45-67"]))
    b = person_create(actor=coordinator, organisation=org,
                      data=PersonData(full_name="Ibragimov Mahomed", date_of_birth="1990", phones=["89281234567"]))
    return a, b, MatchSuggestion.objects.get()


def test_the_queue_lists_pairs_by_reference_without_names(client_as, coordinator, pair):
    a, b, _suggestion = pair
    page = client_as(coordinator).get("/matching/")
    text = page.content.decode()
    assert page.status_code == 200
    assert a.reference in text and b.reference in text and "Same phone number" in text
    assert "Ибрагимов" not in text and "Ibragimov" not in text


def test_comparing_shows_both_records_and_records_the_reads(client_as, coordinator, pair):
    a, b, suggestion = pair
    page = client_as(coordinator).get(f"/matching/{suggestion.pk}/")
    text = page.content.decode()
    assert "Магомед Ибрагимов" in text and "Ibragimov Mahomed" in text
    reads = set(AuditEvent.objects.filter(action="person.read", actor_id=coordinator.pk)
                .values_list("target_id", flat=True))
    assert {str(a.pk), str(b.pk)} <= reads
    assert page["Cache-Control"].startswith("max-age=0")


def test_merge_then_unmerge_from_the_page(client_as, coordinator, pair):
    a, b, suggestion = pair
    client = client_as(coordinator)
    response = client.post(f"/matching/{suggestion.pk}/merge/", {"keep": str(a.pk)})
    assert response.status_code == 302
    assert "+7 928 123-45-67" in Person.objects.get(pk=a.pk).phones
    record = MergeRecord.objects.get()
    assert record.merged_id == b.pk
    page = client.get(f"/matching/{suggestion.pk}/").content.decode()
    assert "Undo the merge" in page and "Ibragimov Mahomed" in page
    client.post(f"/matching/merges/{record.pk}/unmerge/")
    assert MatchSuggestion.objects.get().status == "open"
    assert Person.objects.get(pk=a.pk).other_names == []


def test_not_a_duplicate_takes_the_pair_off_the_queue(client_as, coordinator, pair):
    _a, _b, suggestion = pair
    client = client_as(coordinator)
    client.post(f"/matching/{suggestion.pk}/not-duplicate/")
    assert MatchSuggestion.objects.get().status == "not_duplicate"
    assert suggestion.person_a.reference not in client.get("/matching/").content.decode()


def test_merge_needs_a_choice_of_record(client_as, coordinator, pair):
    _a, _b, suggestion = pair
    assert client_as(coordinator).post(f"/matching/{suggestion.pk}/merge/", {"keep": "nope"}).status_code == 400
    assert MergeRecord.objects.count() == 0


def test_other_roles_and_organisations_get_nothing(client_as, caseworker, other_org, pair):
    _a, _b, suggestion = pair
    foreign = staff_member(other_org, "foreign-coordinator", ["coordinator"])
    assert client_as(caseworker).get("/matching/").status_code == 403
    assert client_as(caseworker).get(f"/matching/{suggestion.pk}/").status_code == 404
    assert client_as(foreign).get(f"/matching/{suggestion.pk}/").status_code == 404
    assert client_as(foreign).post(f"/matching/{suggestion.pk}/merge/",
                                   {"keep": str(suggestion.person_a_id)}).status_code == 404
    assert client_as(foreign).get(f"/matching/{suggestion.pk + 1000}/").status_code == 404
    assert MergeRecord.objects.count() == 0


def test_the_merge_form_works_without_javascript(client_as, coordinator, pair):
    _a, _b, suggestion = pair
    text = client_as(coordinator).get(f"/matching/{suggestion.pk}/").content.decode()
    assert "<script" not in text
    assert 'type="radio" name="keep"' in text and "checked" in text
