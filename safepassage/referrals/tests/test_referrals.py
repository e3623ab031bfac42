import subprocess
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from safepassage.accounts.models import Organisation
from safepassage.accounts.services import organisation_create
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case
from safepassage.core.testing import staff_member
from safepassage.policy.rules import NotAllowed
from safepassage.referrals import services
from safepassage.referrals.models import Decision, Programme, Referral
from safepassage.referrals.selectors import packet_copy
from safepassage.safehouses.tests.journey_helpers import verified_case

TODAY = timezone.localdate


@pytest.fixture
def case(coordinator, caseworker, org):
    return verified_case(coordinator, org, assignees=[caseworker])


@pytest.fixture
def canada():
    return Programme.objects.get(code="ca-gar")


@pytest.fixture
def france():
    return Programme.objects.get(code="fr-humanitarian-visa")


@pytest.fixture
def usa():
    return Programme.objects.get(code="us-usrap")


def _submitted(actor, case, programme):
    services.consent_record(actor=actor, case=case, programme=programme, note="By voice, with interpreter.")
    referral = services.referral_create(actor=actor, case=case, programme=programme)
    return services.referral_submit(actor=actor, referral=referral)


def _pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


# --- programmes as data -------------------------------------------------------------------------

def test_real_programmes_ship_as_data_with_labels_in_three_languages(db):
    codes = set(Programme.objects.values_list("code", flat=True))
    assert {"ca-gar", "fr-humanitarian-visa", "de-humanitarian-admission", "us-usrap"} <= codes
    canada = Programme.objects.get(code="ca-gar")
    assert canada.country == "CA" and canada.uses_rrf
    assert canada.label("ru").startswith("Канада") and canada.label("fr").startswith("Canada")


# --- building a packet --------------------------------------------------------------------------

def test_a_packet_holds_exactly_the_programmes_fields_filled_from_the_case(caseworker, case, france):
    referral = services.referral_create(actor=caseworker, case=case, programme=france)
    fields = referral.packet["fields"]
    assert list(fields) == [code for code in france.fields]
    assert fields["full_name"] == "Ибрагимов Магомед"
    assert fields["persecution_summary"] == "Задержан в 2017; семья угрожает."
    assert "risk_summary" not in fields and "gender" not in fields  # France does not ask for them
    services.referral_update_packet(actor=caseworker, referral=referral,
                                    fields={"nationality": "Russian", "risk_summary": "should be dropped"})
    referral.refresh_from_db()
    assert referral.packet["fields"]["nationality"] == "Russian"
    assert "risk_summary" not in referral.packet["fields"]


def test_packet_contents_are_stored_only_as_ciphertext(caseworker, case, canada):
    services.referral_create(actor=caseworker, case=case, programme=canada)
    with connection.cursor() as cursor:
        cursor.execute("SELECT country, status, packet FROM referrals_referral")
        country, status, packet = cursor.fetchone()
    assert (country, status) == ("CA", "draft")
    assert "Ибрагимов".encode() not in bytes(packet)


def test_a_second_open_referral_to_the_same_programme_is_refused(caseworker, case, canada):
    services.referral_create(actor=caseworker, case=case, programme=canada)
    with pytest.raises(services.AlreadyReferred):
        services.referral_create(actor=caseworker, case=case, programme=canada)


# --- consent ------------------------------------------------------------------------------------

def test_a_packet_is_not_submitted_without_the_persons_consent(caseworker, case, canada):
    referral = services.referral_create(actor=caseworker, case=case, programme=canada)
    with pytest.raises(services.ConsentMissing):
        services.referral_submit(actor=caseworker, referral=referral)
    with pytest.raises(NotAllowed):  # overriding is a coordinator's permission
        services.referral_submit(actor=caseworker, referral=referral, override_reason="No time.")
    assert Referral.objects.get(pk=referral.pk).status == "draft"


def test_consent_for_one_programme_does_not_cover_another(caseworker, case, canada, france):
    services.consent_record(actor=caseworker, case=case, programme=canada)
    referral = services.referral_create(actor=caseworker, case=case, programme=france)
    with pytest.raises(services.ConsentMissing):
        services.referral_submit(actor=caseworker, referral=referral)


def test_withdrawn_consent_stops_new_submissions(caseworker, case, canada):
    consent = services.consent_record(actor=caseworker, case=case, programme=canada)
    services.consent_withdraw(actor=caseworker, consent=consent)
    referral = services.referral_create(actor=caseworker, case=case, programme=canada)
    with pytest.raises(services.ConsentMissing):
        services.referral_submit(actor=caseworker, referral=referral)


def test_a_coordinators_override_is_a_separate_audited_act_with_a_sealed_reason(coordinator, case, canada):
    referral = services.referral_create(actor=coordinator, case=case, programme=canada)
    services.referral_submit(actor=coordinator, referral=referral, override_reason="Detained tomorrow; unreachable.")
    referral.refresh_from_db()
    assert referral.status == "submitted" and referral.consent_overridden_by == coordinator
    assert referral.consent_override_reason == "Detained tomorrow; unreachable."
    event = AuditEvent.objects.get(action="referral.consent_override")
    assert event.actor_id == coordinator.pk and "Detained" not in str(event.detail)


# --- submission and decisions ------------------------------------------------------------------

def test_submitting_refers_the_case_and_an_approval_approves_it(caseworker, case, canada):
    referral = _submitted(caseworker, case, canada)
    case.refresh_from_db()
    assert case.status == "referred" and referral.submitted_at is not None
    services.referral_decide(actor=caseworker, referral=referral, outcome="approved", decided_on=TODAY())
    case.refresh_from_db()
    assert case.status == "approved" and Referral.objects.get(pk=referral.pk).status == "approved"


def test_a_denial_keeps_its_reason_sealed_and_its_code_in_the_clear_and_the_case_can_be_re_referred(
        caseworker, case, usa, canada):
    referral = _submitted(caseworker, case, usa)
    day = TODAY() - timedelta(days=2)
    services.referral_decide(actor=caseworker, referral=referral, outcome="denied", decided_on=day,
                             reason_code="security_screening", reason="Security advisory opinion negative.")
    case.refresh_from_db()
    assert case.status == "denied"
    decision = Decision.objects.get()
    assert (decision.outcome, decision.reason_code, decision.decided_on) == ("denied", "security_screening", day)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM referrals_decision")
        assert b"advisory" not in bytes(cursor.fetchone()[0])
    again = _submitted(caseworker, case, canada)
    case.refresh_from_db()
    assert case.status == "referred" and again.status == "submitted"


def test_a_denial_needs_a_reason_code(caseworker, case, usa):
    referral = _submitted(caseworker, case, usa)
    with pytest.raises(ValidationError):
        services.referral_decide(actor=caseworker, referral=referral, outcome="denied", decided_on=TODAY())


def test_more_information_reopens_the_packet_for_an_answer(caseworker, case, canada):
    referral = _submitted(caseworker, case, canada)
    services.referral_decide(actor=caseworker, referral=referral, outcome="more_info", decided_on=TODAY(),
                             reason="Which documents does the person hold?")
    referral.refresh_from_db()
    assert referral.status == "more_info" and referral.is_editable
    services.referral_update_packet(actor=caseworker, referral=referral, fields={"travel_documents": "Passport"})
    services.referral_submit(actor=caseworker, referral=referral)
    referral.refresh_from_db()
    assert referral.status == "submitted" and Case.objects.get(pk=case.pk).status == "referred"


def test_a_referral_before_verification_is_refused(coordinator, org, canada):
    from safepassage.cases.services import case_open
    from safepassage.people.services import PersonData, person_create

    person = person_create(actor=coordinator, organisation=org, data=PersonData(full_name="X"))
    unverified = case_open(actor=coordinator, person=person)
    services.consent_record(actor=coordinator, case=unverified, programme=canada)
    referral = services.referral_create(actor=coordinator, case=unverified, programme=canada)
    with pytest.raises(services.NotVerifiedYet):
        services.referral_submit(actor=coordinator, referral=referral)


# --- the RRF shape: family members and their confidential sections ------------------------------

def _rrf_referral(caseworker, case, canada):
    referral = services.referral_create(actor=caseworker, case=case, programme=canada)
    services.referral_update_packet(actor=caseworker, referral=referral, fields={}, rrf={
        "submission_category": "survivor_violence_torture", "priority": "emergency", "linked_cases": "",
        "principal_confidential": "PRINCIPAL-SECRET: tortured in Argun."})
    partner = services.referral_member_add(actor=caseworker, referral=referral, name="Хава", relationship="partner",
                                           confidential="PARTNER-SECRET: pregnant.")
    child = services.referral_member_add(actor=caseworker, referral=referral, name="Али", relationship="child",
                                         date_of_birth="2019", confidential="CHILD-SECRET: asthma.")
    referral.refresh_from_db()
    return referral, partner, child


def test_an_rrf_packet_records_category_priority_and_case_size(caseworker, case, canada):
    referral, _partner, _child = _rrf_referral(caseworker, case, canada)
    assert (referral.priority, referral.case_size) == ("emergency", 3)
    copy = packet_copy(referral)
    assert copy["rrf"]["submission_category"] == "Survivor of violence and/or torture"
    assert copy["rrf"]["priority"] == "Emergency: removal within days"


def test_each_family_members_copy_omits_the_others_confidential_sections(caseworker, case, canada):
    referral, partner, child = _rrf_referral(caseworker, case, canada)
    principal = _pdf_text(services_pdf(referral, "principal"))
    assert "PRINCIPAL-SECRET" in principal and "PARTNER-SECRET" not in principal and "CHILD-SECRET" not in principal
    partners = _pdf_text(services_pdf(referral, partner["id"]))
    assert "PARTNER-SECRET" in partners and "PRINCIPAL-SECRET" not in partners and "CHILD-SECRET" not in partners
    assert "Хава" in partners and "Али" in partners  # the family is on every copy; the secrets are not


def services_pdf(referral, copy):
    from safepassage.referrals.exports import referral_pdf

    return referral_pdf(referral, copy=copy)


def test_linked_cases_must_be_references_of_the_organisation(caseworker, coordinator, org, case, canada):
    other = verified_case(coordinator, org, name="Partner", assignees=[caseworker])
    referral = services.referral_create(actor=caseworker, case=case, programme=canada)
    with pytest.raises(ValidationError):
        services.referral_update_packet(actor=caseworker, referral=referral, fields={},
                                        rrf={"priority": "urgent", "linked_cases": "C-1999-99999"})
    services.referral_update_packet(actor=caseworker, referral=referral, fields={},
                                    rrf={"priority": "urgent", "linked_cases": other.reference})
    referral.refresh_from_db()
    assert referral.packet["rrf"]["linked_cases"] == [other.reference]


def test_the_pdf_export_is_audited_and_named_by_reference_only(caseworker, case, canada, client_as):
    referral, partner, _child = _rrf_referral(caseworker, case, canada)
    response = client_as(caseworker).get(reverse("referrals:pdf", args=[referral.pk, partner["id"]]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{referral.reference}-{partner["id"]}.pdf"'
    assert AuditEvent.objects.filter(action="referral.export", target_id=str(case.pk)).exists()
    assert client_as(caseworker).get(reverse("referrals:pdf", args=[referral.pk, "nobody"])).status_code == 404


# --- the government liaison ---------------------------------------------------------------------

@pytest.fixture
def ircc(canada, unsealed_vault):
    government = organisation_create(name="IRCC test desk", kind=Organisation.KIND_GOVERNMENT, case_prefix="G")
    Programme.objects.filter(pk=canada.pk).update(liaison_organisation=government)
    canada.refresh_from_db()
    return staff_member(government, "ircc-officer", ["liaison"])


def test_a_liaison_sees_only_submitted_packets_to_their_programme_and_decides(caseworker, case, canada, france, ircc,
                                                                           client_as):
    draft = services.referral_create(actor=caseworker, case=case, programme=canada)
    client = client_as(ircc)
    assert draft.reference not in client.get(reverse("referrals:inbox")).content.decode()
    assert client.get(reverse("referrals:packet", args=[draft.pk])).status_code == 404
    services.consent_record(actor=caseworker, case=case, programme=canada)
    services.referral_submit(actor=caseworker, referral=draft)
    to_france = _submitted(caseworker, case, france)
    inbox = client.get(reverse("referrals:inbox")).content.decode()
    assert draft.reference in inbox and to_france.reference not in inbox
    page = client.get(reverse("referrals:packet", args=[draft.pk])).content.decode()
    assert "Ибрагимов Магомед" in page
    assert client.get(reverse("referrals:packet", args=[to_france.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    response = client.post(reverse("referrals:packet_decide", args=[draft.pk]), {
        "outcome": "approved", "decided_on": TODAY().isoformat()})
    assert response.status_code == 302
    assert Referral.objects.get(pk=draft.pk).status == "approved"
    assert Case.objects.get(pk=case.pk).status == "approved"


# --- pages --------------------------------------------------------------------------------------

def test_the_case_page_builds_a_packet_and_records_consent(caseworker, case, canada, client_as):
    client = client_as(caseworker)
    response = client.post(reverse("referrals:consent", args=[case.pk]), {"programme": "ca-gar", "note": "Yes."})
    assert response.status_code == 302
    response = client.post(reverse("referrals:create", args=[case.pk]), {"programme": "ca-gar"})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == reverse("referrals:detail", args=[referral.pk])
    response = client.post(reverse("referrals:submit", args=[referral.pk]))
    assert response.status_code == 302 and Referral.objects.get().status == "submitted"


def test_submitting_without_consent_says_so_on_the_page(caseworker, case, canada, client_as):
    referral = services.referral_create(actor=caseworker, case=case, programme=canada)
    response = client_as(caseworker).post(reverse("referrals:submit", args=[referral.pk]))
    assert response.status_code == 400
    assert "has not consented" in response.content.decode()


@pytest.mark.parametrize("lang", ["en", "ru", "fr"])
def test_the_referral_pages_render_in_every_language(lang, coordinator, caseworker, case, canada, ircc, client_as):
    referral, partner, _child = _rrf_referral(caseworker, case, canada)
    services.consent_record(actor=caseworker, case=case, programme=canada)
    services.referral_submit(actor=caseworker, referral=referral)
    client = client_as(caseworker)
    for url in (reverse("referrals:case", args=[case.pk]), reverse("referrals:detail", args=[referral.pk])):
        response = client.get(url, {"lang": lang})
        assert response.status_code == 200, url
    response = client.get(reverse("referrals:pdf", args=[referral.pk, "principal"]), {"lang": lang})
    assert response.status_code == 200
    liaison = client_as(ircc)
    for url in (reverse("referrals:inbox"), reverse("referrals:packet", args=[referral.pk])):
        assert liaison.get(url, {"lang": lang}).status_code == 200
    figures = client_as(coordinator).get(reverse("referrals:figures"), {"lang": lang})
    assert figures.status_code == 200
    assert {"en": "Journey figures", "ru": "Цифры пути", "fr": "Chiffres du parcours"}[lang] in \
        figures.content.decode()


def test_the_case_timeline_tells_the_referral_in_words(caseworker, case, usa, client_as):
    referral = _submitted(caseworker, case, usa)
    services.referral_decide(actor=caseworker, referral=referral, outcome="denied", decided_on=TODAY(),
                             reason_code="security_screening", reason="Security advisory opinion negative.")
    html = client_as(caseworker).get(f"/cases/{case.pk}/").content.decode()
    timeline = html[html.index('id="timeline"'):]
    programme = usa.label("en")
    assert f"Consent recorded to share the packet with {programme}." in timeline
    assert f"Referral to {programme}: submitted." in timeline
    assert f"Decision of {programme}: denied. Security screening." in timeline
    assert "referral_decision" not in timeline and "referral_consent" not in timeline
