from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safepassage.vault.fields import SealedChildModel, SealedJSONField, SealedModel, SealedTextField


class Case(SealedModel):
    """One person's journey with one organisation. Stage and risk are in the clear (they drive the
    work queues); what happened, and why the risk is what it is, are sealed under the case's key."""

    STATUS_CHOICES = [
        ("requested", _("Requested")),
        ("screening", _("Screening")),
        ("verified", _("Verified")),
        ("sheltered", _("Sheltered")),
        ("referred", _("Referred")),
        ("approved", _("Approved")),
        ("denied", _("Denied")),
        ("in_transit", _("In transit")),
        ("arrived", _("Arrived")),
        ("settling", _("Settling")),
        ("closed", _("Closed")),
        ("rejected", _("Rejected")),
        ("unreachable", _("Unreachable")),
        ("duplicate", _("Duplicate")),
        ("entrapment_suspected", _("Entrapment suspected")),
    ]
    RISK_CHOICES = [
        ("critical", _("Critical")),
        ("high", _("High")),
        ("medium", _("Medium")),
        ("low", _("Low")),
    ]
    RISK_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="cases")
    reference = models.CharField(max_length=24, unique=True)
    status = models.CharField(max_length=24, choices=STATUS_CHOICES, default="requested", db_index=True)
    status_since = models.DateTimeField(default=timezone.now, db_index=True)  # time in stage; retention clock
    risk_level = models.CharField(max_length=8, choices=RISK_CHOICES, default="medium")
    risk_rank = models.PositiveSmallIntegerField(default=2, db_index=True)  # sorts critical first
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="assigned_cases")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    summary = SealedTextField()
    risk_reasons = SealedTextField()

    class Meta:
        ordering = ["risk_rank", "-updated_at"]

    def __str__(self):
        return self.reference


class CaseNote(SealedChildModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    body = SealedTextField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"note on {self.case_id}"


class CaseTransition(SealedChildModel):
    """One move of a case between stages, asked for and (for four-eyes moves) confirmed or rejected.

    Stages, state and who decided are in the clear; the reason, the move's fields and the warnings
    shown to the confirming person are sealed under the case's key.
    """

    PENDING = "pending"
    APPLIED = "applied"
    REJECTED = "rejected"
    STATES = [(PENDING, _("Waiting for confirmation")), (APPLIED, _("Applied")), (REJECTED, _("Rejected"))]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField(max_length=24)
    target = models.CharField(max_length=24)
    state = models.CharField(max_length=10, choices=STATES, default=PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    reason = SealedTextField()
    data = SealedJSONField(list_value=False)
    warnings = SealedJSONField()
    rejection_reason = SealedTextField()

    class Meta:
        ordering = ["requested_at"]

    def __str__(self):
        return f"{self.source}->{self.target} on {self.case_id}"

    @property
    def pending(self) -> bool:
        return self.state == self.PENDING

    @property
    def target_label(self) -> str:
        return str(dict(Case.STATUS_CHOICES).get(self.target, self.target))


class CaseEvent(models.Model):
    """A line on the case timeline. Holds kinds, stages and ids only; the words are in sealed notes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=32)
    detail = models.JSONField(default=dict)
    note = models.ForeignKey(CaseNote, null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.kind} on {self.case_id}"
