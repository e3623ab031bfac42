from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "safepassage.settlement"
    label = "settlement"

    def ready(self):
        from . import hooks, timeline

        hooks.connect()
        timeline.connect()
