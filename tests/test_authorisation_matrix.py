"""The authorisation matrix: every role × every URL and API endpoint × own / other / shared / revoked.

What is expected is data, kept in ``tests/authorisation_matrix.csv``: one row per URL (by name, from
the resolver), method and scenario, one column per role (``policy.roles.ROLES``), each cell ``allow``
or ``deny`` (``-`` where the scenario does not apply). This test asks the running application (the
Django test client, logged in with the second factor, one member per role, all in one frontline
organisation) and compares: any allow the table does not expect fails, and so does any deny it does
not expect, a 5xx, or a URL the table does not list — a new page without an entry fails until the
table is extended. After reviewing a change, regenerate the table with

    SAFEPASSAGE_MATRIX_WRITE=1 .venv/bin/pytest -p no:cacheprovider tests/test_authorisation_matrix.py

and read the diff of the CSV before committing it.

Scenarios, for URLs naming records (people, cases, moves, tasks, referrals, consents, shares, safe
houses, testimonies, members, tokens, alerts; the case's travel plan is the travel coordinator's):
- ``own``: the record is the actor's organisation's (their caseworker and intake worker are on the
  case; its packet went to a programme the organisation receives);
- ``other``: another organisation's, not shared with the actor's;
- ``shared``: another organisation's case, shared with the actor's for relocation planning;
- ``revoked``: another organisation's case whose share with the actor's was revoked
(houses, testimonies, members, tokens and alerts are never shared: ``own`` and ``other`` only).
URLs whose parameters name records this test does not build get one ``any`` row, probed with ids
that exist nowhere (column ``probe`` says which). Outcomes: 2xx, 400, 409 and redirects within the
same section mean *allow*; 401, 403, 404 and a GET redirected to another section (to the login, to
the reports) mean *deny*. Every probe runs in a savepoint that is rolled back, so POSTs change nothing
for the next probe. Besides the table: no page or API answer to any member ever contains the name or
story of the other organisation's people (shared ones included: relocation planning shares neither).
"""
from __future__ import annotations

import copy
import csv
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from safepassage.policy.roles import ROLES

# Marked so pytest-django sets the test database up; the world itself lives in one module-wide transaction.
pytestmark = pytest.mark.django_db

TABLE = Path(__file__).with_name("authorisation_matrix.csv")
SCENARIOS = ("own", "other", "shared", "revoked")
WRITE = os.environ.get("SAFEPASSAGE_MATRIX_WRITE") == "1"
SECRET_NAMES = ("Другой Секретов", "Shared Secretova", "Revoked Hiddenov", "Связной Тайнов")
SECRET_STORY = "story-of-the-other-organisation"


# --- the URLs, from the resolver ------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    key: str  # the URL's name ("cases:detail"), or "route:<pattern>" when it has none
    pattern: str
    params: tuple[str, ...]
    api_methods: tuple[str, ...]  # for REST views: the methods they answer; empty for pages


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield p, prefix + str(p.pattern), namespace


def routes() -> list[Route]:
    found = []
    for pattern, route, namespace in _walk(get_resolver().url_patterns):
        key = f"{namespace}{pattern.name}" if pattern.name else f"route:{route}"
        cls = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
        api = tuple(m.upper() for m in ("get", "post", "put", "patch", "delete")
                    if cls is not None and hasattr(cls, m) and getattr(cls, "schema", None) is not None
                    and route.startswith("api/"))
        found.append(Route(key, route, tuple(pattern.pattern.converters) if hasattr(pattern.pattern, "converters")
                           else (), api))
    return found


ROUTES = routes()


# --- the table ------------------------------------------------------------------------------------

def read_table() -> dict:
    if not TABLE.exists():
        return {}
    with TABLE.open(newline="") as fh:
        return {(row["url"], row["method"], row["scenario"]): row for row in csv.DictReader(fh)}


def write_table(rows: dict) -> None:
    with TABLE.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["url", "method", "scenario", "probe", *ROLES], lineterminator="\n")
        writer.writeheader()
        for key in sorted(rows):
            writer.writerow(rows[key])


_observed: dict = {}


# --- the world ------------------------------------------------------------------------------------

@dataclass
class World:
    clients: dict
    values: dict  # param name -> {scenario: value}
    master: bytes


def _build_world() -> World:
    from safepassage.accounts.models import AccessAlert, Organisation
    from safepassage.accounts.services import api_token_create, organisation_create
    from safepassage.core.testing import login_verified, staff_member
    from safepassage.referrals import services as referrals
    from safepassage.referrals.models import Programme
    from safepassage.safehouses.tests.journey_helpers import verified_case
    from safepassage.sharing import services as sharing
    from safepassage.tasks.services import task_create
    from safepassage.vault import services as vault

    vault.initialise(mode="demo")
    ours = organisation_create(name="Matrix Frontline", case_prefix="M")
    theirs = organisation_create(name="Matrix Other", kind=Organisation.KIND_RELOCATION, case_prefix="X")
    third = organisation_create(name="Matrix Third", kind=Organisation.KIND_GOVERNMENT, case_prefix="Y")
    members = {role: staff_member(ours, f"matrix-{role}", [role]) for role in ROLES}
    their_coordinator = staff_member(theirs, "matrix-their-coordinator", ["coordinator"])
    staff_member(third, "matrix-third-coordinator", ["coordinator"])

    from safepassage.accounts.models import ReadAlarmSettings
    from safepassage.intake.services import forget_public_key, intake_key_ensure

    intake_key_ensure(actor=None, organisation=ours)  # the public help page is open
    forget_public_key()
    # every probe is rolled back, so no read ever accumulates; the alarm has its own tests
    ReadAlarmSettings.objects.create(organisation=ours, enabled=False)

    canada = Programme.objects.get(code="ca-gar")
    france = Programme.objects.get(code="fr-humanitarian-visa")
    Programme.objects.filter(pk=canada.pk).update(liaison_organisation=ours)
    Programme.objects.filter(pk=france.pk).update(liaison_organisation=theirs)

    def journey(actor, org, programme, name, assignees=()):
        case = verified_case(actor, org, name=name, assignees=list(assignees))
        consent = referrals.consent_record(actor=actor, case=case, programme=programme)
        referral = referrals.referral_submit(actor=actor, referral=referrals.referral_create(
            actor=actor, case=case, programme=programme))
        task = task_create(actor=actor, case=case, title="call the contact",
                           assignee=assignees[0] if assignees else None)
        case.refresh_from_db()
        return case, referral, task, consent

    coordinator = members["coordinator"]
    own = journey(coordinator, ours, canada, "Свой Человек", [members["caseworker"], members["intake"]])
    other = journey(their_coordinator, theirs, france, SECRET_NAMES[0])
    shared = journey(their_coordinator, theirs, france, SECRET_NAMES[1])
    revoked = journey(their_coordinator, theirs, france, SECRET_NAMES[2])
    for case, *_rest in (other, shared, revoked):
        case.summary = SECRET_STORY
        case.save()

    def share(actor, case, recipient):
        consent = sharing.share_consent_record(actor=actor, case=case, organisation=recipient)
        return consent, sharing.share_create(actor=actor, case=case, recipient=recipient,
                                             purpose="relocation_planning", travel_documents="none")

    own_consent, own_share = share(coordinator, own[0], theirs)
    other_consent, other_share = share(their_coordinator, other[0], third)
    shared_consent, shared_share = share(their_coordinator, shared[0], ours)
    revoked_consent, revoked_share = share(their_coordinator, revoked[0], ours)
    sharing.share_revoke(actor=their_coordinator, share=revoked_share)

    from safepassage.safehouses.services import safehouse_create
    from safepassage.testimonies.services import TestimonyData, testimony_create
    from safepassage.travel.services import travel_plan_assign, travel_plan_start

    # the specialist roles' own work: a travel plan the travel coordinator is put on, a safe house,
    # a testimony (the other organisation's testimony tells the story that must never leak)
    plan = travel_plan_start(actor=coordinator, case=own[0])
    travel_plan_assign(actor=coordinator, plan=plan, coordinator=members["travel"])
    travel_plan_start(actor=their_coordinator, case=other[0])
    own_house = safehouse_create(actor=coordinator, codename="Matrix Own", area="North", capacity=3)
    other_house = safehouse_create(actor=their_coordinator, codename="Matrix Theirs", area="South", capacity=3)
    own_testimony = testimony_create(actor=coordinator, data=TestimonyData(
        pseudonym="Witness A", interview_date="2025-03-01", language="ru", narrative="our own account"))
    other_testimony = testimony_create(actor=their_coordinator, data=TestimonyData(
        pseudonym="Witness B", interview_date="2025-03-02", language="ru", narrative=SECRET_STORY))

    # the exposure graph: a connection and a known safe house on each side, then a detention
    from safepassage.exposure import services as exposure
    from safepassage.exposure import vocabulary as exposure_words

    def exposed(actor, org, case, house, name):
        contact = verified_case(actor, org, name=name)
        connection = exposure.connection_create(actor=actor, person=case.person, other=contact.person,
                                                relationship="friend", person_knows=["name", "address"])
        link = exposure.knowledge_add(actor=actor, person=case.person, kind=exposure_words.LINK_HOUSE,
                                      target=house, basis=exposure_words.BASES_FOR[exposure_words.LINK_HOUSE][0])
        incident = exposure.exposure_record(actor=actor, person=case.person, kind="detained")
        return connection, link, incident, incident.items.order_by("urgency").first()

    own_exposure = exposed(coordinator, ours, own[0], own_house, "Связной Свой")
    other_exposure = exposed(their_coordinator, theirs, other[0], other_house, SECRET_NAMES[3])

    own_token, _key = api_token_create(actor=members["caseworker"], name="matrix")
    other_token, _key = api_token_create(actor=their_coordinator, name="matrix")
    own_alert = AccessAlert.objects.create(organisation=ours, member=members["caseworker"], kind="bulk_view",
                                           detail={"reads": 1, "threshold": 1, "window_minutes": 60})
    other_alert = AccessAlert.objects.create(organisation=theirs, member=their_coordinator, kind="duress")

    def per(fn):
        return {"own": fn(own, own_consent, own_share), "other": fn(other, other_consent, other_share),
                "shared": fn(shared, shared_consent, shared_share),
                "revoked": fn(revoked, revoked_consent, revoked_share)}

    values = {
        "case_id": per(lambda j, c, s: j[0].pk),
        "person_id": per(lambda j, c, s: j[0].person_id),
        "transition_id": per(lambda j, c, s: j[0].transitions.order_by("requested_at").last().pk),
        "task_id": per(lambda j, c, s: j[2].pk),
        "referral_id": per(lambda j, c, s: j[1].pk),
        "consent_id": per(lambda j, c, s: c.pk),
        "referrals:consent_id": per(lambda j, c, s: j[3].pk),
        "share_id": {"own": own_share.pk, "other": other_share.pk, "shared": shared_share.pk,
                     "revoked": revoked_share.pk},
        "user_id": {"own": members["caseworker"].pk, "other": their_coordinator.pk},
        "token_id": {"own": own_token.pk, "other": other_token.pk},
        "alert_id": {"own": own_alert.pk, "other": other_alert.pk},
        "copy": {s: "principal" for s in SCENARIOS},
        "house_id": {"own": own_house.pk, "other": other_house.pk},
        "testimony_id": {"own": own_testimony.pk, "other": other_testimony.pk},
        "exposure:connection_id": {"own": own_exposure[0].pk, "other": other_exposure[0].pk},
        "exposure:link_id": {"own": own_exposure[1].id, "other": other_exposure[1].id},
        "exposure:incident_id": {"own": own_exposure[2].pk, "other": other_exposure[2].pk},
        "exposure:item_id": {"own": own_exposure[3].pk, "other": other_exposure[3].pk},
        "exposure:kind": {s: "house" for s in SCENARIOS},
    }
    clients = {}
    for role, user in members.items():
        client = Client()
        login_verified(client, user)
        clients[role] = client
    return World(clients=clients, values=values, master=vault.demo_master_key())


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from safepassage.vault import services as vault

    with django_db_blocker.unblock():
        with transaction.atomic():
            yield _build_world()
            transaction.set_rollback(True)
        vault.seal()
        from safepassage.intake.services import forget_public_key

        forget_public_key()
    if WRITE:
        write_table(_observed)


# --- probing ----------------------------------------------------------------------------------------

class _Rollback(Exception):
    def __init__(self, response):
        self.response = response


def _placeholder(converter) -> str:
    name = type(converter).__name__
    return {"IntConverter": "987654321", "UUIDConverter": str(uuid.uuid4()), "SlugConverter": "no-such-thing"} \
        .get(name, str(uuid.uuid4()))


def _targets(route: Route, world: World) -> list[tuple[str, str, dict | None]]:
    """(scenario, probe kind, kwargs) for this URL; kwargs None where the scenario does not apply."""
    if not route.params:
        return [("any", "none", {})]
    converters = _converters(route)
    namespace = route.key.split(":")[0]
    values = {name: world.values.get(f"{namespace}:{name}") or world.values.get(name) for name in route.params}
    if all(values.values()):
        result = []
        for scenario in SCENARIOS:
            kwargs = {name: values[name].get(scenario) for name in route.params}
            result.append((scenario, "record", None if any(v is None for v in kwargs.values()) else kwargs))
        return result
    return [("any", "placeholder", {name: (values[name] or {}).get("own") or _placeholder(converters[name])
                                    for name in route.params})]


def _converters(route: Route) -> dict:
    for pattern, path, namespace in _walk(get_resolver().url_patterns):
        key = f"{namespace}{pattern.name}" if pattern.name else f"route:{path}"
        if key == route.key:
            return pattern.pattern.converters
    return {}


def _url(route: Route, kwargs: dict) -> str:
    if route.key.startswith("route:"):
        path = "/" + route.pattern
        for name, value in kwargs.items():
            path = path.replace(f"<{name}>", str(value))
        return path
    return reverse(route.key, kwargs={k: str(v) for k, v in kwargs.items()} or None)


def _request(client, method: str, url: str):
    kwargs = {"content_type": "application/json", "data": "{}"} if method in ("POST", "PATCH", "PUT") else {}
    try:
        with transaction.atomic():
            response = getattr(client, method.lower())(url, **kwargs)
            raise _Rollback(response)
    except _Rollback as rollback:
        return rollback.response


def _verdict(method: str, url: str, response) -> str:
    code = response.status_code
    if code >= 500 or code == 429:
        return f"error {code}"
    if code in (401, 403, 404):
        return "deny"
    if code == 405:
        return "method"
    if 300 <= code < 400:
        location = response.get("Location", "")
        if "next=" in location:  # sent to log in (again): login_required, a revoked session
            return "deny"
        section = url.strip("/").split("/")[0]
        target = location.split("?")[0].strip("/").split("/")[0] if location.startswith("/") else ""
        if method == "GET" and target != section and url != "/":
            return "deny"
    return "allow"


def probe(world: World, route: Route, method: str, role: str, kwargs: dict) -> tuple[str, str]:
    from safepassage.vault import services as vault

    client = world.clients[role]
    cookies = copy.deepcopy(client.cookies)
    url = _url(route, kwargs)
    try:
        response = _request(client, method, url)
    except Exception as exc:  # a view that crashed: the test client re-raises it
        return f"error {type(exc).__name__}: {exc}"[:300], ""
    finally:
        client.cookies = cookies
        if not vault.is_unsealed():
            vault.unseal_with_key(world.master)
    body = ""
    if method == "GET" and "text" in response.get("Content-Type", "") or "json" in response.get("Content-Type", ""):
        body = response.content.decode(errors="replace")
    return _verdict(method, url, response), body


def _methods(route: Route, world: World, kwargs: dict) -> list[str]:
    if route.api_methods:
        return list(route.api_methods)
    table = read_table()
    known = sorted({m for (url, m, _s) in table if url == route.key})
    if known and not WRITE:
        return known
    outcome, _body = probe(world, route, "GET", "coordinator", kwargs)
    return ["POST"] if outcome == "method" else ["GET"]


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_every_role_gets_what_the_table_expects(route, world, django_db_blocker):
    table = read_table()
    unexpected_allows, unexpected_denies, errors, leaks, missing = [], [], [], [], []
    with django_db_blocker.unblock():
        targets = _targets(route, world)
        first = next((kw for _s, _p, kw in targets if kw is not None), {})
        for method in _methods(route, world, first):
            for scenario, kind, kwargs in targets:
                row = {"url": route.key, "method": method, "scenario": scenario, "probe": kind}
                expected = table.get((route.key, method, scenario))
                if expected is None and not WRITE:
                    missing.append(f"{method} {scenario}")
                for role in ROLES:
                    if kwargs is None:
                        row[role] = "-"
                        continue
                    outcome, body = probe(world, route, method, role, kwargs)
                    row[role] = outcome
                    if any(secret in body for secret in (*SECRET_NAMES, SECRET_STORY)):
                        leaks.append(f"{role} {method} {scenario}")
                    if outcome.startswith("error") or outcome == "method":
                        errors.append(f"{role} {method} {scenario}: {outcome}")
                    elif expected is not None:
                        want = expected.get(role)
                        if outcome == "allow" and want != "allow":
                            unexpected_allows.append(f"{role} {method} {scenario}")
                        elif outcome == "deny" and want != "deny":
                            unexpected_denies.append(f"{role} {method} {scenario} (table: {want})")
                _observed[(route.key, method, scenario)] = row
    assert not leaks, f"{route.key}: another organisation's person shown to {leaks}"
    assert not errors, f"{route.key}: {errors}"
    if WRITE:
        return
    assert not missing, (f"{route.key} is not in {TABLE.name} ({missing}); review and regenerate it with "
                         "SAFEPASSAGE_MATRIX_WRITE=1")
    assert not unexpected_allows, f"{route.key}: UNEXPECTED ALLOW for {unexpected_allows}"
    assert not unexpected_denies, f"{route.key}: unexpected deny for {unexpected_denies}"


def test_the_table_names_only_urls_that_exist_and_every_role():
    table = read_table()
    assert table, f"{TABLE.name} is missing: generate it with SAFEPASSAGE_MATRIX_WRITE=1"
    known = {r.key for r in ROUTES}
    stale = sorted({url for (url, _m, _s) in table} - known)
    assert not stale, f"{TABLE.name} lists URLs that no longer exist: {stale}"
    with TABLE.open(newline="") as fh:
        header = next(csv.reader(fh))
    assert header[4:] == list(ROLES), "the table's role columns are not policy.roles.ROLES"
    cells = {v for row in table.values() for role, v in row.items() if role in ROLES}
    assert cells <= {"allow", "deny", "-"}, f"unknown cells in the table: {cells - {'allow', 'deny', '-'}}"
