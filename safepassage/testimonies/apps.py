from django.apps import AppConfig


class TestimoniesConfig(AppConfig):
    name = "safepassage.testimonies"
    label = "testimonies"
    verbose_name = "Testimonies"

    def ready(self):
        from safepassage.retention.hooks import register_retention_hold

        from .holds import keeps_case

        register_retention_hold(keeps_case)  # a testimony consented for use keeps its giver's cases
