"""Travel plans: legs, escorts, documents, and the check-ins that tell staff a person is still safe.

A route is the most dangerous thing to leak while someone is on it: where a leg starts and ends,
who escorts, which documents are carried and every note are sealed under the case's key (a case's
plan is shredded with the case). In the clear: modes, times and states, which the missed-check-in
alarm must read while nobody is looking at the plan.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.vault.fields import SealedChildModel, SealedTextField


class TravelPlan(SealedChildModel):
    STATUS_DRAFT = "draft"
    STATUS_NEGOTIATED = "negotiated"
    STATUS_UNDERWAY = "underway"
    STATUS_COMPLETED = "completed"
    STATUS_CANCELLED = "cancelled"
    STATUS_CHOICES = [
        (STATUS_DRAFT, _("Being prepared")),
        (STATUS_NEGOTIATED, _("Safe travel negotiated")),
        (STATUS_UNDERWAY, _("Under way")),
        (STATUS_COMPLETED, _("Completed")),
        (STATUS_CANCELLED, _("Cancelled")),
    ]

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="travel_plan")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=STATUS_DRAFT, db_index=True)
    negotiated_on = models.DateField(null=True, blank=True, db_index=True)
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="travel_plans")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    notes = SealedTextField()

    def __str__(self):
        return f"travel plan {self.pk}"


class TravelLeg(SealedChildModel):
    MODE_CHOICES = [
        ("air", _("Plane")),
        ("rail", _("Train")),
        ("bus", _("Bus")),
        ("car", _("Car")),
        ("boat", _("Boat")),
        ("foot", _("On foot")),
        ("other", _("Other")),
    ]
    STATUS_PLANNED = "planned"
    STATUS_UNDERWAY = "underway"
    STATUS_DONE = "done"
    STATUS_CANCELLED = "cancelled"
    STATUS_CHOICES = [
        (STATUS_PLANNED, _("Planned")),
        (STATUS_UNDERWAY, _("Under way")),
        (STATUS_DONE, _("Done")),
        (STATUS_CANCELLED, _("Cancelled")),
    ]

    plan = models.ForeignKey(TravelPlan, on_delete=models.CASCADE, related_name="legs")
    position = models.PositiveSmallIntegerField(default=0)
    mode = models.CharField(max_length=8, choices=MODE_CHOICES)
    departs_at = models.DateTimeField(null=True, blank=True)
    arrives_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=STATUS_PLANNED)

    origin = SealedTextField()
    destination = SealedTextField()
    escort = SealedTextField()
    documents = SealedTextField()  # what must be carried: "passport, invitation letter"
    notes = SealedTextField()

    class Meta:
        ordering = ["position", "departs_at"]

    def __str__(self):
        return f"travel leg {self.pk}"


class CheckIn(SealedChildModel):
    """A moment by which the traveller (or escort) must have said they are fine."""

    KIND_CHOICES = [
        ("boarded", _("Boarded")),
        ("crossed_border", _("Crossed the border")),
        ("arrived", _("Arrived")),
        ("safe", _("Safe at the stopover")),
        ("other", _("Other")),
    ]

    leg = models.ForeignKey(TravelLeg, on_delete=models.CASCADE, related_name="checkins")
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    expected_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    alarm_raised_at = models.DateTimeField(null=True, blank=True)

    label = SealedTextField()  # for "other": what exactly is expected
    note = SealedTextField()

    class Meta:
        ordering = ["expected_at"]

    def __str__(self):
        return f"check-in {self.pk}"


class TravelSettings(models.Model):
    """Per organisation: how long after an expected check-in silence becomes an alarm."""

    DEFAULT_GRACE_MINUTES = 120

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE,
                                        related_name="travel_settings")
    checkin_grace_minutes = models.PositiveIntegerField(default=DEFAULT_GRACE_MINUTES)

    def __str__(self):
        return f"travel settings {self.organisation_id}"
