"""The server's own periodic work: runs only while unsealed, each job at its pace, failures contained."""
from safepassage.cases.models import Case
from safepassage.core import periodic
from safepassage.travel.tests.helpers import case_with_missed_checkin
from safepassage.vault import services as vault


def test_a_missed_check_in_alarms_without_anyone_running_a_command(coordinator, caseworker, org):
    case = case_with_missed_checkin(coordinator, caseworker, org)
    done = periodic.run_due({}, now=0.0)
    assert done["travel_check"] == 1
    assert Case.objects.get(pk=case.pk).risk_level == "critical"


def test_nothing_runs_while_sealed(monkeypatch, unsealed_vault):
    ran = []
    monkeypatch.setattr(periodic, "_JOBS", {"job": periodic.Job("job", lambda: ran.append(1) or 1, every=60)})
    vault.seal()
    assert periodic.run_due({}, now=0.0) == {} and ran == []


def test_each_job_runs_at_its_own_pace_and_a_failure_stops_no_other(monkeypatch, unsealed_vault):
    ran = []

    def broken():
        raise RuntimeError("secret detail that must not be logged")

    monkeypatch.setattr(periodic, "_JOBS", {
        "broken": periodic.Job("broken", broken, every=10),
        "often": periodic.Job("often", lambda: ran.append("often") or 0, every=10),
        "rarely": periodic.Job("rarely", lambda: ran.append("rarely") or 2, every=100),
    })
    last: dict = {}
    assert periodic.run_due(last, now=1000.0) == {"often": 0, "rarely": 2}
    assert periodic.run_due(last, now=1005.0) == {}
    assert periodic.run_due(last, now=1011.0) == {"often": 0}
    assert ran == ["often", "rarely", "often"]


def test_the_intake_server_runs_no_jobs(settings):
    settings.PERIODIC_TICK_SECONDS = 0
    assert periodic.start() is None
