from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "safepassage.intake"
    label = "intake"
    verbose_name = "Anonymous intake"

    def ready(self):
        from . import checks  # noqa: F401
        from .logfilter import install

        install()  # no visitor address in any log line, in every process that loads the project
