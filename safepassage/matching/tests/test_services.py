"""Suggestions appear as people are recorded; merges move everything and can be undone exactly."""
import pytest

from safepassage.audit.models import AuditEvent
from safepassage.cases.services import case_open
from safepassage.core.testing import staff_member
from safepassage.matching import selectors, services
from safepassage.matching.keys import MatchInput
from safepassage.matching.models import MatchKey, MatchSuggestion, MergeRecord
from safepassage.people.models import Person
from safepassage.people.services import PersonData, attachment_add, person_create, person_data


def record(actor, org, **fields) -> Person:
    return person_create(actor=actor, organisation=org, data=PersonData(**fields))


def open_suggestions(org):
    return list(MatchSuggestion.objects.filter(organisation=org, status="open"))


@pytest.fixture
def magomed(coordinator, org):
    return record(coordinator, org, full_name="Магомед Ибрагимович Ибрагимов", date_of_birth="1990",
                  phones=["+7 928 123-45-67"], other_names=["Мага"])


def test_recording_a_variant_spelling_puts_the_pair_in_the_queue(coordinator, org, magomed):
    other = record(coordinator, org, full_name="Mahomed Ibrahimov", date_of_birth="1990-05-12",
                   phones=["89281234567"])
    [suggestion] = open_suggestions(org)
    assert {suggestion.person_a_id, suggestion.person_b_id} == {magomed.pk, other.pk}
    assert suggestion.score > 0.99
    assert {"name_same", "dob_compatible", "phone_same"} <= set(suggestion.reasons)


@pytest.mark.parametrize("name", ["Magomed Ibragimov", "Ibragimov Magomed", "Muhammad Ibragimov"])
def test_examples_from_the_field_are_suggested(coordinator, org, magomed, name):
    record(coordinator, org, full_name=name)
    assert len(open_suggestions(org)) == 1


def test_a_different_person_with_the_same_first_name_is_not_suggested(coordinator, org, magomed):
    record(coordinator, org, full_name="Магомед Дадаев", date_of_birth="1975-01-02", phones=["+7 916 555 11 22"])
    assert open_suggestions(org) == []


def test_candidates_come_from_a_plain_request_too(coordinator, org, magomed):
    request = {"full_name": "Ibragimov Magomed", "phones": ["8 928 123 45 67"]}
    found = selectors.candidates_for(request, organisation=org)
    assert [c.person_id for c in found] == [magomed.pk]
    [match] = selectors.find_matches(request, organisation=org, actor=coordinator)
    assert match.person.pk == magomed.pk and match.score.suggested


def test_keys_in_the_database_hold_no_plaintext(coordinator, org, magomed):
    stored = list(MatchKey.objects.filter(person=magomed).values_list("kind", "digest"))
    assert stored
    everything = " ".join(digest for _kind, digest in stored).lower()
    for secret in ["magomed", "ibragim", "mhmt", "1990", "9281234567", "4567"]:
        assert secret not in everything
    assert all(len(digest) == 32 and int(digest, 16) >= 0 for _kind, digest in stored)


def test_people_of_another_organisation_are_never_suggested(coordinator, org, other_org, magomed):
    foreign = staff_member(other_org, "foreign-coordinator", ["coordinator"])
    twin = record(foreign, other_org, full_name="Магомед Ибрагимович Ибрагимов", date_of_birth="1990",
                  phones=["+7 928 123-45-67"])
    assert MatchSuggestion.objects.count() == 0
    assert selectors.candidates_for(twin) == []
    assert list(selectors.suggestions_for_review(foreign)) == []
    assert list(selectors.suggestions_for_review(coordinator)) == []


def test_a_changed_record_leaves_the_queue_when_it_no_longer_matches(coordinator, org, magomed):
    from safepassage.people.services import person_update

    other = record(coordinator, org, full_name="Magomed Ibragimov", date_of_birth="1990")
    assert len(open_suggestions(org)) == 1
    person_update(actor=coordinator, person=other, data=PersonData(full_name="Ruslan Ibragimov",
                                                                   date_of_birth="1971"))
    assert open_suggestions(org) == []


def test_dismissed_pairs_are_not_asked_about_again(coordinator, org, magomed):
    from safepassage.people.services import person_update

    other = record(coordinator, org, full_name="Magomed Ibragimov")
    [suggestion] = open_suggestions(org)
    services.suggestion_dismiss(actor=coordinator, suggestion=suggestion)
    person_update(actor=coordinator, person=other, data=PersonData(full_name="Magomed Ibragimov",
                                                                   date_of_birth="1990"))
    assert open_suggestions(org) == []
    assert MatchSuggestion.objects.get(pk=suggestion.pk).status == "not_duplicate"


def snapshot(person):
    person = Person.objects.get(pk=person.pk)
    return (person_data(person).__dict__, sorted(str(c.pk) for c in person.cases.all()),
            sorted(str(a.pk) for a in person.attachments.all()))


def test_merge_moves_everything_and_unmerge_restores_both_exactly(coordinator, org, magomed):
    other = record(coordinator, org, full_name="Mahomed Ibrahimov", date_of_birth="1990-05-12",
                   phones=["+7 999 000 11 22"], other_names=["Magomed I."])
    case_open(actor=coordinator, person=magomed)
    case = case_open(actor=coordinator, person=other)
    attachment = attachment_add(actor=coordinator, person=other, filename="passport.pdf",
                                content_type="application/pdf", content=b"%PDF-1.4 test")
    before_keep, before_merge = snapshot(magomed), snapshot(other)
    [suggestion] = open_suggestions(org)

    merge = services.person_merge(actor=coordinator, keep=magomed, merge=other, suggestion=suggestion)

    kept = Person.objects.get(pk=magomed.pk)
    assert case.pk in {c.pk for c in kept.cases.all()}
    assert attachment.pk in {a.pk for a in kept.attachments.all()}
    assert "Mahomed Ibrahimov" in kept.other_names and "+7 999 000 11 22" in kept.phones
    assert kept.date_of_birth == "1990-05-12"  # the more precise date agrees, so it is kept
    assert MatchSuggestion.objects.get(pk=suggestion.pk).status == "merged"
    assert selectors.active_merge_of(other) == merge
    assert not MatchKey.objects.filter(person=other).exists()
    found = selectors.candidates_for({"full_name": "Mahomed Ibrahimov"}, organisation=org)
    assert [c.person_id for c in found] == [magomed.pk]  # the merged record is reached through the kept one

    services.person_unmerge(actor=coordinator, merge_record=merge)

    assert snapshot(magomed) == before_keep
    assert snapshot(other) == before_merge
    assert Person.objects.get(pk=other.pk).attachments.get().filename == "passport.pdf"
    assert selectors.active_merge_of(other) is None
    assert MatchSuggestion.objects.get(pk=suggestion.pk).status == "open"
    actions = list(AuditEvent.objects.filter(target_id=str(magomed.pk)).values_list("action", flat=True))
    assert "person.merge" in actions and "person.unmerge" in actions


def test_unmerge_keeps_edits_made_after_the_merge(coordinator, org, magomed):
    from safepassage.people.services import person_update

    other = record(coordinator, org, full_name="Magomed Ibragimov", phones=["+7 999 000 11 22"])
    merge = services.person_merge(actor=coordinator, keep=magomed, merge=other)
    data = person_data(Person.objects.get(pk=magomed.pk))
    data.notes = "moved to a safe house"
    data.phones.append("+7 900 111 22 33")
    person_update(actor=coordinator, person=Person.objects.get(pk=magomed.pk), data=data)

    services.person_unmerge(actor=coordinator, merge_record=merge)

    kept = Person.objects.get(pk=magomed.pk)
    assert kept.notes == "moved to a safe house"
    assert kept.phones == ["+7 928 123-45-67", "+7 900 111 22 33"]
    assert kept.other_names == ["Мага"]


def test_a_merged_person_cannot_be_merged_again_until_unmerged(coordinator, org, magomed):
    other = record(coordinator, org, full_name="Magomed Ibragimov")
    third = record(coordinator, org, full_name="Muhammad Ibragimov")
    merge = services.person_merge(actor=coordinator, keep=magomed, merge=other)
    with pytest.raises(services.MergeNotAllowed):
        services.person_merge(actor=coordinator, keep=third, merge=other)
    services.person_unmerge(actor=coordinator, merge_record=merge)
    with pytest.raises(services.MergeNotAllowed):  # undone once is undone
        services.person_unmerge(actor=coordinator, merge_record=MergeRecord.objects.get(pk=merge.pk))
    services.person_merge(actor=coordinator, keep=third, merge=other)
    assert selectors.active_merge_of(other).keep_id == third.pk


def test_merged_chain_unwinds_in_order(coordinator, org, magomed):
    other = record(coordinator, org, full_name="Magomed Ibragimov")
    third = record(coordinator, org, full_name="Muhammad Ibragimov", date_of_birth="1990")
    first = services.person_merge(actor=coordinator, keep=magomed, merge=other)
    second = services.person_merge(actor=coordinator, keep=third, merge=magomed)
    with pytest.raises(services.MergeNotAllowed):
        services.person_unmerge(actor=coordinator, merge_record=first)
    services.person_unmerge(actor=coordinator, merge_record=second)
    services.person_unmerge(actor=coordinator, merge_record=first)
    assert selectors.active_merge_of(other) is None and selectors.active_merge_of(magomed) is None


def test_only_coordinators_merge(caseworker, coordinator, org, magomed):
    from safepassage.policy.rules import NotAllowed

    other = record(coordinator, org, full_name="Magomed Ibragimov")
    with pytest.raises(NotAllowed):
        services.person_merge(actor=caseworker, keep=magomed, merge=other)


def test_a_coordinator_of_another_organisation_cannot_merge(coordinator, org, other_org, magomed):
    from safepassage.policy.rules import NotAllowed

    foreign = staff_member(other_org, "foreign-coordinator", ["coordinator"])
    other = record(coordinator, org, full_name="Magomed Ibragimov")
    with pytest.raises(NotAllowed):
        services.person_merge(actor=foreign, keep=magomed, merge=other)


def test_comparing_candidates_is_audited(coordinator, org, magomed):
    other = record(coordinator, org, full_name="Magomed Ibragimov")
    event = AuditEvent.objects.filter(action="match.compare").last()
    assert event.target_id == str(other.pk) and event.detail["candidates"] == [str(magomed.pk)]


def test_match_input_reads_any_object(magomed):
    data = MatchInput.of(PersonData(full_name="A B", phones=["1234567"]))
    assert data.full_name == "A B" and data.phones == ("1234567",)


def test_a_write_hashes_each_key_once_and_stores_the_stored_keys(coordinator, org, magomed, monkeypatch):
    from safepassage.matching.keys import lookup_keys, stored_keys
    from safepassage.vault import services as vault

    hashed = []
    blind_index, blind_indexes = vault.blind_index, vault.blind_indexes

    def one(purpose, value):
        hashed.append((purpose, value))
        return blind_index(purpose, value)

    def many(items):
        items = list(items)
        hashed.extend(items)
        return blind_indexes(items)

    monkeypatch.setattr(vault, "blind_index", one)
    monkeypatch.setattr(vault, "blind_indexes", many)
    data = PersonData(full_name="Mahomed Ibrahimov", date_of_birth="1990-05-12", phones=["89281234567"])
    other = record(coordinator, org, **data.__dict__)
    plain = MatchInput.of(data)
    matching = sorted((p, v) for p, v in hashed if p.startswith("match."))
    # the stored keys are among the looked-up ones: none is hashed twice
    assert matching == sorted((f"match.{kind}", value) for kind, value in lookup_keys(plain))
    assert set(MatchKey.objects.filter(person=other).values_list("kind", "digest")) == {
        (kind, blind_index(f"match.{kind}", value)) for kind, value in stored_keys(plain)}
    [suggestion] = open_suggestions(org)
    assert {suggestion.person_a_id, suggestion.person_b_id} == {magomed.pk, other.pk}


def test_many_blind_indexes_are_each_the_blind_index(unsealed_vault):
    items = [("match.pair", "mHmt ipkmf"), ("match.phone", "9281234567"), ("name", ""), ("match.pair", "mHmt ipkmf")]
    assert unsealed_vault.blind_indexes(items) == [unsealed_vault.blind_index(p, v) for p, v in items]
