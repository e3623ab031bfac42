from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "safepassage.vault"
    label = "vault"

    def ready(self):
        from . import checks  # noqa: F401
