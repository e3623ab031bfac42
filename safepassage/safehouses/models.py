"""Safe houses and the stays of the people sheltered in them.

A safe house is not a person's record: it has its own data key, so its address can be shredded (a
burnt house) without touching anyone's case, and a case can be shredded without the house. In the
clear: a codename, a coarse area (a city or region, never a street), capacity and status — what an
occupancy board needs. Address, contact and house rules are sealed.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.vault.fields import SealedModel, SealedTextField


class SafeHouse(SealedModel):
    STATUS_ACTIVE = "active"
    STATUS_COMPROMISED = "compromised"
    STATUS_RETIRED = "retired"
    STATUS_CHOICES = [
        (STATUS_ACTIVE, _("In use")),
        (STATUS_COMPROMISED, _("Compromised")),
        (STATUS_RETIRED, _("Retired")),
    ]

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="safe_houses")
    codename = models.CharField(max_length=60)  # "Birch": what staff say aloud, never the address
    area = models.CharField(max_length=100)  # coarse: "Moscow region", "Yerevan"
    capacity = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=STATUS_ACTIVE, db_index=True)
    compromised_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    address = SealedTextField()
    contact = SealedTextField()
    rules = SealedTextField()
    compromise_reason = SealedTextField()

    class Meta:
        ordering = ["codename"]
        constraints = [models.UniqueConstraint(fields=["organisation", "codename"], name="safehouse_codename_unique")]

    def __str__(self):
        return f"safe house {self.pk}"


class Stay(models.Model):
    """One case's time in one house. Holds ids, stages and times only.

    A move into a house takes two people: either the case's four-eyes transition to "sheltered"
    (the stay starts once the second person confirms) or, for a relocation, a proposed stay that a
    second person confirms.
    """

    STATE_PROPOSED = "proposed"
    STATE_CURRENT = "current"
    STATE_ENDED = "ended"
    STATE_CANCELLED = "cancelled"
    STATE_CHOICES = [
        (STATE_PROPOSED, _("Proposed")),
        (STATE_CURRENT, _("Staying")),
        (STATE_ENDED, _("Left")),
        (STATE_CANCELLED, _("Cancelled")),
    ]
    END_MOVED_ON = "moved_on"
    END_RELOCATED = "relocated"
    END_OTHER = "other"
    END_CHOICES = [
        (END_MOVED_ON, _("Moved on in the journey")),
        (END_RELOCATED, _("Relocated to another house")),
        (END_OTHER, _("Other")),
    ]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    house = models.ForeignKey(SafeHouse, on_delete=models.PROTECT, related_name="stays")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="stays")
    state = models.CharField(max_length=10, choices=STATE_CHOICES, db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_out_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                       related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=END_CHOICES, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            # a person is in at most one house at a time
            models.UniqueConstraint(fields=["case"], condition=models.Q(state="current"), name="one_current_stay"),
        ]

    def __str__(self):
        return f"stay {self.pk}"
