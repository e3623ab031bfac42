"""Fixtures for the whole suite: an unsealed vault, organisations and staff in each role."""
import os
import uuid

import dj_database_url
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


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (`make test` installs it)."""
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on the test thread; the ORM calls the tests make
    # between browser steps are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"])
        yield chromium
        chromium.close()


@pytest.fixture
def page_no_js(browser):
    """A browser tab with JavaScript disabled, as the people we serve often browse."""
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def make_cli_env(tmp_path):
    """make_cli_env(name): environment for a child `safepassage` on an empty data directory (and its
    own PostgreSQL database when the suite runs on PostgreSQL)."""
    created = []
    url = os.environ.get("DATABASE_URL", "")
    conninfo = None
    if url.startswith(("postgres://", "postgresql://")):
        config = dj_database_url.parse(url)
        conninfo = dict(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                        password=config["PASSWORD"] or None, dbname=config["NAME"])

    def make(name: str = "data") -> dict:
        env = {k: v for k, v in os.environ.items()
               if k not in ("DJANGO_SETTINGS_MODULE", "SAFEPASSAGE_DEMO", "SAFEPASSAGE_PASSPHRASE",
                            "DJANGO_ALLOW_ASYNC_UNSAFE")}  # (set by the browser tests)
        env["SAFEPASSAGE_DATA_DIR"] = str(tmp_path / name)
        if conninfo:
            import psycopg

            database = f"sp_cli_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(**conninfo, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
            created.append(database)
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + database
        return env

    yield make
    if conninfo:
        import psycopg

        with psycopg.connect(**conninfo, autocommit=True) as conn:
            for database in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def cli_env(make_cli_env):
    return make_cli_env()
