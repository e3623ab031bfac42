from django.apps import AppConfig


class TravelConfig(AppConfig):
    name = "safepassage.travel"
    label = "travel"
