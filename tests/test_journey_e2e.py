"""One case through its whole journey after verification, in the staff pages of a real server
(headless Chromium, JavaScript off): into a safe house with a second person's confirmation, referred
with the person's consent, approved by the programme's liaison, travel with a check-in, arrival,
settlement, and closing confirmed by a second person. Each member works in their own browser."""
import pytest
from django.utils import timezone

from safepassage.accounts.models import Organisation
from safepassage.accounts.services import organisation_create
from safepassage.cases.models import Case
from safepassage.core.testing import browser_login, staff_member
from safepassage.referrals.models import Programme, Referral
from safepassage.safehouses.models import Stay
from safepassage.safehouses.services import safehouse_create
from safepassage.safehouses.tests.journey_helpers import verified_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(live_server, org, unsealed_vault):
    # browser tests run on a real database that earlier ones flushed: put back the shipped programmes
    import importlib

    from django.apps import apps

    importlib.import_module("safepassage.referrals.migrations.0002_shipped_programmes").load(apps, None)
    government = organisation_create(name="IRCC desk (e2e)", kind=Organisation.KIND_GOVERNMENT, case_prefix="G")
    Programme.objects.filter(code="ca-gar").update(liaison_organisation=government)
    members = {
        "caseworker": staff_member(org, "e2e-caseworker", ["caseworker"]),
        "keeper": staff_member(org, "e2e-keeper", ["safehouse"]),
        "coordinator": staff_member(org, "e2e-coordinator", ["coordinator"]),
        "liaison": staff_member(government, "e2e-liaison", ["liaison"]),
    }
    members["house"] = safehouse_create(actor=members["keeper"], codename="Birch", area="Moscow region", capacity=3,
                     address="ул. Ленина 5", contact="Анна")
    members["case"] = verified_case(members["coordinator"], org, name="Ибрагимов Магомед",
                                    assignees=[members["caseworker"]])
    return members


def _tab(browser, live_server, user):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    browser_login(page, live_server.url, user)
    return page


def _status(case) -> str:
    return Case.objects.get(pk=case.pk).status


def test_one_case_from_verification_to_closed_in_the_staff_pages(live_server, browser, team):
    url, case = live_server.url, team["case"]
    worker = _tab(browser, live_server, team["caseworker"])

    # the case page leads to the journey pages
    worker.goto(f"{url}/cases/{case.pk}/")
    worker.click("nav.journey-nav >> text=Shelter")
    assert worker.url.endswith(f"/safehouses/cases/{case.pk}/")

    # into a safe house: the caseworker proposes, the safe-house coordinator confirms
    worker.select_option("select[name=house]", str(team["house"].pk))
    worker.fill("textarea[name=reason]", "His brother found the flat.")
    worker.click("button:has-text('Propose the move')")
    assert "someone else must confirm it" in worker.content()
    assert "Ленина" not in worker.content()
    keeper = _tab(browser, live_server, team["keeper"])
    keeper.goto(f"{url}/safehouses/cases/{case.pk}/")
    keeper.click("button:has-text('Confirm the move')")
    assert "Checked in to Birch" in keeper.content()
    assert _status(case) == "sheltered"
    keeper.goto(f"{url}/safehouses/")
    assert case.reference in keeper.locator("table.board").inner_text()

    # the referral: consent, the packet, submission
    worker.goto(f"{url}/referrals/cases/{case.pk}/")
    worker.select_option("form[action$='/consent/'] select[name=programme]", "ca-gar")
    worker.fill("textarea[name=note]", "By voice on a call, with an interpreter.")
    worker.click("button:has-text('Record consent')")
    worker.select_option("form[action$='/new/'] select[name=programme]", "ca-gar")
    worker.click("button:has-text('Build the packet')")
    assert worker.input_value("input[name=full_name]") == "Ибрагимов Магомед"
    worker.fill("input[name=nationality]", "Russian Federation")
    worker.select_option("select[name=priority]", "emergency")
    worker.fill("textarea[name=principal_confidential]", "Held in Argun in 2017.")
    worker.click("button:has-text('Save the packet')")
    worker.click("summary:has-text('Add a family member')")
    worker.fill("form[action$='/members/'] input[name=name]", "Хава")
    worker.select_option("form[action$='/members/'] select[name=relationship]", "partner")
    worker.click("form[action$='/members/'] button[type=submit]")
    worker.click("button:has-text('Submit the packet')")
    assert "submitted" in worker.content()
    referral = Referral.objects.get(case=case)
    pdf = worker.request.get(f"{url}/referrals/{referral.pk}/pdf/principal/")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert _status(case) == "referred"

    # the programme's liaison approves it
    liaison = _tab(browser, live_server, team["liaison"])
    liaison.goto(f"{url}/referrals/inbox/")
    liaison.click(f"text={referral.reference}")
    assert "Russian Federation" in liaison.content() and "Held in Argun" in liaison.content()
    liaison.select_option("select[name=outcome]", "approved")
    liaison.fill("input[name=decided_on]", timezone.localdate().isoformat())
    liaison.click("button:has-text('Record the decision')")
    assert "Decision recorded" in liaison.content()
    assert _status(case) == "approved"

    # travel: a plan, a leg, a check-in that came in, negotiated, under way
    worker.goto(f"{url}/travel/cases/{case.pk}/")
    worker.click("button:has-text('Start a travel plan')")
    worker.select_option("form[action$='/legs/'] select[name=mode]", "air")
    worker.fill("form[action$='/legs/'] input[name=origin]", "Ереван")
    worker.fill("form[action$='/legs/'] input[name=destination]", "Toronto")
    worker.fill("form[action$='/legs/'] input[name=escort]", "Rainbow escort A.")
    worker.click("button:has-text('Add the leg')")
    assert "Ереван → Toronto" in worker.content()
    worker.click("summary:has-text('Expect a check-in')")
    worker.select_option("form[action$='/checkins/'] select[name$=kind]", "boarded")
    worker.fill("form[action$='/checkins/'] input[name$=expected_at]", "2030-01-01T10:00")
    worker.click("button:has-text('Add the check-in')")
    worker.click("form[action$='/receive/'] button")
    assert "Check-in received" in worker.content()
    worker.select_option("select#id_status", "negotiated")
    worker.click("button:has-text('Save status')")
    assert "Safe travel negotiated" in worker.locator("#plan-status").inner_text()
    worker.select_option("select#id_status", "underway")
    worker.click("button:has-text('Save status')")
    assert _status(case) == "in_transit"
    assert Stay.objects.get(case=case).state == Stay.STATE_ENDED  # setting off checked him out of Birch

    # arrival and settlement
    worker.goto(f"{url}/settlement/cases/{case.pk}/")
    worker.fill("input[name=country]", "CA")
    worker.click("button:has-text('Record the arrival')")
    assert "Arrival recorded" in worker.content() and _status(case) == "arrived"
    worker.click("button:has-text('Start settlement')")
    assert _status(case) == "settling"
    worker.select_option("select[id^=item-] >> nth=0", "done")
    worker.click("form[action*='/settlement/items/'] button >> nth=0")
    assert worker.locator("#open-items").inner_text() == "5"
    worker.click("summary:has-text('Record a payment')")
    worker.fill("input[name=amount]", "1200")
    worker.fill("input[name=currency]", "CAD")
    worker.select_option("select[name=purpose]", "housing")
    worker.fill("input[name=recipient]", "Landlord")
    worker.click("button:has-text('Record the payment')")
    assert "1200.00 CAD" in worker.locator("#total-CAD").inner_text()

    # closing with open items: the caseworker asks, a coordinator sees the warning and confirms
    worker.goto(f"{url}/cases/{case.pk}/")
    worker.click("#move summary:has-text('Closed')")
    closing = worker.locator("#move form:has(input[name=to][value=closed])")
    closing.locator("textarea[name$=reason]").fill("Settled in Toronto; moved on.")
    closing.locator("select[name$=outcome]").select_option("moved_on")
    closing.locator("button[type=submit]").click()
    assert _status(case) == "settling"
    coordinator = _tab(browser, live_server, team["coordinator"])
    coordinator.goto(f"{url}/cases/{case.pk}/")
    assert "5 open items" in coordinator.content()
    coordinator.click("button:has-text('Confirm the move')")
    assert _status(case) == "closed"

    # the coordinators' figures count the arrival
    coordinator.goto(f"{url}/referrals/figures/")
    assert coordinator.locator("#arrived-total").inner_text() == "1"
    assert "Canada" in coordinator.locator("#referred").inner_text()
