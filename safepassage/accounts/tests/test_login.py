from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.accounts.models import StaffSession
from safepassage.core.testing import current_totp, staff_member

PASSWORD = "correct horse battery staple"


def _password_step(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_password_alone_opens_nothing(caseworker):
    client = Client()
    response = _password_step(client, "caseworker")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:otp"))
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:otp"))


def test_password_and_current_code_log_in(caseworker):
    client = Client()
    _password_step(client, "caseworker")
    response = client.post(reverse("accounts:otp"), {"token": current_totp(caseworker)})
    assert response.status_code == 302
    assert client.get(reverse("cases:list")).status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message(caseworker):
    client = Client()
    _password_step(client, "caseworker")
    wrong = f"{(int(current_totp(caseworker)) + 1) % 1000000:06d}"
    response = client.post(reverse("accounts:otp"), {"token": wrong})
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    assert client.get(reverse("cases:list")).status_code == 302


def test_a_wrong_password_says_so_without_telling_which_part(caseworker):
    response = _password_step(Client(), "caseworker", "wrong password")
    assert response.status_code == 200 and "username or password is not right" in response.content.decode()
    response = _password_step(Client(), "nobody-by-this-name", "wrong password")
    assert "username or password is not right" in response.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(caseworker):
    client = Client()
    for _ in range(5):
        _password_step(client, "caseworker", "wrong password")
    response = _password_step(client, "caseworker")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_a_new_member_enrols_with_an_inline_svg_qr_code(org, unsealed_vault):
    from safepassage.accounts.services import member_create

    member_create(actor=None, organisation=org, username="newbie", password=PASSWORD, roles=["caseworker"],
                  validate=False)
    client = Client()
    response = _password_step(client, "newbie")
    response = client.get(response.url, follow=True)
    html = response.content.decode()
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org", "")
    device = TOTPDevice.objects.get(user__username="newbie", confirmed=False)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    response = client.post(reverse("accounts:enrol"), {"token": code})
    assert response.status_code == 302
    assert client.get(reverse("cases:list")).status_code == 200


def test_an_idle_session_expires(caseworker, client_as):
    client = client_as(caseworker)
    assert client.get(reverse("vault:unseal")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("vault:unseal"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_an_admin_lists_and_revokes_a_members_sessions(caseworker, admin, client_as):
    victim = client_as(caseworker)
    assert victim.get(reverse("cases:list")).status_code == 200
    admin_client = client_as(admin)
    page = admin_client.get(reverse("accounts:member_sessions", args=[caseworker.pk]))
    assert page.status_code == 200 and "active" in page.content.decode()
    admin_client.post(reverse("accounts:member_sessions", args=[caseworker.pk]), {"revoke_all": "1"})
    assert StaffSession.objects.filter(user=caseworker, revoked_at__isnull=True).count() == 0
    response = victim.get(reverse("cases:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_a_caseworker_cannot_see_the_members_page(caseworker, client_as):
    assert client_as(caseworker).get(reverse("accounts:members")).status_code == 403


def test_an_admin_adds_a_member_who_must_then_enrol(admin, client_as):
    client = client_as(admin)
    response = client.post(reverse("accounts:members"), {
        "username": "fresh", "password": "a long new password 42", "roles": ["caseworker"]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user__username="fresh", confirmed=True).exists()


def test_passwords_are_stored_with_argon2(caseworker):
    assert caseworker.password.startswith("argon2")


def test_while_sealed_staff_pages_show_only_the_unseal_page(caseworker, client_as, unsealed_vault):
    client = client_as(caseworker)
    unsealed_vault.seal()
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and response.url == reverse("vault:unseal")
    anonymous = Client().get(reverse("cases:list"))
    assert anonymous.status_code == 503 and "sealed" in anonymous.content.decode()


def test_custodians_unseal_from_the_web_page_share_by_share(db, org):
    from safepassage.vault import services as vault

    shares = vault.initialise(shares=3, threshold=2)
    vault.unseal_with_share(shares[0])
    vault.unseal_with_share(shares[1])
    custodian = staff_member(org, "keeper", ["custodian"])
    vault.seal()
    client = Client()
    _password_step(client, "keeper")
    client.post(reverse("accounts:otp"), {"token": current_totp(custodian)})
    response = client.post(reverse("vault:unseal"), {"secret": shares[2]})
    assert response.status_code == 302 and not vault.is_unsealed()
    assert "1 of 2" in client.get(reverse("vault:unseal")).content.decode()
    bad = client.post(reverse("vault:unseal"), {"secret": "SP1-AAAAA"})
    assert bad.status_code == 503 and "error" in bad.content.decode()
    client.post(reverse("vault:unseal"), {"secret": shares[0]})
    assert vault.is_unsealed()
    vault.seal()


def test_the_panic_button_seals_at_once(coordinator, client_as, unsealed_vault):
    client = client_as(coordinator)
    response = client.post(reverse("vault:seal"))
    assert response.status_code == 302 and not unsealed_vault.is_unsealed()
