import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.accounts.models import Membership, Organisation
from safepassage.cases.models import Case
from safepassage.core import demo
from safepassage.people.models import Person
from safepassage.vault import services as vault
from safepassage.vault.models import VaultState


@pytest.fixture
def loaded(db):
    summary = demo.demo_load(people=40)
    yield summary
    vault.seal()


def test_the_demo_is_a_clearly_labelled_fictional_organisation_unsealed_with_the_demo_key(loaded):
    organisation = Organisation.objects.get()
    assert organisation.name == demo.DEMO_ORG and organisation.is_demo and "fictional" in organisation.name
    assert vault.state().mode == VaultState.MODE_DEMO and vault.is_unsealed()
    assert loaded.people == Person.objects.count() == 40
    assert Case.objects.count() == loaded.cases > 20


def test_the_demo_staff_log_in_with_the_demo_password_and_fixed_authenticator_keys(loaded):
    members = {m.user.username: m for m in Membership.objects.select_related("user")}
    assert set(members) == {"coordinator", "caseworker1", "caseworker2", "intake", "admin"}
    assert members["admin"].roles == ["admin", "custodian"]
    for username, _roles, key in demo.DEMO_STAFF:
        assert members[username].user.check_password(demo.DEMO_PASSWORD)
        assert TOTPDevice.objects.get(user=members[username].user, confirmed=True).key == key


def test_the_demo_people_are_varied(loaded):
    people = list(Person.objects.all())
    genders = {p.gender for p in people}
    assert {"man", "woman"} <= genders
    names = " ".join(p.full_name for p in people)
    assert any("а" <= ch <= "я" for ch in names.lower()) and any("a" <= ch <= "z" for ch in names.lower())
    assert any(len(p.date_of_birth) == 4 for p in people) and any(p.phones for p in people)
    assert len({c.status for c in Case.objects.all()}) >= 5
    assert {tuple(sorted(u.username for u in c.assignees.all())) for c in Case.objects.all()} >= {
        ("caseworker1",), ("caseworker2",)}


def test_loading_the_demo_twice_adds_nothing(loaded):
    assert demo.demo_load(people=40) is None
    assert Person.objects.count() == 40 and Organisation.objects.count() == 1


def test_the_demo_never_mixes_with_a_real_vault(db):
    vault.initialise(shares=3, threshold=2)
    with pytest.raises(demo.DemoRefused):
        demo.demo_load(people=3)
    assert not Organisation.objects.filter(is_demo=True).exists()
