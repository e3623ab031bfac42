from django.apps import AppConfig


class SafehousesConfig(AppConfig):
    name = "safepassage.safehouses"
    label = "safehouses"

    def ready(self):
        from . import hooks, timeline

        hooks.connect()
        timeline.connect()
