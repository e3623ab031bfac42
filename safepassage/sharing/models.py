"""Cases shared with another organisation, and the person's consent to it.

A share holds, in the clear, who sent it to whom, for which purpose, which fields (their names, not
their values), until when, and whether it was revoked or taken over; the values are sealed for the
recipient under the share's own data key (``vault.shares``). A consent's note is sealed under the
case's key and shredded with the case.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safepassage.vault import shares as share_crypto
from safepassage.vault.fields import SealedChildModel, SealedModel, SealedTextField

from . import purposes


class ShareConsent(SealedChildModel):
    """The person agreed that their case may be shared with this organisation — or, when the basis is
    an override, a coordinator shared without it and said why (that row serves one share only)."""

    BASIS_CONSENT = "consent"
    BASIS_OVERRIDE = "override"
    BASES = [(BASIS_CONSENT, _("The person consented")), (BASIS_OVERRIDE, _("Shared without consent (override)"))]

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="share_consents")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=10, choices=BASES, default=BASIS_CONSENT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    note = SealedTextField()  # how the person gave it, or why it was overridden

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"share consent {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class CaseShare(SealedModel):
    """Part of a case, shared with one organisation for one purpose, until a date; or a transfer."""

    KIND_SHARE = "share"
    KIND_TRANSFER = "transfer"
    KINDS = [(KIND_SHARE, _("Share")), (KIND_TRANSFER, _("Transfer"))]

    # Null once the case is gone at the sender: a transfer leaves this row as the sender's stub.
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="shares")
    case_reference = models.CharField(max_length=24)
    sender = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="shares_sent")
    recipient = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="shares_received")
    kind = models.CharField(max_length=10, choices=KINDS, default=KIND_SHARE)
    purpose = models.CharField(max_length=32)
    fields = models.JSONField(default=list)  # field codes (purposes.FIELDS), never values
    consent = models.ForeignKey(ShareConsent, null=True, blank=True, on_delete=models.SET_NULL, related_name="shares")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)  # a transfer taken over by the recipient
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recipient_case_reference = models.CharField(max_length=24, blank=True)

    # The chosen fields, sealed for the recipient organisation (vault.shares); None once revoked.
    sealed_fields = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"share {self.pk}"

    def new_data_key(self):
        return share_crypto.share_key_create()

    @property
    def is_transfer(self) -> bool:
        return self.kind == self.KIND_TRANSFER

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.accepted_at is None and not self.is_expired

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "transferred"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "active"

    @property
    def state_label(self) -> str:
        return str({"transferred": _("Transferred"), "revoked": _("Revoked"), "expired": _("Expired"),
                    "active": _("Active")}[self.state])

    @property
    def purpose_label(self) -> str:
        return purposes.purpose_label(self.purpose)

    def field_labels(self) -> list[str]:
        return [purposes.field_label(code) for code in self.fields]
