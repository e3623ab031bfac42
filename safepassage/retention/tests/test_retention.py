"""Retention: ended cases past the organisation's period are crypto-shredded, unless a hold keeps them."""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, CaseNote
from safepassage.cases.services import case_add_note, case_open
from safepassage.people.models import Person
from safepassage.people.services import PersonData, person_create
from safepassage.retention import hooks
from safepassage.retention.services import retention_due, retention_policy_set, retention_run
from safepassage.vault.models import DataKey


@pytest.fixture
def held_refs():
    """A hold keeping the cases whose references are in the returned set (as a testimony's consent would)."""
    refs = set()

    def hold(case):
        return case.reference in refs

    hooks.register_retention_hold(hold)
    yield refs
    hooks._holds.remove(hold)


def _ended(coordinator, person, status="closed", days_ago=400):
    case = case_open(actor=coordinator, person=person)
    Case.objects.filter(pk=case.pk).update(status=status, status_since=timezone.now() - timedelta(days=days_ago))
    case.refresh_from_db()
    return case


@pytest.fixture
def person(coordinator, org):
    return person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Ислам"))


def test_only_ended_cases_past_the_period_are_due(org, coordinator, person):
    old = _ended(coordinator, person, days_ago=400)
    recent = _ended(coordinator, person, days_ago=100)
    open_case = case_open(actor=coordinator, person=person)
    Case.objects.filter(pk=open_case.pk).update(status_since=timezone.now() - timedelta(days=900))
    rejected = _ended(coordinator, person, status="rejected", days_ago=366)
    assert [d.reference for d in retention_due(organisation=org)] == [old.reference, rejected.reference]
    assert recent.reference not in [d.reference for d in retention_due()]


def test_the_period_is_per_organisation(org, coordinator, admin, person):
    case = _ended(coordinator, person, days_ago=100)
    retention_policy_set(actor=admin, organisation=org, days=90)
    assert [d.reference for d in retention_due(organisation=org)] == [case.reference]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        retention_policy_set(actor=admin, organisation=org, days=3)


def test_a_run_shreds_the_case_and_a_person_whose_last_case_it_was(org, coordinator, person):
    case = _ended(coordinator, person)
    case_add_note(actor=coordinator, case=case, body="где он живёт")
    keys = [case.data_key_id, person.data_key_id]
    report = retention_run()
    assert report.shredded == [case.reference] and report.people_shredded == 1
    assert not DataKey.objects.filter(pk__in=keys).exists()
    assert not Case.objects.filter(pk=case.pk).exists() and not Person.objects.filter(pk=person.pk).exists()
    assert not CaseNote.objects.exists()
    shred = AuditEvent.objects.get(action="retention.shred")
    assert shred.target_id == str(case.pk) and shred.detail["person_shredded"] is True


def test_a_person_with_another_case_is_kept(org, coordinator, person):
    old = _ended(coordinator, person)
    current = case_open(actor=coordinator, person=person)
    report = retention_run()
    assert report.shredded == [old.reference] and report.people_shredded == 0
    assert Person.objects.filter(pk=person.pk).exists() and Case.objects.filter(pk=current.pk).exists()
    assert DataKey.objects.filter(pk=person.data_key_id).exists()


def test_a_hold_keeps_a_case_until_it_is_lifted(org, coordinator, person, held_refs):
    case = _ended(coordinator, person)
    held_refs.add(case.reference)
    report = retention_run()
    assert report.shredded == [] and report.held == [case.reference]
    assert Case.objects.filter(pk=case.pk).exists()
    held_refs.clear()  # consent withdrawn
    assert retention_run().shredded == [case.reference]


def test_a_dry_run_shreds_nothing(org, coordinator, person):
    case = _ended(coordinator, person)
    out = StringIO()
    call_command("retention_run", "--dry-run", stdout=out)
    assert f"would shred: {case.reference}" in out.getvalue()
    assert Case.objects.filter(pk=case.pk).exists()
    call_command("retention_run", stdout=out)
    assert f"shredded: {case.reference}" in out.getvalue() and not Case.objects.filter(pk=case.pk).exists()


def test_the_preview_page_lists_references_only_and_admins_set_the_period(org, coordinator, admin, person,
                                                                          client_as, held_refs):
    due = _ended(coordinator, person, status="unreachable")
    kept = _ended(coordinator, person)
    held_refs.add(kept.reference)
    page = client_as(coordinator).get(reverse("retention:preview")).content.decode()
    assert "The next run will shred 1 case:" in page and due.reference in page
    assert "Kept by a hold" in page and kept.reference in page and "Ислам" not in page
    assert 'name="days_after_closing"' not in page  # the period is the admin's
    response = client_as(admin).post(reverse("retention:preview"), {"days_after_closing": "730"}, follow=True)
    assert "Retention saved." in response.content.decode()
    assert "Nothing is due." in response.content.decode()
    assert client_as(coordinator).post(reverse("retention:preview"), {"days_after_closing": "30"}).status_code == 403


@pytest.mark.parametrize("lang", ["ru", "fr"])
def test_the_preview_renders_in_other_languages(lang, coordinator, client_as):
    response = client_as(coordinator).get(reverse("retention:preview"), {"lang": lang})
    assert response.status_code == 200 and f'lang="{lang}"' in response.content.decode()


def test_the_operator_types_safepassage_retention_run(org, coordinator, person):
    from safepassage import cli

    case = _ended(coordinator, person)
    assert cli.resolve(["retention", "run", "--dry-run"]) == ("retention_run", ["--dry-run"])
    out = StringIO()
    call_command(*cli.resolve(["retention", "run", "--dry-run"])[:1], "--dry-run", stdout=out)
    assert case.reference in out.getvalue()


def test_a_run_with_holds_refuses_to_start_sealed(org, coordinator, person, held_refs, unsealed_vault):
    from safepassage.vault.errors import VaultSealed

    case = _ended(coordinator, person)
    unsealed_vault.seal()
    with pytest.raises(VaultSealed):
        retention_run()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="add --unseal"):
        call_command("retention_run")
    assert Case.objects.filter(pk=case.pk).exists()
