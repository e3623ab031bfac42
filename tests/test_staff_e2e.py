"""The staff site in a real browser (headless Chromium, JavaScript off) against a live server."""
import re

import pytest

from safepassage.core.testing import browser_login, staff_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_coordinator(live_server, org, unsealed_vault):
    return staff_member(org, "e2e-coordinator", ["coordinator"])


def test_log_in_with_totp_create_a_person_open_a_case_and_find_it(live_server, live_coordinator, page_no_js):
    page = page_no_js
    browser_login(page, live_server.url, live_coordinator)
    assert page.url.rstrip("/").endswith("/cases")

    page.goto(f"{live_server.url}/people/new/")
    page.fill("input[name=full_name]", "Ибрагимов Магомед Русланович")
    page.fill("textarea[name=other_names]", "Mago")
    page.fill("input[name=date_of_birth]", "1991-03")
    page.select_option("select[name=gender]", "self")
    page.fill("input[name=gender_self_described]", "queer")
    page.fill("textarea[name=phones]", "+7 (928) 111-22-33")
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text().strip() != ""
    assert "Ибрагимов Магомед Русланович" in page.content()
    reference = re.search(r"P-\d{6}", page.content()).group(0)

    page.click("text=Open a case")
    page.fill("textarea[name=summary]", "Detained twice; family threatens.")
    page.select_option("select[name=risk_level]", "critical")
    page.click("button[name=open]")
    case_reference = re.search(r"C-\d{4}-\d{5}", page.content()).group(0)
    assert "Detained twice; family threatens." in page.content()

    page.goto(f"{live_server.url}/cases/")
    page.fill("input[name=q]", "ibragimov magomed")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert case_reference in rows.first.inner_text()
    assert "?q=" not in page.url and "ibragimov" not in page.url
    page.fill("input[name=q]", "89281112233")
    page.click("form.filters button[type=submit]")
    assert case_reference in page.locator("table tbody").inner_text()
    assert reference  # the person got a random reference, shown on their page


def test_a_sealed_server_shows_only_the_unseal_page(live_server, live_coordinator, page_no_js, unsealed_vault):
    page = page_no_js
    browser_login(page, live_server.url, live_coordinator)
    unsealed_vault.seal()
    page.goto(f"{live_server.url}/cases/")
    assert page.url.endswith("/vault/")
    assert "Unseal" in page.content()
