from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safepassage.api"
    label = "api"

    def ready(self):
        from . import schema  # noqa: F401  (the token's security scheme in the OpenAPI schema)
