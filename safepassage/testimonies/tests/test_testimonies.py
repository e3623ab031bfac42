import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from safepassage.audit.models import AuditEvent
from safepassage.core.testing import staff_member
from safepassage.testimonies import selectors, services
from safepassage.testimonies.models import CountedIncident
from safepassage.testimonies import models as tm
from safepassage.testimonies.services import IncidentData, parse_incident_date

from .factories import incident, record


def test_the_narrative_and_the_interviewee_are_stored_only_as_ciphertext(coordinator):
    t = record(coordinator, narrative="Они пришли ночью в Аргуне", pseudonym="Зелимхан")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM testimonies_testimony")
        raw = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM testimonies_incident")
        raw += repr(cursor.fetchall())
    for secret in ("Они пришли", "Аргуне", "Зелимхан", "2017-05-02"):
        assert secret not in raw and secret.encode() not in raw.encode()
    again = tm.Testimony.objects.get(pk=t.pk)
    assert again.narrative == "Они пришли ночью в Аргуне"
    assert str(again) == again.reference


def test_a_testimony_counts_in_reports_only_while_public_consent_holds(coordinator):
    private = record(coordinator, incident(), incident("killing"), public=False)
    public = record(coordinator, incident(), incident("killing"), public=True)
    assert not CountedIncident.objects.filter(testimony=private).exists()
    assert CountedIncident.objects.filter(testimony=public).count() == 2

    services.consent_record(actor=coordinator, testimony=public, use="public_report", granted=False,
                            note="called us")
    assert not CountedIncident.objects.filter(testimony=public).exists()
    services.consent_record(actor=coordinator, testimony=private, use="public_report", granted=True)
    assert CountedIncident.objects.filter(testimony=private).count() == 2


def test_consent_history_keeps_who_recorded_each_decision_and_when(coordinator, caseworker):
    t = record(caseworker, public=True)
    services.consent_record(actor=coordinator, testimony=t, use="public_report", granted=False)
    history = [(c.use, c.granted, c.recorded_by) for c in selectors.consents_of(t) if c.use == "public_report"]
    assert history == [("public_report", True, caseworker), ("public_report", False, coordinator)]
    assert all(c.recorded_at for c in selectors.consents_of(t))


def test_sharing_with_named_bodies_needs_the_bodies_named(coordinator):
    t = record(coordinator)
    with pytest.raises(ValidationError):
        services.consent_record(actor=coordinator, testimony=t, use="named_bodies", granted=True)
    services.consent_record(actor=coordinator, testimony=t, use="named_bodies", granted=True,
                            bodies=["UN Human Rights Committee"])
    t.refresh_from_db()
    assert t.consent_named_bodies


def test_counted_incidents_keep_the_month_and_town_never_the_day_or_street(coordinator):
    t = record(coordinator, incident(when="2017-03-12", place="argun", place_detail="ул. Ленина, 5"))
    row = CountedIncident.objects.get(testimony=t)
    assert (row.year, row.month, row.place, row.region) == (2017, 3, "argun", "chechnya")
    year_only = record(coordinator, incident(when="2016"))
    assert CountedIncident.objects.get(testimony=year_only).month is None


@pytest.mark.parametrize("typed, expected", [
    ("2017", ("2017", "year")), ("2017-3", ("2017-03", "month")), ("03.2017", ("2017-03", "month")),
    ("12.03.2017", ("2017-03-12", "day")), ("2017-03-12", ("2017-03-12", "day")),
])
def test_incident_dates_are_kept_as_precise_as_they_are_known(typed, expected):
    assert parse_incident_date(typed) == expected


@pytest.mark.parametrize("typed", ["", "March", "2017-13", "31.02.2017", "2999"])
def test_impossible_incident_dates_are_refused(typed):
    with pytest.raises(ValidationError):
        parse_incident_date(typed)


def test_an_incident_must_use_the_vocabularies(coordinator):
    with pytest.raises(ValidationError) as err:
        record(coordinator, IncidentData(violation="made-up", perpetrator="police", place="grozny",
                                            occurred_on="2017"))
    assert "violation" in err.value.message_dict


def test_an_organisations_own_terms_are_its_alone(coordinator, org, other_org):
    term = services.term_add(actor=coordinator, vocab="place", parent="chechnya",
                             labels={"en": "Tsentoroy", "ru": "Центорой", "fr": "Tsentoroï"})
    record(coordinator, incident(place=term.code))
    assert services.terms(org, "place").filter(code=term.code).exists()
    assert not services.terms(other_org, "place").filter(code=term.code).exists()
    assert term.label("ru") == "Центорой"
    foreign = staff_member(other_org, "foreign", ["coordinator"])
    with pytest.raises(ValidationError):
        record(foreign, incident(place=term.code))


def test_every_read_of_a_testimony_is_audited(coordinator):
    t = record(coordinator)
    before = AuditEvent.objects.filter(action="testimony.read", target_id=str(t.pk)).count()
    selectors.testimony_for(coordinator, t.pk)
    assert AuditEvent.objects.filter(action="testimony.read", target_id=str(t.pk)).count() == before + 1


def test_caseworkers_open_only_testimonies_they_recorded_or_conducted(org, coordinator, caseworker):
    from django.http import Http404

    other = staff_member(org, "other-worker", ["caseworker"])
    t = record(coordinator, interviewer=caseworker)
    assert selectors.testimony_for(caseworker, t.pk) == t
    with pytest.raises(Http404):
        selectors.testimony_for(other, t.pk)


def test_attachments_are_type_checked_on_their_bytes_and_sealed(coordinator, settings):
    t = record(coordinator)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    attachment = services.testimony_attachment_add(actor=coordinator, testimony=t, filename="face.png", content=png)
    assert attachment.kind == "photo" and attachment.content_type == "image/png"
    assert services.testimony_attachment_read(actor=coordinator, attachment=attachment) == png
    with pytest.raises(ValidationError):
        services.testimony_attachment_add(actor=coordinator, testimony=t, filename="evil.pdf",
                                          content=b"MZ\x90\x00 not a pdf")
    settings.TESTIMONY_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        services.testimony_attachment_add(actor=coordinator, testimony=t, filename="long.mp3",
                                          content=b"ID3" + b"\0" * 200)


def test_destroying_a_testimony_shreds_its_key(coordinator):
    from safepassage.vault.models import DataKey

    t = record(coordinator)
    key = t.data_key_id
    services.testimony_delete(actor=coordinator, testimony=t)
    assert not DataKey.objects.filter(pk=key).exists()
    assert not tm.Testimony.objects.filter(pk=t.pk).exists()
    assert not CountedIncident.objects.exists()
