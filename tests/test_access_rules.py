import pytest

from safepassage.cases.services import case_open
from safepassage.core.testing import staff_member
from safepassage.people.services import PersonData, person_create
from safepassage.policy.rules import can


@pytest.fixture
def world(org, other_org, coordinator, caseworker, unsealed_vault):
    other_worker = staff_member(org, "other-worker", ["caseworker"])
    admin_only = staff_member(org, "admin-only", ["admin"])
    researcher = staff_member(org, "researcher", ["researcher"])
    foreign = staff_member(other_org, "foreign-coordinator", ["coordinator"])
    person = person_create(actor=coordinator, organisation=org, data=PersonData(full_name="A"))
    case = case_open(actor=coordinator, person=person, assignees=[caseworker])
    return {"case": case, "person": person, "other_worker": other_worker, "admin_only": admin_only,
            "researcher": researcher, "foreign": foreign}


def test_the_assigned_caseworker_sees_the_case_and_its_person(world, caseworker):
    assert can(caseworker, "case.view", world["case"])
    assert can(caseworker, "person.view", world["person"])


def test_another_caseworker_of_the_same_org_does_not(world):
    assert not can(world["other_worker"], "case.view", world["case"])
    assert not can(world["other_worker"], "person.view", world["person"])


def test_a_team_member_sees_the_teams_cases(world, coordinator):
    from safepassage.accounts.models import Team
    from safepassage.cases.services import case_assign

    team = Team.objects.create(organisation=world["case"].organisation, name="North")
    world["other_worker"].membership.teams.add(team)
    case_assign(actor=coordinator, case=world["case"], assignees=[], team=team)
    assert can(world["other_worker"], "case.view", world["case"])


def test_the_admin_role_alone_never_opens_a_case_or_person(world):
    assert not can(world["admin_only"], "case.view", world["case"])
    assert not can(world["admin_only"], "person.view", world["person"])
    assert can(world["admin_only"], "member.manage")


def test_a_researcher_sees_no_person(world):
    assert not can(world["researcher"], "person.view", world["person"])
    assert not can(world["researcher"], "case.list")


def test_another_organisations_coordinator_sees_nothing(world):
    assert not can(world["foreign"], "case.view", world["case"])
    assert not can(world["foreign"], "person.view", world["person"])


def test_a_member_who_left_loses_access_at_once(world, caseworker):
    caseworker.membership.is_active = False
    caseworker.membership.save()
    caseworker.refresh_from_db()
    assert not can(caseworker, "case.view", world["case"])


def test_only_coordinators_shred_people(world, caseworker, coordinator):
    assert not can(caseworker, "person.delete", world["person"])
    assert can(coordinator, "person.delete", world["person"])
