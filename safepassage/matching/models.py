"""What matching keeps: blind candidate keys, the review queue, and merges that can be undone.

Nothing here is plaintext about a person: keys are keyed HMACs, suggestions hold ids, a score and
reason codes, and what a merge added to the kept record is sealed under that record's data key.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safepassage.vault.fields import SealedChildModel, SealedJSONField


class MatchKey(models.Model):
    """One candidate key of one person (``keys.stored_keys``) as a blind index.

    The organisation is kept beside the digest so a lookup never leaves the organisation and is one
    index range per digest.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="match_keys")
    kind = models.CharField(max_length=12)
    digest = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["organisation", "digest"], name="matching_key_lookup")]

    def __str__(self):
        return f"{self.kind} key"


class MatchKeyCount(models.Model):
    """How many people of an organisation hold one digest: what a lookup checks before fetching rows.

    A key held by thousands of people (a common given name with a birth year) finds no candidate on
    its own (``candidates.SELECTIVE_HOLDERS``); knowing its count up front lets a lookup fetch the rows
    of selective digests only, and of common digests only those of candidates already found. Kept
    exact by ``services`` whenever keys are written or removed. It tells nothing the MatchKey table
    does not already tell (a ``GROUP BY digest`` over it gives the same numbers).
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=32)
    holders = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "digest"], name="matching_one_count_per_digest"),
        ]

    def __str__(self):
        return f"key count {self.pk}"


class MatchSuggestion(models.Model):
    """Two people of one organisation who may be one person, waiting for a coordinator's decision."""

    STATUS_OPEN = "open"
    STATUS_MERGED = "merged"
    STATUS_NOT_DUPLICATE = "not_duplicate"
    STATUS_CHOICES = [
        (STATUS_OPEN, _("Waiting for review")),
        (STATUS_MERGED, _("Merged")),
        (STATUS_NOT_DUPLICATE, _("Not the same person")),
    ]

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    # person_a has the smaller id, so one pair is one row whichever record found the other
    person_a = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=STATUS_OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="matching_one_suggestion_per_pair"),
        ]
        indexes = [models.Index(fields=["organisation", "status", "-score"], name="matching_queue")]

    def __str__(self):
        return f"suggestion {self.pk} ({self.status})"


class MergeRecord(SealedChildModel):
    """``merged`` was folded into ``keep``; enough is kept to put everything back.

    The merged person's own row is left as it was (its sealed fields, data key and reference); what
    moved is listed by id in ``moved``; what the merge added to ``keep`` is sealed in ``added`` under
    ``keep``'s data key, so shredding ``keep`` shreds it too.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    keep = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    suggestion = models.ForeignKey(MatchSuggestion, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="merges")
    # [{"model": "cases.case", "field": "person", "ids": ["..."]}, ...]: ids only
    moved = models.JSONField(default=list)
    added = SealedJSONField(list_value=False)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        constraints = [
            models.UniqueConstraint(fields=["merged"], condition=Q(undone_at__isnull=True),
                                    name="matching_merged_once"),
        ]

    def __str__(self):
        return f"merge {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None
