from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "safepassage.matching"
    label = "matching"
