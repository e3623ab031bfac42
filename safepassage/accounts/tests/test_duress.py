import pytest
from django.test import Client
from django.urls import reverse

from safepassage.accounts.models import AccessAlert
from safepassage.accounts.services import duress_password_set, member_restore
from safepassage.audit.models import AuditEvent
from safepassage.cases.services import case_open
from safepassage.core.testing import current_totp
from safepassage.people.services import PersonData, person_create
from safepassage.policy import rules

PASSWORD = "correct horse battery staple"
DURESS = "blue lantern over the river"


@pytest.fixture
def case(coordinator, caseworker):
    person = person_create(actor=coordinator, organisation=coordinator.membership.organisation,
                           data=PersonData(full_name="Zelimkhan Visible"))
    return case_open(actor=coordinator, person=person, summary="a story", assignees=[caseworker])


@pytest.fixture
def with_duress(caseworker):
    duress_password_set(actor=caseworker, password=DURESS, current_password=PASSWORD)
    return caseworker


def _login(client, username, password, user):
    first = client.post(reverse("accounts:login"), {"username": username, "password": password})
    second = client.post(reverse("accounts:otp"), {"token": current_totp(user)})
    return first, second


def test_the_duress_password_logs_in_like_the_real_one_into_an_empty_workspace(with_duress, case, admin):
    real, duress = Client(), Client()
    real_steps = _login(real, "caseworker", PASSWORD, with_duress)
    # a fresh TOTP window is not needed: django-otp refuses a replayed code, so wait for the drift check
    with_duress.membership.refresh_from_db()
    assert not with_duress.membership.sealed_by_duress
    real_list = real.get(reverse("cases:list")).content.decode()
    assert case.reference in real_list
    real.post(reverse("accounts:logout"))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=with_duress).update(last_t=-1)
    duress_steps = _login(duress, "caseworker", DURESS, with_duress)
    assert [r.status_code for r in real_steps] == [r.status_code for r in duress_steps] == [302, 302]
    assert real_steps[0].url == duress_steps[0].url
    page = duress.get(reverse("cases:list"))
    assert page.status_code == 200 and case.reference not in page.content.decode()
    assert duress.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert AccessAlert.objects.filter(member=with_duress, kind="duress").exists()
    assert AuditEvent.objects.filter(action="member.duress", actor_id=with_duress.pk).exists()


def test_after_a_duress_login_the_real_password_shows_nothing_until_an_admin_restores(with_duress, case, admin):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "caseworker", "password": DURESS})
    with_duress.membership.refresh_from_db()
    assert with_duress.membership.sealed_by_duress
    for scope in (rules.case_scope, rules.person_scope, rules.case_work_scope, rules.share_in_scope):
        assert scope(with_duress) == rules._NOTHING
    assert not rules.can(with_duress, "case.view", case)
    assert rules.can(with_duress, "case.list")  # the page is there, only empty: nothing looks different
    member_restore(actor=admin, user=with_duress)
    with_duress.refresh_from_db()
    assert rules.can(with_duress, "case.view", case)


def test_every_scope_of_the_policy_is_fenced_by_duress():
    scopes = [name for name in dir(rules) if name.endswith("_scope") and callable(getattr(rules, name))]
    assert scopes and all(getattr(getattr(rules, name), "duress_fenced", False) for name in scopes)


def test_every_login_attempt_does_the_same_hash_work(with_duress, monkeypatch):
    """Real, duress, wrong password, unknown name: two password hashes checked each time, so the time
    a login takes does not tell a duress login apart."""
    from django.test import RequestFactory

    from safepassage.accounts import backends

    calls = []
    real_check = backends.check_password
    monkeypatch.setattr(backends, "check_password", lambda *a, **k: calls.append(1) or real_check(*a, **k))
    counts = []
    for username, password in (("caseworker", PASSWORD), ("caseworker", DURESS), ("caseworker", "wrong one"),
                               ("nobody", PASSWORD)):
        calls.clear()
        backends.PasswordOrDuressBackend().authenticate(RequestFactory().post("/"), username=username,
                                                        password=password)
        counts.append(len(calls))
    assert counts == [2, 2, 2, 2]


def test_a_member_without_a_duress_password_does_the_same_work_too(caseworker, monkeypatch):
    from django.test import RequestFactory

    from safepassage.accounts import backends

    calls = []
    real_check = backends.check_password
    monkeypatch.setattr(backends, "check_password", lambda *a, **k: calls.append(a[1]) or real_check(*a, **k))
    assert backends.PasswordOrDuressBackend().authenticate(RequestFactory().post("/"), username="caseworker",
                                                           password=PASSWORD) == caseworker
    assert len(calls) == 2 and all(encoded.startswith("argon2") for encoded in calls)


def test_the_account_page_never_says_whether_a_duress_password_is_set(caseworker, client_as):
    client = client_as(caseworker)
    before = client.get(reverse("accounts:security")).content.decode()
    duress_password_set(actor=caseworker, password=DURESS, current_password=PASSWORD)
    after = client.get(reverse("accounts:security")).content.decode()
    strip = lambda html: "".join(html.split('name="csrfmiddlewaretoken"')[0])  # noqa: E731
    assert strip(before) == strip(after)


def test_the_duress_password_must_differ_from_the_real_one(caseworker):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        duress_password_set(actor=caseworker, password=PASSWORD, current_password=PASSWORD)
