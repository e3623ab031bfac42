from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.vault.fields import SealedChildModel, SealedJSONField, SealedModel, SealedTextField


class Person(SealedModel):
    """Someone the organisation is helping. Everything that could identify them is sealed.

    In the clear: the organisation, an arbitrary reference (P-000123) and timestamps.
    """

    GENDER_CHOICES = [
        ("", _("Not recorded")),
        ("woman", _("Woman")),
        ("man", _("Man")),
        ("nonbinary", _("Non-binary")),
        ("self", _("Self-described")),
        ("undisclosed", _("Prefers not to say")),
    ]

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="people")
    reference = models.CharField(max_length=20, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    full_name = SealedTextField()
    other_names = SealedJSONField()  # ["Magomed", "Маго", ...]
    date_of_birth = SealedTextField()  # "1990", "1990-05" or "1990-05-12"
    gender = SealedTextField()
    gender_self_described = SealedTextField()
    phones = SealedJSONField()
    messengers = SealedJSONField()  # [{"app": "Signal", "handle": "..."}]
    current_location = SealedTextField()
    notes = SealedTextField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.reference  # never a name: __str__ ends up in logs and error pages

    def display_name(self):
        return self.full_name or (self.other_names[0] if self.other_names else "") or self.reference


class PersonIndex(models.Model):
    """Blind-index tokens (keyed HMAC of normalised names, phone digits, birth year) for exact lookups."""

    KIND_NAME = "name"
    KIND_PHONE = "phone"
    KIND_BIRTH_YEAR = "birth_year"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="index_entries")
    kind = models.CharField(max_length=16)
    digest = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["kind", "digest"])]

    def __str__(self):
        return f"{self.kind} index"


class Attachment(SealedChildModel):
    """A file about a person (a scanned document, a photo), sealed under the person's data key."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    size = models.PositiveIntegerField()
    filename = SealedTextField()
    content_type = SealedTextField()
    stored_as = models.CharField(max_length=80)  # random file name under the sealed files folder

    def __str__(self):
        return f"attachment {self.pk}"
