from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, CaseNote
from safepassage.cases.services import case_add_note, case_open
from safepassage.core.testing import staff_member
from safepassage.people.models import Attachment, Person, PersonIndex
from safepassage.people.services import ATTACHMENT_MAX_BYTES, PersonData, attachment_upload, person_create
from safepassage.vault.models import DataKey

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
SECRET_TEXT = "Паспорт 4510 123456, выдан ОВД Грозного".encode()


@pytest.fixture
def person(caseworker, org):
    return person_create(actor=caseworker, organisation=org, data=PersonData(full_name="Ахмед"))


def _upload(client, person, name, content, content_type="application/octet-stream"):
    return client.post(reverse("people:attachment_upload", args=[person.pk]),
                       {"file": SimpleUploadedFile(name, content, content_type=content_type)})


def _files_on_disk() -> list[Path]:
    return [p for p in Path(settings.SEALED_FILES_DIR).rglob("*") if p.is_file() and p.name != ".keep"]


def test_an_attachment_round_trips_and_is_sealed_on_disk(caseworker, person, client_as):
    client = client_as(caseworker)
    before = set(_files_on_disk())
    response = _upload(client, person, "паспорт.txt", SECRET_TEXT, "text/plain")
    assert response.status_code == 302
    attachment = Attachment.objects.get(person=person)
    [stored] = set(_files_on_disk()) - before
    assert stored.name == attachment.stored_as
    raw = stored.read_bytes()
    assert SECRET_TEXT not in raw and "Паспорт".encode() not in raw and b"4510 123456" not in raw

    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "паспорт.txt" in page
    download = client.get(reverse("people:attachment_download", args=[person.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == SECRET_TEXT
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"].startswith("text/plain")
    assert "no-store" in download["Cache-Control"]
    assert AuditEvent.objects.filter(action="attachment.read", target_id=str(person.pk),
                                     detail__attachment=str(attachment.pk)).count() == 1


def test_an_image_keeps_its_type_whatever_the_browser_claimed(caseworker, person, client_as):
    client = client_as(caseworker)
    assert _upload(client, person, "photo.png", PNG, "application/x-whatever").status_code == 302
    attachment = Attachment.objects.get(person=person)
    download = client.get(reverse("people:attachment_download", args=[person.pk, attachment.pk]))
    assert download["Content-Type"] == "image/png"


@pytest.mark.parametrize("name, content", [
    ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00 not a pdf at all"),
    ("archive.zip", b"PK\x03\x04" + b"\x00" * 40),
])
def test_files_of_other_types_are_refused_with_a_clear_message(caseworker, person, client_as, name, content):
    response = _upload(client_as(caseworker), person, name, content, "application/pdf")
    assert response.status_code == 400
    assert "Only PDF, JPEG, PNG and plain-text files can be attached." in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused_and_never_stored(caseworker, person, client_as):
    before = set(_files_on_disk())
    response = _upload(client_as(caseworker), person, "scan.pdf", b"%PDF-" + b"x" * ATTACHMENT_MAX_BYTES)
    assert response.status_code == 400
    assert "at most 20 MB" in response.content.decode()
    assert not Attachment.objects.exists() and set(_files_on_disk()) == before


def test_a_file_at_the_limit_is_accepted(caseworker, person, client_as):
    content = b"%PDF-" + b"x" * (ATTACHMENT_MAX_BYTES - 5)
    assert _upload(client_as(caseworker), person, "scan.pdf", content).status_code == 302
    assert Attachment.objects.get().size == ATTACHMENT_MAX_BYTES


def test_an_upload_without_a_file_asks_for_one(caseworker, person, client_as):
    response = client_as(caseworker).post(reverse("people:attachment_upload", args=[person.pk]), {})
    assert response.status_code == 400 and "Choose a file to attach." in response.content.decode()


def test_nobody_outside_the_persons_circle_uploads_or_downloads(caseworker, coordinator, person, org, client_as):
    attachment = attachment_upload(actor=caseworker, person=person, filename="a.txt", content=b"hello")
    outsider = staff_member(org, "outsider", ["caseworker"])
    client = client_as(outsider)
    assert client.get(reverse("people:attachment_download", args=[person.pk, attachment.pk])).status_code == 404
    assert _upload(client, person, "b.txt", b"x").status_code == 404
    assert Attachment.objects.count() == 1
    other = person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Другой"))
    response = client_as(coordinator).get(reverse("people:attachment_download", args=[other.pk, attachment.pk]))
    assert response.status_code == 404


def test_a_coordinator_deletes_a_person_after_confirming_and_the_data_key_is_shredded(
        coordinator, org, client_as, django_capture_on_commit_callbacks):
    person = person_create(actor=coordinator, organisation=org,
                           data=PersonData(full_name="Рамзан", phones=["+7 928 555 44 33"]))
    case = case_open(actor=coordinator, person=person, summary="Укрывается")
    case_add_note(actor=coordinator, case=case, body="Позвонил")
    attachment_upload(actor=coordinator, person=person, filename="a.txt", content=b"document")
    stored = list(Path(settings.SEALED_FILES_DIR).rglob(Attachment.objects.get().stored_as))
    client = client_as(coordinator)
    url = reverse("people:delete", args=[person.pk])

    page = client.get(url).content.decode()
    assert person.reference in page and "Nothing can bring the data back" in page
    response = client.post(url, {"reference": "P-000000"})
    assert response.status_code == 200 and "That reference does not match." in response.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reference": person.reference.lower()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:list")
    assert not DataKey.objects.filter(pk__in=[person.data_key_id, case.data_key_id]).exists()
    assert not Person.objects.filter(pk=person.pk).exists() and not Case.objects.exists()
    assert not CaseNote.objects.exists() and not PersonIndex.objects.exists() and not Attachment.objects.exists()
    assert stored and not any(p.exists() for p in stored)
    assert AuditEvent.objects.filter(action="person.delete", target_id=str(person.pk)).count() == 1
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 404


def test_a_caseworker_cannot_delete_a_person(caseworker, person, client_as):
    response = client_as(caseworker).post(reverse("people:delete", args=[person.pk]),
                                          {"reference": person.reference})
    assert response.status_code == 404
    assert Person.objects.filter(pk=person.pk).exists() and DataKey.objects.filter(pk=person.data_key_id).exists()


def test_a_large_upload_never_passes_through_a_plaintext_temporary_file(caseworker, person, client_as, monkeypatch):
    import django.core.files.uploadhandler as uploadhandler

    def no_temporary_files(*args, **kwargs):
        raise AssertionError("the upload was spooled to a temporary file")

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", no_temporary_files)
    content = b"%PDF-" + b"x" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE * 2)
    assert _upload(client_as(caseworker), person, "scan.pdf", content).status_code == 302
    assert Attachment.objects.get().size == len(content)
