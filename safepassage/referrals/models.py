"""Resettlement programmes, referral packets, the person's consent to share, and decisions.

A packet is the most complete picture of a person that ever leaves the organisation: its content is
sealed under the case's key (shredded with the case) and holds only the fields its programme asks
for. Outcomes, programmes, countries, priorities, reason codes and dates stay in the clear: the
organisations need denials counted, never read.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.vault.fields import SealedChildModel, SealedJSONField, SealedTextField

from . import vocabulary


class Programme(models.Model):
    """A receiving country's resettlement or visa programme. Data: labels in en/ru/fr, field list."""

    code = models.SlugField(max_length=60, unique=True)
    country = models.CharField(max_length=2, db_index=True)  # ISO 3166-1 alpha-2
    labels = models.JSONField(default=dict)  # {"en": ..., "ru": ..., "fr": ...}
    body = models.JSONField(default=dict)  # the receiving body, labelled the same way
    fields = models.JSONField(default=list)  # packet field codes (vocabulary.FIELDS)
    uses_rrf = models.BooleanField(default=False)  # packets take the UNHCR RRF shape
    is_active = models.BooleanField(default=True)
    # The government or settlement partner whose liaison officers receive the packets.
    liaison_organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="received_programmes")

    class Meta:
        ordering = ["country", "code"]

    def __str__(self):
        return self.code

    def label(self, lang=None) -> str:
        return vocabulary.label(self.labels, lang)

    def body_label(self, lang=None) -> str:
        return vocabulary.label(self.body, lang)

    def country_label(self, lang=None) -> str:
        return vocabulary.country_label(self.country, lang)


class ReferralConsent(SealedChildModel):
    """The person agreed that their packet may be shared with this programme's receiving body."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referral_consents")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    note = SealedTextField()  # how and when the person gave it

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"consent {self.pk}"


class Referral(SealedChildModel):
    STATUS_DRAFT = "draft"
    STATUS_SUBMITTED = "submitted"
    STATUS_MORE_INFO = "more_info"
    STATUS_APPROVED = "approved"
    STATUS_DENIED = "denied"
    STATUS_WITHDRAWN = "withdrawn"
    STATUS_CHOICES = [
        (STATUS_DRAFT, _("Draft")),
        (STATUS_SUBMITTED, _("Submitted")),
        (STATUS_MORE_INFO, _("More information requested")),
        (STATUS_APPROVED, _("Approved")),
        (STATUS_DENIED, _("Denied")),
        (STATUS_WITHDRAWN, _("Withdrawn")),
    ]
    OPEN = (STATUS_DRAFT, STATUS_SUBMITTED, STATUS_MORE_INFO)
    EDITABLE = (STATUS_DRAFT, STATUS_MORE_INFO)

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="referrals")
    reference = models.CharField(max_length=24, unique=True)
    country = models.CharField(max_length=2, db_index=True)  # the programme's, kept for counting
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=STATUS_DRAFT, db_index=True)
    priority = models.CharField(max_length=10, blank=True)  # RRF: emergency / urgent / normal
    case_size = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)  # the first submission
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decided_on = models.DateField(null=True, blank=True)  # the last decision's date
    consent_overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+")

    packet = SealedJSONField(list_value=False)  # {"fields": {...}, "rrf": {...}}
    consent_override_reason = SealedTextField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class Decision(SealedChildModel):
    """One answer from the receiving body. Outcome, reason code and dates in the clear; words sealed."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=[(c, c) for c, _l in vocabulary.OUTCOMES], db_index=True)
    reason_code = models.CharField(max_length=24, blank=True, db_index=True)
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    reason = SealedTextField()

    class Meta:
        ordering = ["decided_on", "recorded_at"]

    def __str__(self):
        return f"decision {self.pk}"

    def outcome_label(self) -> str:
        return vocabulary.choice_label(vocabulary.OUTCOMES, self.outcome)

    def reason_label(self) -> str:
        return vocabulary.choice_label(vocabulary.REASON_CODES, self.reason_code) if self.reason_code else ""
