"""A testimony whose consent asks to keep it (public report, named bodies) keeps its giver's cases from
retention until both consents are withdrawn."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safepassage.cases.models import Case
from safepassage.cases.services import case_open
from safepassage.people.models import Person
from safepassage.people.services import PersonData, person_create
from safepassage.retention import hooks
from safepassage.retention.services import retention_due, retention_run
from safepassage.testimonies import services
from safepassage.testimonies.holds import keeps_case

from .factories import incident, record


def _person(actor, name):
    return person_create(actor=actor, organisation=actor.membership.organisation, data=PersonData(full_name=name))


def _ended(actor, person, days_ago=400):
    case = case_open(actor=actor, person=person)
    Case.objects.filter(pk=case.pk).update(status="closed", status_since=timezone.now() - timedelta(days=days_ago))
    case.refresh_from_db()
    return case


def _testimony_of(actor, person, *, public=False, named_bodies=None):
    data = services.TestimonyData(interviewee_person_id=str(person.pk), interview_date="2017-05-02", language="ru",
                         narrative="Меня держали в подвале.")
    return services.testimony_create(actor=actor, data=data, incidents=[incident()], public_report=public,
                            named_bodies=named_bodies)


@pytest.fixture
def given(coordinator):
    """Ислам testified, consenting to the public report and to the prosecutors; his case ended long ago."""
    person = _person(coordinator, "Ислам")
    testimony = _testimony_of(coordinator, person, public=True, named_bodies=["ICC Office of the Prosecutor"])
    return {"person": person, "testimony": testimony, "case": _ended(coordinator, person)}


def test_the_hold_is_registered_by_the_testimonies_app():
    assert keeps_case in hooks.holds()


def test_a_consented_testimony_keeps_its_givers_case_until_both_consents_are_withdrawn(coordinator, given):
    case, testimony = given["case"], given["testimony"]
    assert [(d.reference, d.held) for d in retention_due()] == [(case.reference, True)]
    report = retention_run()
    assert report.shredded == [] and report.held == [case.reference]
    assert Case.objects.filter(pk=case.pk).exists() and Person.objects.filter(pk=given["person"].pk).exists()

    services.consent_record(actor=coordinator, testimony=testimony, use="public_report", granted=False)
    assert retention_run().held == [case.reference]  # the prosecutors' consent still stands

    services.consent_record(actor=coordinator, testimony=testimony, use="named_bodies", granted=False)
    assert [(d.reference, d.held) for d in retention_due()] == [(case.reference, False)]
    assert retention_run().shredded == [case.reference]
    assert not Case.objects.filter(pk=case.pk).exists() and not Person.objects.filter(pk=given["person"].pk).exists()


@pytest.mark.parametrize("consents", [{"public": True}, {"named_bodies": ["UN Human Rights Committee"]}])
def test_either_consent_alone_keeps_every_case_of_the_person(coordinator, consents):
    person = _person(coordinator, "Зелимхан")
    _testimony_of(coordinator, person, **consents)
    first, second = _ended(coordinator, person, days_ago=800), _ended(coordinator, person)
    assert sorted(retention_run().held) == sorted([first.reference, second.reference])


def test_internal_use_pseudonymous_and_other_peoples_testimonies_keep_nothing(coordinator, given):
    alone = _person(coordinator, "Аслан")
    _testimony_of(coordinator, alone)  # internal use only
    record(coordinator, public=True)  # a pseudonym, no person in the system
    case = _ended(coordinator, alone)
    assert not keeps_case(case)
    report = retention_run()
    assert report.shredded == [case.reference] and report.held == [given["case"].reference]


def test_the_preview_shows_the_case_kept_by_a_hold(coordinator, given, client_as):
    page = client_as(coordinator).get(reverse("retention:preview")).content.decode()
    assert "Kept by a hold" in page and given["case"].reference in page and "Ислам" not in page
