"""People with cases in two teams, connected into a small network, for the exposure tests."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.apps import apps

from safepassage.accounts.models import Team
from safepassage.cases.services import case_open
from safepassage.core.testing import staff_member
from safepassage.exposure.services import connection_create
from safepassage.people.services import PersonData, person_create

needs_safehouses = pytest.mark.skipif(not apps.is_installed("safepassage.safehouses"),
                                      reason="the safehouses app is not installed")
needs_travel = pytest.mark.skipif(not apps.is_installed("safepassage.travel"), reason="the travel app is not installed")


def person_with_case(actor, org, name: str, *, assignees=(), team=None, risk: str = "low"):
    person = person_create(actor=actor, organisation=org, data=PersonData(full_name=name))
    case = case_open(actor=actor, person=person, risk_level=risk, assignees=list(assignees), team=team)
    return person, case


@dataclass
class Network:
    """The detained person (team A) knows ali (team A, 1 hop) and dana (team B, 1 hop); ali knows bela
    (team B, 2 hops); bela knows chingiz (team B, 3 hops); erik (team A) is connected to nobody."""

    detained: object
    detained_case: object
    ali: object
    ali_case: object
    bela: object
    bela_case: object
    chingiz: object
    chingiz_case: object
    dana: object
    dana_case: object
    erik: object
    erik_case: object
    worker_a: object
    worker_b: object


@pytest.fixture
def teams(org):
    return Team.objects.create(organisation=org, name="A"), Team.objects.create(organisation=org, name="B")


@pytest.fixture
def worker_a(org, teams, unsealed_vault):
    user = staff_member(org, "worker-a", ["caseworker"])
    user.membership.teams.add(teams[0])
    return user


@pytest.fixture
def worker_b(org, teams, unsealed_vault):
    user = staff_member(org, "worker-b", ["caseworker"])
    user.membership.teams.add(teams[1])
    return user


@pytest.fixture
def network(coordinator, org, teams, worker_a, worker_b) -> Network:
    team_a, team_b = teams
    detained, detained_case = person_with_case(coordinator, org, "Ибрагимов Магомед", team=team_a, risk="high")
    ali, ali_case = person_with_case(coordinator, org, "Али Дудаев", team=team_a)
    bela, bela_case = person_with_case(coordinator, org, "Бела Хасанова", team=team_b)
    chingiz, chingiz_case = person_with_case(coordinator, org, "Чингиз Умаров", team=team_b)
    dana, dana_case = person_with_case(coordinator, org, "Дана Исаева", team=team_b, risk="medium")
    erik, erik_case = person_with_case(coordinator, org, "Эрик Петров", team=team_a)
    connection_create(actor=coordinator, person=detained, other=ali, relationship="partner",
                      person_knows=["name", "phone", "address"], other_knows=["name"], details="Живут вместе с 2016.")
    connection_create(actor=coordinator, person=ali, other=bela, relationship="friend", person_knows=["phone"])
    connection_create(actor=coordinator, person=bela, other=chingiz, relationship="family", person_knows=["name"])
    connection_create(actor=coordinator, person=dana, other=detained, relationship="contact",
                      other_knows=["phone"])
    return Network(detained, detained_case, ali, ali_case, bela, bela_case, chingiz, chingiz_case, dana, dana_case,
                   erik, erik_case, worker_a, worker_b)
