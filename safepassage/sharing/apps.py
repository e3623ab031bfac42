from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "safepassage.sharing"
    label = "sharing"

    def ready(self):
        from . import signals  # noqa: F401  (a deleted share takes its key with it)
