"""System checks: refuse to serve production with a demo key (vault.E001)."""
from django.conf import settings
from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.security, deploy=True)
def demo_key_in_production(app_configs, **kwargs):
    from .models import VaultState

    if settings.DEMO_MODE:
        return []
    try:
        mode = VaultState.objects.filter(pk=1).values_list("mode", flat=True).first()
    except DatabaseError:
        return []
    if mode == VaultState.MODE_DEMO:
        return [checks.Error(
            "This deployment's vault uses the DEMO key, which is stored in the clear.",
            hint="Create a real vault with `safepassage init` on an empty data directory.",
            id="vault.E001",
        )]
    return []
