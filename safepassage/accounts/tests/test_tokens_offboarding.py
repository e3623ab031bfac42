import pytest
from django.test import Client
from django.urls import reverse

from safepassage.accounts.models import ApiToken, StaffSession
from safepassage.accounts.services import api_token_create, member_offboard, member_revoke_everything
from safepassage.core.testing import staff_member
from safepassage.policy.rules import NotAllowed


def _api(key):
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_is_shown_once_and_only_its_hash_is_kept(caseworker):
    token, key = api_token_create(actor=caseworker, name="sync")
    assert key.startswith("sp_") and key not in str(ApiToken.objects.filter(pk=token.pk).values().first())
    assert _api(key).get("/api/tasks/").status_code == 200


def test_the_token_page_shows_the_key_once(caseworker, client_as):
    client = client_as(caseworker)
    response = client.post(reverse("accounts:token_create"), {"name": "laptop", "days": 30})
    assert response.status_code == 200 and "sp_" in response.content.decode()
    assert "sp_" + ApiToken.objects.get().prefix + "_" not in client.get(reverse("accounts:security")).content.decode()


def test_a_token_carries_only_the_roles_chosen(org, unsealed_vault):
    both = staff_member(org, "both", ["caseworker", "researcher"])
    _token, key = api_token_create(actor=both, name="reports only", roles=["researcher"])
    assert _api(key).get("/api/cases/").status_code == 403
    assert _api(key).get("/api/reports/").status_code == 200
    with pytest.raises(Exception):
        api_token_create(actor=both, name="more", roles=["coordinator"])


def test_admins_revoke_every_session_and_token_of_a_member_at_once(caseworker, admin, client_as):
    _token, key = api_token_create(actor=caseworker, name="sync")
    browser = client_as(caseworker)
    assert browser.get(reverse("cases:list")).status_code == 200
    admin_client = client_as(admin)
    response = admin_client.post(reverse("accounts:member_sessions", args=[caseworker.pk]),
                                 {"revoke_everything": "1"})
    assert response.status_code == 302
    assert _api(key).get("/api/tasks/").status_code == 401
    assert browser.get(reverse("cases:list")).status_code == 302
    assert not StaffSession.objects.filter(user=caseworker, revoked_at__isnull=True).exists()


def test_a_member_who_leaves_loses_every_access_at_once(caseworker, admin, client_as):
    _token, key = api_token_create(actor=caseworker, name="sync")
    browser = client_as(caseworker)
    member_offboard(actor=admin, user=caseworker)
    assert _api(key).get("/api/tasks/").status_code == 401
    assert browser.get(reverse("cases:list")).status_code == 302
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "caseworker",
                                                        "password": "correct horse battery staple"})
    assert response.status_code == 200  # refused, with the same message as a wrong password


def test_only_admins_of_the_same_organisation_revoke(caseworker, other_org, unsealed_vault):
    foreign_admin = staff_member(other_org, "foreign-admin", ["admin"])
    with pytest.raises(NotAllowed):
        member_revoke_everything(actor=foreign_admin, user=caseworker)
    with pytest.raises(NotAllowed):
        member_revoke_everything(actor=caseworker, user=caseworker)


def test_an_api_call_while_sealed_gets_a_clear_json_503(caseworker, unsealed_vault):
    _token, key = api_token_create(actor=caseworker, name="sync")
    unsealed_vault.seal()
    response = _api(key).get("/api/tasks/")
    assert response.status_code == 503 and response.json()["code"] == "vault_sealed"
