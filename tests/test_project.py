"""Project-wide guarantees: migrations complete, production refuses demo keys."""
import io

import pytest
from django.core import checks
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"missing migrations:\n{out.getvalue()}") if exc.code else None


def test_a_demo_vault_is_refused_outside_demo_mode(unsealed_vault, settings):
    settings.DEMO_MODE = False
    errors = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "vault.E001" in [e.id for e in errors]


def test_a_demo_vault_is_accepted_in_demo_mode(unsealed_vault, settings):
    settings.DEMO_MODE = True
    errors = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "vault.E001" not in [e.id for e in errors]
