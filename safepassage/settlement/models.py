"""Arrival and settlement: the plan that carries a person from arrival to a life of their own.

Everything that describes the person's new life (where they live, their health, their lawyer, who
was paid) is sealed under the case's key. In the clear: the arrival date and country, item areas
and states, payment amounts, currencies and dates — what the organisation counts and budgets.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safepassage.vault.fields import SealedChildModel, SealedTextField


class SettlementPlan(SealedChildModel):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="settlement_plan")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    arrived_on = models.DateField(db_index=True)
    arrival_country = models.CharField(max_length=2, db_index=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="settlement_plans")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    notes = SealedTextField()

    def __str__(self):
        return f"settlement plan {self.pk}"


class PlanItem(SealedChildModel):
    AREA_CHOICES = [
        ("housing", _("Housing")),
        ("health", _("Health")),
        ("legal_status", _("Legal status")),
        ("language", _("Language")),
        ("work", _("Work or study")),
        ("community", _("Community contact")),
        ("other", _("Other")),
    ]
    STATUS_OPEN = "open"
    STATUS_DONE = "done"
    STATUS_NOT_NEEDED = "not_needed"
    STATUS_CHOICES = [
        (STATUS_OPEN, pgettext_lazy("state of a settlement item", "Open")),
        (STATUS_DONE, _("Done")),
        (STATUS_NOT_NEEDED, _("Not needed")),
    ]

    plan = models.ForeignKey(SettlementPlan, on_delete=models.CASCADE, related_name="items")
    area = models.CharField(max_length=16, choices=AREA_CHOICES)
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=STATUS_OPEN, db_index=True)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    description = SealedTextField()

    class Meta:
        ordering = ["position", "due_on"]

    def __str__(self):
        return f"plan item {self.pk}"


class SupportPayment(SealedChildModel):
    PURPOSE_CHOICES = [
        ("housing", _("Housing")),
        ("food", _("Food and daily needs")),
        ("health", _("Health")),
        ("transport", _("Transport")),
        ("documents", _("Documents and fees")),
        ("language", _("Language course")),
        ("other", _("Other")),
    ]

    plan = models.ForeignKey(SettlementPlan, on_delete=models.CASCADE, related_name="payments")
    paid_on = models.DateField(db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)  # ISO 4217
    purpose = models.CharField(max_length=12, choices=PURPOSE_CHOICES)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    recipient = SealedTextField()  # a landlord, a clinic, the person: never in the clear
    note = SealedTextField()

    class Meta:
        ordering = ["paid_on", "recorded_at"]

    def __str__(self):
        return f"payment {self.pk}"


class SettlementCheckIn(SealedChildModel):
    """A scheduled conversation with the person after arrival: how are they doing?"""

    plan = models.ForeignKey(SettlementPlan, on_delete=models.CASCADE, related_name="checkins")
    scheduled_on = models.DateField(db_index=True)
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    notes = SealedTextField()

    class Meta:
        ordering = ["scheduled_on"]

    def __str__(self):
        return f"settlement check-in {self.pk}"
