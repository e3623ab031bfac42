"""The public help pages, as a visitor on a cheap phone with JavaScript off would meet them."""
import re

import pytest
from django.db import connection

from safepassage.intake import codenames
from safepassage.intake.models import HelpRequest, IntakeMessage
from safepassage.intake.services import help_request_reply
from safepassage.vault import services as vault

from .conftest import FORM, codename_from

pytestmark = pytest.mark.django_db


def test_the_form_speaks_the_visitors_language(visitor, intake_key):
    assert "Попросить о помощи" in visitor.get("/help/?lang=ru").content.decode()
    assert "Ask for help" in visitor.get("/help/?lang=en").content.decode()
    assert "Demander de l’aide" in visitor.get("/help/?lang=fr").content.decode()
    assert "Попросить о помощи" in visitor.get("/help/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9").content.decode()


def test_the_page_sets_no_cookie_and_allows_no_script_or_third_party(visitor, intake_key):
    response = visitor.get("/help/?lang=ru")
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'none'" in csp and "form-action 'self'" in csp
    html = response.content.decode()
    assert "<script" not in html
    assert not re.search(r'(src|href|action)="(https?:)?//', html), "a third-party address is referenced"


def test_the_page_weighs_under_30_kb_with_its_stylesheet(visitor, intake_key):
    from django.contrib.staticfiles import finders

    html = visitor.get("/help/?lang=ru").content
    css = [finders.find(href.removeprefix("/static/")) for href in
           re.findall(r'href="(/static/[^"]+)"', html.decode())]
    weight = len(html) + sum(len(open(path, "rb").read()) for path in css)
    assert weight < 30 * 1024, weight


def test_only_what_is_happening_is_required(visitor, intake_key):
    response = visitor.post("/help/", {"lang": "en", "what": "I need to leave"})
    assert response.status_code == 200
    assert codename_from(response)
    response = visitor.post("/help/", {"lang": "en", "what": ""})
    assert response.status_code == 400
    assert "Tell us in a few words what is happening." in response.content.decode()


def test_a_submission_is_sealed_before_it_reaches_the_database(visitor, intake_key):
    response = visitor.post("/help/", FORM)
    assert response.status_code == 200
    request = HelpRequest.objects.get()
    with connection.cursor() as cursor:
        for table in ("intake_helprequest", "intake_intakemessage", "audit_auditevent"):
            cursor.execute(f"SELECT * FROM {table}")
            values = [v for row in cursor.fetchall() for v in row]
            dumped = b"".join(bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode() for v in values)
            for planted in ("родственники", "Грозный", "Signal"):
                assert planted.encode() not in dumped
    sealed = bytes(request.sealed_request)
    assert b"\xd1\x80\xd0\xbe\xd0\xb4" not in sealed
    assert len(sealed) % 512 == 48  # padded: its size says little
    assert not IntakeMessage.objects.exists()  # one row per submission: the request carries its words


def test_the_intake_accepts_requests_while_the_vault_is_sealed(visitor, intake_key):
    vault.seal()
    response = visitor.post("/help/", FORM)
    assert response.status_code == 200
    assert codename_from(response)
    assert HelpRequest.objects.count() == 1


def test_the_codename_is_russian_on_the_russian_page_and_carries_80_bits(visitor, intake_key):
    codename = codename_from(visitor.post("/help/", FORM))
    words = codename.split()
    assert set(words) <= set(codenames.word_list("ru"))
    assert len(words) == codenames.words_needed("ru") and codenames.entropy_bits("ru") >= 80
    english = codename_from(visitor.post("/help/", {**FORM, "lang": "en"})).split()
    assert set(english) <= set(codenames.word_list("en")) and codenames.entropy_bits("en") >= 80


def test_each_visitor_sees_only_their_own_codename_each_word_listed(visitor, intake_key):
    first = visitor.post("/help/", FORM)
    second = visitor.post("/help/", FORM)
    one, two = codename_from(first), codename_from(second)
    assert one != two
    html = second.content.decode()
    assert one not in html and "\x00" not in html
    assert all(f"<li>{word}</li>" in html for word in two.split())
    assert 'lang="ru"' in html and "Learn these" not in html  # the Russian page, in Russian


def test_a_rejected_submission_keeps_what_was_typed(visitor, intake_key):
    response = visitor.post("/help/", {**FORM, "contact": "", "contact_mode": "other"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Меня ищут родственники, нужна помощь" in html and "Грозный" in html
    assert "Напишите, как с вами связаться" in html


def test_a_flood_is_refused_in_the_visitors_language_and_keeps_their_text(visitor, intake_key, settings):
    settings.INTAKE_RATE_SUBMIT_GLOBAL = (2, 60)
    assert visitor.post("/help/", FORM).status_code == 200
    assert visitor.post("/help/", FORM).status_code == 200
    response = visitor.post("/help/", FORM)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Сейчас нам пишут очень многие" in html
    assert "Меня ищут родственники, нужна помощь" in html
    assert HelpRequest.objects.count() == 2


def test_address_limits_apply_to_real_addresses_but_not_to_tor(visitor, intake_key, settings):
    settings.INTAKE_RATE_SUBMIT_ADDRESS = (1, 3600)
    assert visitor.post("/help/", FORM, REMOTE_ADDR="203.0.113.7").status_code == 200
    assert visitor.post("/help/", FORM, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert visitor.post("/help/", FORM, REMOTE_ADDR="203.0.113.8").status_code == 200
    for _ in range(3):  # behind Tor everyone is 127.0.0.1: only the global limit applies
        assert visitor.post("/help/", FORM, REMOTE_ADDR="127.0.0.1").status_code == 200


def test_an_oversized_body_is_refused_without_being_read(visitor, intake_key):
    response = visitor.post("/help/?lang=ru", {"what": "я" * 70000})
    assert response.status_code == 413
    assert "слишком" in response.content.decode()
    assert HelpRequest.objects.count() == 0


def test_without_an_intake_key_the_page_says_it_cannot_accept_requests(visitor, org):
    response = visitor.get("/help/?lang=en")
    assert response.status_code == 503
    assert "cannot accept requests" in response.content.decode()


def test_the_visitor_reads_a_reply_with_the_codename_and_writes_again(visitor, intake_key, intake_worker):
    codename = codename_from(visitor.post("/help/", FORM))
    request = HelpRequest.objects.get()
    help_request_reply(actor=intake_worker, help_request=request, body="Мы вас слышим. Ответьте, где вы.")
    typed = "  " + codename.upper().replace(" ", " - ") + " "  # sloppy typing still works
    response = visitor.post("/help/return/", {"lang": "ru", "codename": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Мы вас слышим. Ответьте, где вы." in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = visitor.post("/help/return/write/", {"lang": "ru", "token": token, "text": "Я в Назрани"})
    assert response.status_code == 200
    assert "Ваше сообщение отправлено" in response.content.decode()
    assert request.messages.filter(sender="visitor").count() == 1  # the follow-up; the request is the row


def test_the_codename_and_a_message_can_go_in_one_step(visitor, intake_key):
    codename = codename_from(visitor.post("/help/", FORM))
    response = visitor.post("/help/return/", {"lang": "en", "codename": codename, "text": "Still here"})
    assert response.status_code == 200
    assert "Your message has been sent." in response.content.decode()
    assert IntakeMessage.objects.filter(sender="visitor").count() == 1


def test_a_wrong_codename_points_at_the_typo(visitor, intake_key):
    codename = codename_from(visitor.post("/help/", FORM)).split()
    codename[2] = "абвгдейка"
    response = visitor.post("/help/return/", {"lang": "ru", "codename": " ".join(codename), "text": "Привет"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "Мы не узнаём это кодовое имя" in html and "3" in html
    assert "Привет" in html  # the message they wrote is kept


def test_an_expired_follow_up_form_asks_for_the_codename_and_keeps_the_message(visitor, intake_key, settings):
    codename = codename_from(visitor.post("/help/", FORM))
    html = visitor.post("/help/return/", {"lang": "en", "codename": codename}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    settings.INTAKE_FOLLOWUP_TOKEN_AGE = -1
    response = visitor.post("/help/return/write/", {"lang": "en", "token": token, "text": "Are you there?"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "this page has expired" in html and "Are you there?" in html
    assert IntakeMessage.objects.count() == 0


def test_a_forged_follow_up_token_is_refused(visitor, intake_key):
    response = visitor.post("/help/return/write/", {"lang": "en", "token": "x:y", "text": "hello"})
    assert response.status_code == 403
    assert IntakeMessage.objects.count() == 0


def test_a_submission_writes_one_row_and_its_audit_event_and_nothing_else(visitor, intake_key):
    """No session, no cookie, no second row: the request carries its words, the chain records its arrival."""
    from django.test.utils import CaptureQueriesContext

    from safepassage.audit.models import AuditEvent

    visitor.post("/help/", FORM)  # warm: the intake key is read once and kept
    with CaptureQueriesContext(connection) as queries:
        response = visitor.post("/help/", FORM)
    assert response.status_code == 200 and not response.cookies
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "WITH"))]
    written = [table for sql in writes for table in re.findall(r'(?:INSERT INTO|UPDATE|DELETE FROM) "(\w+)"', sql)]
    assert written == ["intake_helprequest", "audit_auditevent", "audit_audithead"]
    # PostgreSQL: the row goes with the read of the chain's head, the event with the head's move
    assert len(writes) == (2 if connection.vendor == "postgresql" else 3)
    assert not any("session" in q["sql"] for q in queries.captured_queries)
    request = HelpRequest.objects.order_by("-received_at").first()
    assert AuditEvent.objects.filter(action="intake.receive", target_id=str(request.pk), actor_id=None).exists()
