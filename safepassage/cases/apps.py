from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safepassage.cases"
    label = "cases"

    def ready(self):
        from . import services, workflow

        workflow.register_guard("duplicate", services._duplicate_guard)
