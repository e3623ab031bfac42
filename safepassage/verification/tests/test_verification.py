"""Verification: the organisation's checklist gates "verified"; vouching; entrapment; sealed links."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case
from safepassage.cases.services import TransitionNotAllowed, case_open, case_transition
from safepassage.cases.workflow import NotVerified, require_verified
from safepassage.core.testing import staff_member
from safepassage.people.services import PersonData, person_create
from safepassage.policy.rules import NotAllowed
from safepassage.tasks.models import Task
from safepassage.verification.models import TrustedReferrer, Vouch
from safepassage.verification.selectors import cases_vouched_by
from safepassage.verification.services import (check_record, checklist_item_add, checklist_item_update,
                                               checklist_items, referrer_add, referrer_set_active, vouch_record)


@pytest.fixture
def person(coordinator, org):
    return person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Лейла"))


@pytest.fixture
def case(coordinator, caseworker, person):
    case = case_open(actor=coordinator, person=person, assignees=[caseworker])
    case_transition(actor=caseworker, case=case, to_status="screening")
    return case


def _pass_all(actor, case, org):
    for item in checklist_items(org):
        check_record(actor=actor, case=case, item=item, outcome="passed")


def test_each_organisation_starts_with_the_four_checks(org):
    assert [i.code for i in checklist_items(org)] == ["identity", "referrer", "story", "channel"]


def test_a_case_is_verified_only_when_every_required_check_passed(org, case, caseworker):
    items = {i.code: i for i in checklist_items(org)}
    check_record(actor=caseworker, case=case, item=items["identity"], outcome="failed", note="паспорт поддельный")
    with pytest.raises(TransitionNotAllowed, match="A check failed: Identity confirmed."):
        case_transition(actor=caseworker, case=case, to_status="verified", reason="x")
    check_record(actor=caseworker, case=case, item=items["identity"], outcome="passed")
    check_record(actor=caseworker, case=case, item=items["story"], outcome="concern")
    with pytest.raises(TransitionNotAllowed, match="Checks with a concern: Story consistent"):
        case_transition(actor=caseworker, case=case, to_status="verified", reason="x")
    for code in ("story", "channel"):
        check_record(actor=caseworker, case=case, item=items[code], outcome="passed")
    check_record(actor=caseworker, case=case, item=items["referrer"], outcome="not_applicable",
                 note="came through a hotline")
    case_transition(actor=caseworker, case=case, to_status="verified", reason="checks done")
    assert Case.objects.get(pk=case.pk).status == "verified"
    require_verified(case)


def test_an_organisation_adds_its_own_checks_and_makes_others_optional(org, case, coordinator, caseworker):
    extra = checklist_item_add(actor=coordinator, organisation=org, label="Second interview by a woman colleague")
    referrer = next(i for i in checklist_items(org) if i.code == "referrer")
    checklist_item_update(actor=coordinator, item=referrer, required=False, active=True)
    for item in checklist_items(org):
        if item.code in ("identity", "story", "channel"):
            check_record(actor=caseworker, case=case, item=item, outcome="passed")
    with pytest.raises(TransitionNotAllowed) as refused:
        case_transition(actor=caseworker, case=case, to_status="verified", reason="x")
    assert refused.value.message == "Checks not done yet: Second interview by a woman colleague."
    check_record(actor=caseworker, case=case, item=extra, outcome="passed")
    case_transition(actor=caseworker, case=case, to_status="verified", reason="checks done")
    assert Case.objects.get(pk=case.pk).status == "verified"
    with pytest.raises(NotAllowed):
        checklist_item_add(actor=caseworker, organisation=org, label="x")


def test_vouching_by_a_trusted_referrer_passes_the_referrer_check_and_seals_the_link(org, case, coordinator,
                                                                                    caseworker):
    referrer = referrer_add(actor=coordinator, organisation=org, name="Правозащитник Ахмед", contact="signal")
    vouch = vouch_record(actor=caseworker, case=case, referrer=referrer, note="знает семью")
    result = case.checks.get(item__code="referrer")
    assert result.outcome == "passed" and referrer.code in result.note
    raw = Vouch.objects.filter(pk=vouch.pk).values_list("referrer_ref", flat=True).get()
    assert str(referrer.pk).encode() not in bytes(raw)
    raw_name = TrustedReferrer.objects.filter(pk=referrer.pk).values_list("name", flat=True).get()
    assert "Ахмед".encode() not in bytes(raw_name)
    assert cases_vouched_by(coordinator, referrer) == [case]
    referrer_set_active(actor=coordinator, referrer=referrer, active=False)
    with pytest.raises(ValidationError):
        vouch_record(actor=caseworker, case=case, referrer=referrer)


def test_checks_are_closed_once_the_case_left_screening(org, case, caseworker):
    _pass_all(caseworker, case, org)
    case_transition(actor=caseworker, case=case, to_status="verified", reason="ok")
    with pytest.raises(ValidationError, match="requested or in screening"):
        check_record(actor=caseworker, case=case, item=checklist_items(org)[0], outcome="failed")


def test_entrapment_suspected_ends_the_case_and_starts_an_urgent_review(case, caseworker, client_as):
    response = client_as(caseworker).post(reverse("cases:move", args=[case.pk]), {
        "to": "entrapment_suspected",
        "move-entrapment_suspected-reason": "asked for the safe-house address before anything else"}, follow=True)
    assert "Case moved to Entrapment suspected." in response.content.decode()
    case.refresh_from_db()
    assert case.status == "entrapment_suspected"
    review = Task.objects.get(case=case, kind="exposure_review")
    assert review.urgent and review.done_at is None
    with pytest.raises(NotVerified):
        require_verified(case)
    assert not Task.objects.filter(case=case, kind="verify_identity", done_at__isnull=True).exists()


def test_the_checklist_page_records_checks_and_vouching(org, case, coordinator, caseworker, client_as):
    referrer = referrer_add(actor=coordinator, organisation=org, name="Друг")
    client = client_as(caseworker)
    url = reverse("verification:case", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Not verified: no safe-house address, staff name or route may reach the requester." in page
    assert referrer.code in page and "Друг" not in page  # codes only for the caseworker
    assert "Mark as entrapment suspected" in page
    identity = checklist_items(org)[0]
    response = client.post(reverse("verification:check", args=[case.pk, identity.pk]),
                           {f"check-{identity.pk}-outcome": "passed", f"check-{identity.pk}-note": "видео"},
                           follow=True)
    assert "Check recorded." in response.content.decode() and "видео" in response.content.decode()
    response = client.post(reverse("verification:vouch", args=[case.pk]), {"referrer": str(referrer.pk)},
                           follow=True)
    assert "Vouching recorded." in response.content.decode()
    assert AuditEvent.objects.filter(action="verification.vouch").exists()


def test_coordinators_manage_the_checklist_and_referrers_others_cannot(org, coordinator, caseworker, client_as):
    client = client_as(coordinator)
    response = client.post(reverse("verification:referrers"), {"name": "Марьям", "contact": "", "note": ""},
                           follow=True)
    assert "Марьям" in response.content.decode()
    response = client.post(reverse("verification:checklist"), {"label": "Photo of the threat", "required": "on"},
                           follow=True)
    assert "Photo of the threat" in response.content.decode()
    assert client_as(caseworker).get(reverse("verification:referrers")).status_code == 403
    assert client_as(caseworker).get(reverse("verification:checklist")).status_code == 403


def test_an_outsider_cannot_open_a_case_checklist(case, other_org, client_as):
    stranger = client_as(staff_member(other_org, "stranger", ["coordinator"]))
    assert stranger.get(reverse("verification:case", args=[case.pk])).status_code == 404
