from django.apps import AppConfig


class TravelConfig(AppConfig):
    name = "safepassage.travel"
    label = "travel"

    def ready(self):
        from safepassage.core import periodic

        from . import timeline
        from .services import travel_check_overdue

        timeline.connect()
        # a missed check-in is the alarm that cannot wait for someone to look
        periodic.register("travel_check", lambda: len(travel_check_overdue()), every=60)
