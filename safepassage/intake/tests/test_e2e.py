"""The whole journey in headless Chromium with JavaScript off: a Russian request, a codename, a
staff reply, the visitor reading it with the codename, and their follow-up reaching the case."""
import os

import pytest
from django.urls import NoReverseMatch, reverse

from safepassage.cases.models import CaseEvent
from safepassage.core.testing import current_totp
from safepassage.intake.models import HelpRequest

pytestmark = pytest.mark.e2e

# Playwright's sync API keeps an event loop in this thread; the database calls here are ordinary
# synchronous ones, so Django's guard against async contexts does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_a_russian_request_becomes_a_case_and_the_conversation_continues(
        browser, page_no_js, live_server, intake_worker, intake_key):
    visitor_context = browser.new_context(java_script_enabled=False, locale="ru-RU")
    visitor = visitor_context.new_page()
    third_party = []
    visitor.on("request", lambda r: third_party.append(r.url) if not r.url.startswith(live_server.url) else None)

    # the visitor asks for help, in Russian, and gets a codename
    visitor.goto(f"{live_server.url}/help/?lang=ru")
    assert visitor.locator("h1").inner_text() == "Попросить о помощи"
    visitor.fill("textarea[name=what]", "Брат узнал обо мне, мне нужно уехать")
    visitor.check("input[name=urgency][value=now]")
    visitor.fill("input[name=region]", "Чечня")
    visitor.click("button[type=submit]")
    assert visitor.locator("h1").inner_text() == "Мы получили ваше обращение"
    codename = visitor.locator(".codename strong").inner_text()
    assert len(codename.split()) >= 7
    assert not visitor_context.cookies()

    # an intake worker reads it, replies, and opens a case from it
    staff = page_no_js
    staff.goto(f"{live_server.url}/accounts/login/")
    staff.fill("input[name=username]", intake_worker.username)
    staff.fill("input[name=password]", "correct horse battery staple")
    staff.click("main button[type=submit]")
    staff.fill("input[name=token]", current_totp(intake_worker))
    staff.click("main button[type=submit]")  # the header's "Log out" is a submit button too
    staff.goto(f"{live_server.url}/intake/")
    assert "Брат узнал обо мне" in staff.content()
    staff.click("table a")
    staff.fill("textarea[name=body]", "Мы получили ваше сообщение. Вы в безопасности сейчас?")
    staff.click("text=Send reply")
    assert "Reply sent" in staff.content()
    assert staff.input_value("input[name=current_location]") == "Чечня"
    staff.click("text=Create person and case")
    case = HelpRequest.objects.get().case
    assert case is not None and case.risk_level == "critical"

    # the visitor comes back with the codename, reads the reply and writes again
    visitor.goto(f"{live_server.url}/help/return/?lang=ru")
    visitor.fill("input[name=codename]", codename)
    visitor.click("button[type=submit]")
    assert "Мы получили ваше сообщение. Вы в безопасности сейчас?" in visitor.content()
    visitor.fill("textarea[name=text]", "Да, я у подруги в Назрани")
    visitor.click("button[type=submit]")
    assert "Ваше сообщение отправлено" in visitor.content()

    # the follow-up is on the case timeline
    assert CaseEvent.objects.filter(case=case, kind="note", detail__direction="in").latest("id").note.body == \
        "Да, я у подруги в Назрани"
    try:
        case_url = reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        case_url = None
    if case_url:
        staff.goto(f"{live_server.url}{case_url}")
        assert "Да, я у подруги в Назрани" in staff.content()
    assert third_party == []
    visitor_context.close()
