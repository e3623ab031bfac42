"""Fixtures for the whole suite: an unsealed vault, organisations and staff in each role."""
import pytest

from safepassage.accounts.services import organisation_create
from safepassage.core.testing import login_verified, staff_member
from safepassage.vault import services as vault


@pytest.fixture
def unsealed_vault(db):
    """A fresh vault (demo mode: fast, no shares) unsealed for the test, sealed afterwards."""
    vault.initialise(mode="demo")
    yield vault
    vault.seal()


@pytest.fixture
def org(db):
    return organisation_create(name="Frontline Test NGO")


@pytest.fixture
def other_org(db):
    return organisation_create(name="Other NGO", case_prefix="O")


@pytest.fixture
def coordinator(org, unsealed_vault):
    return staff_member(org, "coordinator", ["coordinator"])


@pytest.fixture
def caseworker(org, unsealed_vault):
    return staff_member(org, "caseworker", ["caseworker"])


@pytest.fixture
def admin(org, unsealed_vault):
    return staff_member(org, "admin", ["admin", "custodian"])


@pytest.fixture
def client_as():
    """`client_as(user)`: a Django test client logged in with the second factor passed."""
    from django.test import Client

    def make(user):
        client = Client()
        login_verified(client, user)
        return client

    return make
