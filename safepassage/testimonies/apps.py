from django.apps import AppConfig


class TestimoniesConfig(AppConfig):
    name = "safepassage.testimonies"
    label = "testimonies"
    verbose_name = "Testimonies"
