"""System checks for the intake (intake.W001: no organisation can receive requests yet)."""
from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.security, deploy=True)
def intake_key_present(app_configs, **kwargs):
    from .models import IntakeKey

    try:
        present = IntakeKey.objects.exists()
    except DatabaseError:
        return []
    if present:
        return []
    return [checks.Warning(
        "No organisation has an intake key: /help/ answers that it cannot accept requests.",
        hint="Run `manage.py intake_setup --org NAME` while the vault is unsealed, or open the intake inbox once.",
        id="intake.W001",
    )]
