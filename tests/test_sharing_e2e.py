"""Sharing between organisations in a real browser (headless Chromium, JavaScript off), against a live server.

A frontline caseworker records the person's consent and shares the case with a relocation NGO for
relocation planning; the relocation NGO's coordinator sees exactly the shared fields (pseudonym,
gender, urgency, travel document status: no name, no address, no story); once the caseworker revokes
the share, the coordinator sees nothing.
"""
import pytest

from safepassage.accounts.models import Organisation
from safepassage.accounts.services import organisation_create
from safepassage.cases.services import case_open
from safepassage.core.testing import browser_login, staff_member
from safepassage.people.services import PersonData, person_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "Хадижат Умарова"
ADDRESS = "ul. Pobedy 7, Gudermes"
STORY = "Her brothers found the messages; she hides at a friend's."


@pytest.fixture
def scene(live_server, org, unsealed_vault):
    frontline_worker = staff_member(org, "e2e-frontline", ["caseworker"])
    coordinator = staff_member(org, "e2e-front-coordinator", ["coordinator"])
    relocation = organisation_create(name="Relocation NGO e2e", kind=Organisation.KIND_RELOCATION, case_prefix="R")
    reloc_coordinator = staff_member(relocation, "e2e-reloc-coordinator", ["coordinator"])
    person = person_create(actor=coordinator, organisation=org, data=PersonData(
        full_name=NAME, gender="woman", current_location=ADDRESS, phones=["+7 928 765 43 21"]))
    case = case_open(actor=coordinator, person=person, summary=STORY, risk_level="critical",
                     assignees=[frontline_worker])
    return {"worker": frontline_worker, "reloc": reloc_coordinator, "relocation": relocation, "case": case}


def test_a_case_shared_for_relocation_planning_shows_exactly_the_shared_fields_until_revoked(
        live_server, scene, page_no_js, browser):
    sender = page_no_js
    browser_login(sender, live_server.url, scene["worker"])
    sender.goto(f"{live_server.url}/sharing/")
    sender.fill("input[name=reference]", scene["case"].reference)
    sender.click("form.filters button[type=submit]")
    assert f"/sharing/cases/{scene['case'].pk}/" in sender.url

    sender.select_option("select[name=organisation]", label=scene["relocation"].name)
    sender.click("text=Record consent")
    assert "Consent recorded" in sender.content()

    sender.select_option("select[name=recipient]", label=scene["relocation"].name)
    sender.select_option("select[name=purpose]", "relocation_planning")
    sender.select_option("select[name=travel_documents]", "expired")
    sender.select_option("select[name=days]", "30")
    sender.click("button[name=share]")
    assert "Shared." in sender.content()
    assert "Relocation planning" in sender.locator("table").first.inner_text()

    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    recipient = context.new_page()
    try:
        browser_login(recipient, live_server.url, scene["reloc"])
        recipient.goto(f"{live_server.url}/sharing/")
        recipient.click("a[href*='/sharing/received/']")
        shared_url = recipient.url
        fields = recipient.locator("dl.shared-fields dd")
        shown = {fields.nth(i).get_attribute("data-field"): fields.nth(i).inner_text()
                 for i in range(fields.count())}
        assert set(shown) == {"pseudonym", "gender", "urgency", "travel_documents"}
        assert shown["gender"] == "Woman" and shown["urgency"] == "Critical"
        assert shown["travel_documents"] == "Passport expired or confiscated"
        page = recipient.content()
        for secret in (NAME, ADDRESS, STORY, "765 43 21", scene["case"].reference):
            assert secret not in page
        recipient.goto(f"{live_server.url}/cases/{scene['case'].pk}/")
        assert recipient.locator("h1").inner_text() != scene["case"].reference  # their case page: not found

        sender.click("table >> text=Revoke")
        assert "Share revoked" in sender.content()

        response = recipient.goto(shared_url)
        assert response.status == 404
        for secret in (shown["pseudonym"], "Passport expired"):
            assert secret not in recipient.content()
        recipient.goto(f"{live_server.url}/sharing/")
        assert "Nothing is shared with you." in recipient.content()
    finally:
        context.close()
