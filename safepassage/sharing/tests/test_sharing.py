from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from safepassage.accounts.models import Organisation
from safepassage.accounts.services import organisation_create
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case
from safepassage.cases.services import case_open
from safepassage.core.testing import staff_member
from safepassage.people.models import Person
from safepassage.people.services import PersonData, person_create, person_delete
from safepassage.policy.rules import SHARE_PURPOSE_ROLES, NotAllowed, can
from safepassage.sharing import purposes, selectors, services
from safepassage.sharing.models import CaseShare
from safepassage.vault import shares as share_crypto
from safepassage.vault.errors import DecryptionFailed, KeyShredded
from safepassage.vault.models import DataKey

NAME = "Ибрагимов Магомед"
STORY = "Detained twice in Argun; family threatens."
ADDRESS = "ul. Lenina 12, Grozny"


@pytest.fixture
def relocation(db):
    return organisation_create(name="Relocation NGO", kind=Organisation.KIND_RELOCATION, case_prefix="R")


@pytest.fixture
def world(org, relocation, coordinator, caseworker, unsealed_vault):
    person = person_create(actor=coordinator, organisation=org, data=PersonData(
        full_name=NAME, gender="woman", current_location=ADDRESS, phones=["+7 928 111 22 33"]))
    case = case_open(actor=coordinator, person=person, summary=STORY, risk_level="critical", assignees=[caseworker])
    reloc_coordinator = staff_member(relocation, "reloc-coordinator", ["coordinator"])
    reloc_settlement = staff_member(relocation, "reloc-settlement", ["settlement"])
    third = organisation_create(name="Third NGO", case_prefix="T")
    third_coordinator = staff_member(third, "third-coordinator", ["coordinator"])
    return {"person": person, "case": case, "relocation": relocation, "reloc": reloc_coordinator,
            "reloc_settlement": reloc_settlement, "third": third, "third_coordinator": third_coordinator}


def _share(world, actor, **kwargs):
    services.share_consent_record(actor=actor, case=world["case"], organisation=world["relocation"])
    options = {"purpose": "relocation_planning", "travel_documents": "expired", **kwargs}
    return services.share_create(actor=actor, case=world["case"], recipient=world["relocation"], **options)


def test_every_purpose_has_its_roles_in_the_policy():
    assert set(purposes.PURPOSES) == set(SHARE_PURPOSE_ROLES)


def test_sharing_needs_the_persons_recorded_consent_for_that_organisation(world, caseworker):
    with pytest.raises(ValidationError) as error:
        services.share_create(actor=caseworker, case=world["case"], recipient=world["relocation"],
                              purpose="relocation_planning")
    assert "override_reason" in error.value.message_dict


def test_an_override_is_a_separate_permission_and_is_audited(world, caseworker, coordinator):
    with pytest.raises(NotAllowed):
        services.share_create(actor=caseworker, case=world["case"], recipient=world["relocation"],
                              purpose="relocation_planning", override_reason="phone seized, no way to ask")
    share = services.share_create(actor=coordinator, case=world["case"], recipient=world["relocation"],
                                  purpose="relocation_planning", override_reason="phone seized, no way to ask")
    assert share.consent.basis == "override"
    event = AuditEvent.objects.filter(action="case.share").last()
    assert event.detail["consent"] == "override" and "phone seized" not in str(event.detail)


def test_the_recipient_coordinator_sees_exactly_the_minimal_fields(world, caseworker):
    share = _share(world, caseworker)
    assert share.fields == ["pseudonym", "gender", "urgency", "travel_documents"]
    values = services.share_values(actor=world["reloc"], share=share)
    assert set(values) == {"pseudonym", "gender", "urgency", "travel_documents"}
    assert values["gender"] == "woman" and values["urgency"] == "critical" and values["travel_documents"] == "expired"
    assert NAME not in str(values) and ADDRESS not in str(values) and STORY not in str(values)


def test_the_share_is_sealed_for_the_recipient_organisation_only(world, caseworker):
    share = _share(world, caseworker)
    with pytest.raises(DecryptionFailed):
        share_crypto.share_open(share.data_key_id, share_id=share.pk, reader_organisation_id=world["third"].pk,
                                blob=share.sealed_fields)
    with pytest.raises(DecryptionFailed):  # not even the sender can open what it sealed for the recipient
        share_crypto.share_open(share.data_key_id, share_id=share.pk,
                                reader_organisation_id=world["case"].organisation_id, blob=share.sealed_fields)


def test_other_organisations_and_roles_the_purpose_does_not_serve_get_the_same_404(world, caseworker):
    share = _share(world, caseworker)
    for outsider in (world["third_coordinator"], world["reloc_settlement"], caseworker):
        with pytest.raises(Http404):
            selectors.share_in_for(outsider, share.pk)
    assert selectors.shares_received(world["reloc_settlement"]) == []


def test_revocation_stops_access_and_destroys_the_shares_key(world, caseworker):
    share = _share(world, caseworker)
    key_id, blob = share.data_key_id, share.sealed_fields
    services.share_revoke(actor=caseworker, share=share)
    with pytest.raises(Http404):
        selectors.share_in_for(world["reloc"], share.pk)
    assert not DataKey.objects.filter(pk=key_id).exists()
    with pytest.raises(KeyShredded):
        share_crypto.share_open(key_id, share_id=share.pk, reader_organisation_id=world["relocation"].pk, blob=blob)


def test_an_expired_share_opens_no_more_and_its_key_is_shredded_by_the_sweep(world, caseworker):
    share = _share(world, caseworker, days=7)
    CaseShare.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    share.refresh_from_db()
    assert not can(world["reloc"], "share_in.view", share)
    assert services.shares_expire() == 1
    assert not DataKey.objects.filter(pk=share.data_key_id).exists()


def test_withdrawing_consent_ends_the_shares_that_relied_on_it(world, caseworker):
    share = _share(world, caseworker)
    services.share_consent_withdraw(actor=caseworker, consent=share.consent)
    share.refresh_from_db()
    assert share.revoked_at is not None and share.sealed_fields is None


def test_deleting_the_person_shreds_their_shares_too(world, caseworker, coordinator):
    share = _share(world, caseworker)
    person_delete(actor=coordinator, person=world["person"])
    assert not CaseShare.objects.filter(pk=share.pk).exists()
    assert not DataKey.objects.filter(pk=share.data_key_id).exists()


def test_refreshing_sends_current_values_under_the_same_pseudonym(world, caseworker, coordinator):
    from safepassage.cases.services import case_set_risk

    share = _share(world, caseworker)
    before = services.share_values(actor=world["reloc"], share=share)
    case_set_risk(actor=coordinator, case=world["case"], risk_level="low", reasons="moved away")
    share = services.share_refresh(actor=caseworker, share=share)
    after = services.share_values(actor=world["reloc"], share=share)
    assert after["urgency"] == "low" and after["pseudonym"] == before["pseudonym"]


def test_a_transfer_moves_ownership_and_leaves_the_sender_a_stub(world, coordinator):
    services.share_consent_record(actor=coordinator, case=world["case"], organisation=world["relocation"])
    share = services.share_create(actor=coordinator, case=world["case"], recipient=world["relocation"],
                                  purpose="transfer")
    sender_case_id, person_id = world["case"].pk, world["person"].pk
    new_case = services.transfer_accept(actor=world["reloc"], share=share)
    assert new_case.organisation == world["relocation"] and new_case.person.full_name == NAME
    assert new_case.summary == STORY and new_case.risk_level == "critical"
    assert not Case.objects.filter(pk=sender_case_id).exists()
    assert not Person.objects.filter(pk=person_id).exists()
    stub = CaseShare.objects.get(pk=share.pk)
    assert stub.case is None and stub.case_reference == world["case"].reference
    assert stub.recipient_case_reference == new_case.reference and stub.state == "transferred"
    assert stub in selectors.shares_sent(coordinator)


def test_only_a_coordinator_offers_a_transfer(world, caseworker):
    services.share_consent_record(actor=caseworker, case=world["case"], organisation=world["relocation"])
    with pytest.raises(NotAllowed):
        services.share_create(actor=caseworker, case=world["case"], recipient=world["relocation"], purpose="transfer")


# --- pages --------------------------------------------------------------------------------------

def test_the_pages_share_and_show_only_the_shared_fields(world, caseworker, client_as):
    sender = client_as(caseworker)
    case = world["case"]
    response = sender.post(reverse("sharing:consent", args=[case.pk]), {"organisation": world["relocation"].pk})
    assert response.status_code == 302
    response = sender.post(reverse("sharing:create", args=[case.pk]), {
        "recipient": world["relocation"].pk, "purpose": "relocation_planning", "travel_documents": "none",
        "days": 30})
    assert response.status_code == 302
    share = CaseShare.objects.get(case=case)
    page = client_as(world["reloc"]).get(reverse("sharing:received", args=[share.pk])).content.decode()
    assert "No documents" in page and "Woman" in page and "Critical" in page
    assert NAME not in page and ADDRESS not in page and STORY not in page
    sent = sender.get(reverse("sharing:sent", args=[share.pk])).content.decode()
    assert "No documents" not in sent  # the sender sees which fields went, never the sealed values
    sender.post(reverse("sharing:revoke", args=[share.pk]))
    assert client_as(world["reloc"]).get(reverse("sharing:received", args=[share.pk])).status_code == 404
