from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "safepassage.retention"
    label = "retention"
    verbose_name = "Retention"
