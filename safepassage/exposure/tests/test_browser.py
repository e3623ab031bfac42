"""A detention recorded and handled in the staff pages of a real server (headless Chromium, JavaScript
off): find the person, record a connection, record the detention, acknowledge and resolve what it put
at risk; a worker of the other team sees their own case and a count of the rest."""
import pytest

from safepassage.cases.models import Case
from safepassage.core.testing import browser_login
from safepassage.exposure.models import Incident, IncidentItem

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _tab(browser, live_server, user):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    browser_login(page, live_server.url, user)
    return page


def test_a_detention_from_the_person_to_every_item_resolved(live_server, browser, coordinator, network):
    url = live_server.url
    page = _tab(browser, live_server, coordinator)
    page.goto(f"{url}/exposure/")
    page.fill("input[name=reference]", network.detained.reference)
    page.click("main button:has-text('Open the person')")
    assert page.url.endswith(f"/exposure/people/{network.detained.pk}/")

    page.fill("input[name=other]", network.erik.reference)
    page.select_option("select[name=relationship]", "friend")
    page.check("input[name=person_knows][value=phone]")
    page.click("form[action$='/connect/'] button")
    assert network.erik.reference in page.inner_text("main")

    page.select_option("select[name=kind]", "detained")
    page.fill("textarea[name=notes]", "Задержан на блокпосту в Гудермесе.")
    page.check("input[name=confirm]")
    page.click("button:has-text('Record and alert')")
    incident = Incident.objects.get()
    assert page.url.endswith(f"/exposure/incidents/{incident.pk}/")
    body = page.inner_text("main")
    assert "Задержан на блокпосту" in body and network.erik_case.reference in body
    assert Case.objects.get(pk=network.erik_case.pk).risk_level == "critical"

    page.click("button:has-text('Acknowledge') >> nth=0")
    assert IncidentItem.objects.filter(incident=incident, state="acknowledged").count() == 1

    worker = _tab(browser, live_server, network.worker_b)
    worker.goto(f"{url}/exposure/incidents/{incident.pk}/")
    text = worker.inner_text("main")
    assert "3 cases in other teams were alerted." in text
    assert network.bela_case.reference in text and network.erik_case.reference not in text
    worker.fill("textarea[name=resolution] >> nth=0", "Предупредили лично.")
    worker.click("button:has-text('Resolve') >> nth=0")
    assert IncidentItem.objects.filter(incident=incident, state="resolved", resolved_by=network.worker_b).count() == 1
    assert "<script" not in worker.content().lower()
