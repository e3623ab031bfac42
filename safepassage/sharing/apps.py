from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "safepassage.sharing"
    label = "sharing"

    def ready(self):
        from safepassage.core import periodic

        from . import signals  # noqa: F401  (a deleted share takes its key with it)
        from .services import shares_expire

        periodic.register("shares_expire", shares_expire, every=3600)
