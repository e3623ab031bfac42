"""Testimonies: what survivors told us, sealed; and the coarse facts a public report may count.

Threat: a seized server, or a leaked report, pointing back at the person who testified. The
narrative, who the interviewee is (a person in the system or a pseudonym), interview date and
language, interviewer notes, exact dates, fine places and attachments are sealed under the
testimony's own data key. The only clear-text copy of what happened is ``CountedIncident``: month,
settlement, violation and perpetrator type, and it exists only while the testimony's consent allows
the anonymised public report (see docs/threat-model.md, "Testimonies and reports").
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safepassage.vault.fields import SealedChildModel, SealedJSONField, SealedModel, SealedTextField

from . import vocabulary


class Term(models.Model):
    """One entry of a controlled vocabulary. Shipped terms have no organisation; an organisation's
    own additions are visible to it alone. Codes are stable; labels are per language."""

    vocabulary = models.CharField(max_length=16, choices=[(v, v) for v in vocabulary.VOCABULARIES])
    code = models.SlugField(max_length=64)
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    labels = models.JSONField(default=dict)  # {"en": ..., "ru": ..., "fr": ...}
    parent = models.CharField(max_length=64, blank=True)  # a place's region
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["vocabulary", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], condition=Q(organisation__isnull=True),
                                    name="term_shipped_code_unique"),
            models.UniqueConstraint(fields=["vocabulary", "code", "organisation"], name="term_org_code_unique"),
        ]

    def __str__(self):
        return f"{self.vocabulary}:{self.code}"

    def label(self, lang: str | None = None) -> str:
        return vocabulary.pick(self.labels, lang) or self.code


class Testimony(SealedModel):
    """One interview. In the clear: organisation, a random reference, who recorded and conducted it,
    timestamps and the current consent for each use (the report filters on it)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="testimonies")
    reference = models.CharField(max_length=20, unique=True)
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    consent_internal = models.BooleanField(default=True)
    consent_public_report = models.BooleanField(default=False, db_index=True)
    consent_named_bodies = models.BooleanField(default=False)

    # A link to a person in the system is itself sensitive (it says who testified): sealed.
    interviewee_person_id = SealedTextField()
    pseudonym = SealedTextField()
    interview_date = SealedTextField()  # YYYY-MM-DD
    language = SealedTextField()
    narrative = SealedTextField()
    interviewer_notes = SealedTextField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "testimonies"

    def __str__(self):
        return self.reference


class Incident(SealedChildModel):
    """One thing that happened, as told in a testimony: everything sealed under the testimony's key.

    Its coarse projection (``CountedIncident``) is what reports count.
    """

    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="incidents")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    violation = SealedTextField()
    perpetrator = SealedTextField()
    place = SealedTextField()
    occurred_on = SealedTextField()  # "2017", "2017-03" or "2017-03-12", as precise as known
    precision = SealedTextField()  # day / month / year
    place_detail = SealedTextField()  # a street, a building: never counted, never in the clear
    description = SealedTextField()

    class Meta:
        ordering = ["position", "created_at"]

    def __str__(self):
        return f"incident {self.pk}"


class CountedIncident(models.Model):
    """The clear-text, coarse copy of one incident that reports count.

    Present only while the testimony consents to the anonymised public report: recording consent
    writes these rows, withdrawal deletes them in the same transaction, so the next report no longer
    counts them. Month at most (never the day), settlement at most (never the street).
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="counted_incidents")
    violation = models.CharField(max_length=64)
    perpetrator = models.CharField(max_length=64)
    place = models.CharField(max_length=64)
    region = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(null=True)  # None when only the year is known

    class Meta:
        # Reports count with GROUP BY and COUNT(DISTINCT testimony): each index covers one such query,
        # so a report reads indexes in order instead of sorting a table.
        indexes = [models.Index(fields=["organisation", "testimony"], name="counted_testimony"),
                   models.Index(fields=["organisation", "year", "testimony"], name="counted_year"),
                   *(models.Index(fields=["organisation", "year", dim, "testimony"], name=f"counted_year_{dim}")
                     for dim in ("violation", "perpetrator", "place", "month")),
                   *(models.Index(fields=["organisation", dim, "testimony"], name=f"counted_{dim}")
                     for dim in ("violation", "perpetrator", "place"))]

    def __str__(self):
        return f"counted incident {self.pk}"


class Consent(SealedChildModel):
    """One consent decision for one use, with who recorded it and when. Rows are never edited: a
    withdrawal is a new row with ``granted=False``. The named bodies and the note are sealed."""

    USES = list(vocabulary.CONSENT_USES)

    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="consents")
    use = models.CharField(max_length=16)
    granted = models.BooleanField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    bodies = SealedJSONField()  # ["ICC Office of the Prosecutor", ...] for named_bodies
    note = SealedTextField()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"consent {self.use} on {self.testimony_id}"


class TestimonyAttachment(SealedChildModel):
    """An audio recording, photo or document given with a testimony, sealed under its key."""

    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    size = models.PositiveIntegerField()
    stored_as = models.CharField(max_length=80)

    kind = SealedTextField()
    filename = SealedTextField()
    content_type = SealedTextField()

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return f"testimony attachment {self.pk}"
