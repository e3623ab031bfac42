from django.core.files.uploadedfile import SimpleUploadedFile

from safepassage.audit.models import AuditEvent
from safepassage.core.testing import staff_member
from safepassage.testimonies.models import CountedIncident

from .factories import incident, record


def form_data(**extra):
    data = {"interviewee_reference": "", "pseudonym": "Ахмед", "interview_date": "2017-05-02", "interviewer": "",
            "language": "ce", "narrative": "Меня задержали.", "interviewer_notes": "", "public_report": "on",
            "named_bodies": "", "consent_note": "устно",
            "incident-TOTAL_FORMS": "3", "incident-INITIAL_FORMS": "0", "incident-MIN_NUM_FORMS": "0",
            "incident-MAX_NUM_FORMS": "20",
            "incident-0-violation": "torture", "incident-0-perpetrator": "police", "incident-0-place": "grozny",
            "incident-0-occurred_on": "03.2017", "incident-0-place_detail": "подвал", "incident-0-description": ""}
    data.update(extra)
    return data


def test_a_testimony_is_recorded_through_the_form_in_russian(coordinator, client_as):
    client = client_as(coordinator)
    page = client.get("/testimonies/new/?lang=ru").content.decode()
    assert "Пытки или жестокое обращение" in page and "Грозный" in page and "<script" not in page
    response = client.post("/testimonies/new/", form_data(interviewer=str(coordinator.pk)))
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "Меня задержали." in detail and "подвал" in detail
    assert CountedIncident.objects.get().month == 3


def test_a_testimony_needs_a_pseudonym_or_a_person(coordinator, client_as):
    response = client_as(coordinator).post("/testimonies/new/", form_data(pseudonym="",
                                                                          interviewer=str(coordinator.pk)))
    assert response.status_code == 200
    assert not CountedIncident.objects.exists()


def test_withdrawing_consent_on_the_page_removes_the_testimony_from_reports(coordinator, client_as):
    t = record(coordinator, incident(), public=True)
    response = client_as(coordinator).post(f"/testimonies/{t.pk}/consent/", {
        "use": "public_report", "granted": "no", "bodies": "", "note": "по телефону"})
    assert response.status_code == 302
    assert not CountedIncident.objects.filter(testimony=t).exists()
    assert AuditEvent.objects.filter(action="testimony.consent", target_id=str(t.pk),
                                     detail__granted=False).exists()


def test_an_attachment_that_is_not_what_it_claims_is_refused_on_the_page(coordinator, client_as):
    t = record(coordinator)
    client = client_as(coordinator)
    fake = SimpleUploadedFile("recording.mp3", b"#!/bin/sh\nrm -rf /\n", content_type="audio/mpeg")
    assert client.post(f"/testimonies/{t.pk}/attachments/", {"file": fake}).status_code == 400
    real = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/octet-stream")
    assert client.post(f"/testimonies/{t.pk}/attachments/", {"file": real}).status_code == 302
    assert t.attachments.get().content_type == "application/pdf"


def test_another_caseworker_gets_the_same_404_as_for_nothing(org, coordinator, client_as):
    t = record(coordinator)
    other = client_as(staff_member(org, "other-worker", ["caseworker"]))
    assert other.get(f"/testimonies/{t.pk}/").status_code == 404
    assert other.get("/testimonies/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_list_shows_pseudonyms_and_is_audited_once_per_page(coordinator, client_as):
    record(coordinator, pseudonym="Лейла")
    page = client_as(coordinator).get("/testimonies/").content.decode()
    assert "Лейла" in page
    assert AuditEvent.objects.filter(action="testimony.list", actor_id=coordinator.pk).count() == 1


def test_a_coordinator_extends_a_vocabulary_in_three_languages(coordinator, client_as):
    client = client_as(coordinator)
    response = client.post("/testimonies/vocabulary/", {"vocabulary": "violation", "label_en": "Forced marriage",
                                                        "label_ru": "Принудительный брак", "label_fr": "",
                                                        "parent": ""})
    assert response.status_code == 302
    assert "Принудительный брак" in client.get("/testimonies/new/?lang=ru").content.decode()
