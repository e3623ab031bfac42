from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "safepassage.verification"
    label = "verification"
    verbose_name = "Verification"

    def ready(self):
        from safepassage.cases import workflow

        from .services import verification_guard

        workflow.register_guard("verified", verification_guard)
