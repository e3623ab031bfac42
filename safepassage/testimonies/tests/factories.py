"""Building testimonies for tests through the real services."""
from safepassage.testimonies.services import IncidentData, TestimonyData, testimony_create


def incident(violation="torture", perpetrator="police", place="grozny", when="2017-03", **extra) -> IncidentData:
    return IncidentData(violation=violation, perpetrator=perpetrator, place=place, occurred_on=when, **extra)


def record(actor, *incidents, public=True, pseudonym="Rustam", narrative="They came at night.", **kwargs):
    data = TestimonyData(pseudonym=pseudonym, interview_date="2017-05-02", language="ru", narrative=narrative)
    return testimony_create(actor=actor, data=data, incidents=list(incidents) or [incident()],
                            public_report=public, **kwargs)
