"""Verification: each organisation's checklist, the results per case, trusted referrers and their vouching.

Threat: a help request sent by the authorities to map the network. A case is verified only when
its checklist is complete; before that nothing sensitive reaches the requester (see
``cases.workflow.require_verified``). Who vouched for whom is itself a map of the network: the
link from a vouching to its referrer is sealed under the case's key, and referrers' names and
contacts are sealed under their own key.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.vault.fields import SealedChildModel, SealedModel, SealedTextField

DEFAULT_ITEMS = [
    ("identity", _("Identity confirmed")),
    ("referrer", _("Vouched for by a trusted referrer")),
    ("story", _("Story consistent across conversations")),
    ("channel", _("Safe contact channel agreed")),
]
DEFAULT_LABELS = dict(DEFAULT_ITEMS)


class ChecklistItem(models.Model):
    """One check an organisation makes before verifying a case. Wording is the organisation's own:
    it names a check, never a person."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="checklist_items")
    code = models.SlugField(max_length=40)
    custom_label = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="checklist_item_code_unique")]

    def __str__(self):
        return self.code

    @property
    def label(self) -> str:
        return self.custom_label or str(DEFAULT_LABELS.get(self.code, self.code))


class CheckResult(SealedChildModel):
    PASSED = "passed"
    FAILED = "failed"
    CONCERN = "concern"
    NOT_APPLICABLE = "not_applicable"
    OUTCOMES = [
        (PASSED, _("Passed")),
        (CONCERN, _("Concern: look again")),
        (FAILED, _("Failed")),
        (NOT_APPLICABLE, _("Not applicable")),
    ]

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="results")
    outcome = models.CharField(max_length=16, choices=OUTCOMES)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(auto_now=True)
    note = SealedTextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "item"], name="check_result_unique")]

    def __str__(self):
        return f"check {self.item_id} on {self.case_id}"


class TrustedReferrer(SealedModel):
    """Someone the organisation trusts to vouch for people (an activist, a lawyer, a former client)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="trusted_referrers")
    code = models.CharField(max_length=12, unique=True)
    active = models.BooleanField(default=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    name = SealedTextField()
    contact = SealedTextField()
    note = SealedTextField()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class Vouch(SealedChildModel):
    """A trusted referrer vouched for the person of a case. The referrer is named only inside the seal."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="vouches")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    referrer_ref = SealedTextField()  # the TrustedReferrer's id
    note = SealedTextField()

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self):
        return f"vouch on {self.case_id}"
