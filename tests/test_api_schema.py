"""The REST API against its own OpenAPI schema, with schemathesis: no 5xx, no answer that breaks the schema.

Every operation of the schema is called with requests generated from the schema (positive data:
what the schema says is valid), with a real member's token and the ids of records that exist, and
each answer must pass schemathesis' checks: not a server error, a documented status code, the
documented content type, a body matching the documented schema.

The CI run is short (a few examples per operation, derandomised, well under a minute). The longer run:

    SAFEPASSAGE_SCHEMATHESIS_EXAMPLES=200 .venv/bin/pytest -p no:cacheprovider tests/test_api_schema.py

(the same test with more examples per operation and a random seed each time).
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings

EXAMPLES = int(os.environ.get("SAFEPASSAGE_SCHEMATHESIS_EXAMPLES", "4"))
CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance, schemathesis.checks.response_schema_conformance]

SCHEMA = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


# The records are built once for the module, in a transaction rolled back at its end; each test runs
# in a savepoint of it.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def api_world(django_db_setup, django_db_blocker):
    from django.db import transaction

    from safepassage.vault import services as vault

    with django_db_blocker.unblock():
        with transaction.atomic():
            vault.initialise(mode="demo")
            yield _build()
            transaction.set_rollback(True)
        vault.seal()


def _build():
    """Records for every operation to reach: a verified case with a submitted packet addressed to a liaison's
    programme, a task, a share received; the bulk-view alarm off (hundreds of reads are the point here)."""
    from safepassage.accounts.models import Organisation, ReadAlarmSettings
    from safepassage.accounts.services import api_token_create, organisation_create
    from safepassage.core.testing import staff_member

    org = organisation_create(name="Schema Frontline")
    coordinator = staff_member(org, "schema-coordinator", ["coordinator"])
    caseworker = staff_member(org, "schema-caseworker", ["caseworker"])
    from safepassage.referrals import services as referrals
    from safepassage.referrals.models import Programme
    from safepassage.safehouses.tests.journey_helpers import verified_case
    from safepassage.sharing import services as sharing
    from safepassage.tasks.services import task_create

    government = organisation_create(name="Schema Government", kind=Organisation.KIND_GOVERNMENT, case_prefix="G")
    partner = organisation_create(name="Schema Partner", kind=Organisation.KIND_RELOCATION, case_prefix="S")
    for organisation in (org, government, partner):
        ReadAlarmSettings.objects.create(organisation=organisation, enabled=False)
    canada = Programme.objects.get(code="ca-gar")
    Programme.objects.filter(pk=canada.pk).update(liaison_organisation=government)
    liaison = staff_member(government, "schema-liaison", ["liaison"])
    partner_coordinator = staff_member(partner, "schema-partner", ["coordinator"])
    case = verified_case(coordinator, org, assignees=[caseworker])
    referrals.consent_record(actor=coordinator, case=case, programme=canada)
    referral = referrals.referral_submit(actor=coordinator, referral=referrals.referral_create(
        actor=coordinator, case=case, programme=canada))
    task = task_create(actor=coordinator, case=case, title="call back", assignee=coordinator)
    their_case = verified_case(partner_coordinator, partner, name="Partner Person")
    sharing.share_consent_record(actor=partner_coordinator, case=their_case, organisation=org)
    share = sharing.share_create(actor=partner_coordinator, case=their_case, recipient=org,
                                 purpose="relocation_planning")
    ids = {"case_id": str(case.pk), "person_id": str(case.person_id), "referral_id": str(referral.pk),
           "task_id": str(task.pk), "share_id": str(share.pk)}
    tokens = {"member": api_token_create(actor=coordinator, name="schema")[1],
              "liaison": api_token_create(actor=liaison, name="schema")[1]}
    return ids, tokens


@pytest.fixture(scope="module")
def wsgi_app():
    """Django's WSGI application, called in-process inside the test's transaction (as the test client does,
    the per-request connection clean-up is switched off so the transaction survives each call)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_no_5xx_and_every_answer_matches_the_schema(operation, api_world, wsgi_app):
    ids, tokens = api_world
    SCHEMA.app = wsgi_app
    token = tokens["liaison"] if "/api/referrals/" in operation.path else tokens["member"]
    headers = {"Authorization": f"Token {token}"}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize="SAFEPASSAGE_SCHEMATHESIS_EXAMPLES"
              not in os.environ, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        for name in list(case.path_parameters or {}):
            case.path_parameters[name] = ids.get(name, case.path_parameters[name])
        if isinstance(case.body, dict) and "person" in case.body:
            case.body["person"] = ids["person_id"]
        response = case.call(headers=headers, app=wsgi_app)
        case.validate_response(response, checks=CHECKS)

    run()
