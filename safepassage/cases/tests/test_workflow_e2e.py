"""Moving a case and working its tasks in a real browser with JavaScript off."""
import pytest

from safepassage.cases.models import Case
from safepassage.cases.services import case_open
from safepassage.core.testing import browser_login, staff_member
from safepassage.people.services import PersonData, person_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_caseworker_moves_a_case_works_a_task_and_a_colleague_confirms_the_safe_house(
        live_server, org, unsealed_vault, browser, page_no_js):
    coordinator = staff_member(org, "e2e-coordinator", ["coordinator"])
    caseworker = staff_member(org, "e2e-caseworker", ["caseworker"])
    person = person_create(actor=coordinator, organisation=org, data=PersonData(full_name="Рамзан"))
    case = case_open(actor=coordinator, person=person, risk_level="critical", assignees=[caseworker])
    page = page_no_js
    browser_login(page, live_server.url, caseworker)

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click("details summary:has-text('Screening')")  # <details> opens without JavaScript
    page.click("button:has-text('Move to Screening')")
    assert "Case moved to Screening." in page.content()
    assert "moved the case from Requested to Screening" in page.content()

    page.click("nav >> text=My work")
    row = page.locator("table.tasks tbody tr", has_text="Verify identity")
    assert case.reference in row.inner_text()
    row.locator("button:has-text('Done')").click()
    assert "Task done." in page.content()
    assert page.locator("table.tasks tbody tr", has_text="Verify identity").count() == 0

    Case.objects.filter(pk=case.pk).update(status="verified")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click("details summary:has-text('Sheltered')")
    page.fill("textarea[name='move-sheltered-reason']", "Угрозы семьи на этой неделе")
    page.click("button:has-text('Move to Sheltered')")
    assert "waits for a second person" in page.content()
    assert page.locator("button:has-text('Confirm the move')").count() == 0

    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    other = context.new_page()
    try:
        browser_login(other, live_server.url, coordinator)
        other.goto(f"{live_server.url}/cases/{case.pk}/")
        assert "Угрозы семьи на этой неделе" in other.content()
        other.click("button:has-text('Confirm the move')")
        assert "Confirmed: case moved to Sheltered." in other.content()
    finally:
        context.close()
    assert Case.objects.get(pk=case.pk).status == "sheltered"
