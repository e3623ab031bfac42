"""Roles a membership can hold. Kept apart from the rules so models can import the names."""
from django.utils.translation import gettext_lazy as _

ADMIN = "admin"
COORDINATOR = "coordinator"
CASEWORKER = "caseworker"
INTAKE = "intake"
SAFEHOUSE = "safehouse"
TRAVEL = "travel"
SETTLEMENT = "settlement"
LIAISON = "liaison"
RESEARCHER = "researcher"
CUSTODIAN = "custodian"

ROLE_CHOICES = [
    (ADMIN, _("Organisation admin")),
    (COORDINATOR, _("Coordinator")),
    (CASEWORKER, _("Caseworker")),
    (INTAKE, _("Intake worker")),
    (SAFEHOUSE, _("Safe-house coordinator")),
    (TRAVEL, _("Travel coordinator")),
    (SETTLEMENT, _("Settlement worker")),
    (LIAISON, _("Government liaison")),
    (RESEARCHER, _("Researcher")),
    (CUSTODIAN, _("Key custodian")),
]
ROLES = [code for code, _label in ROLE_CHOICES]
