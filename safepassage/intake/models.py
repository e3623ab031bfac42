"""What the intake keeps: ciphertext addressed to the organisation, and metadata that names no one.

In the clear: the organisation, a random id, status, times, the codename's keyed hash and the
reply public key. Everything the visitor typed, and every reply, is a sealed box.
No address, user agent, referrer or cookie is ever recorded (there is no field for one).

A submission is one row: the request carries its first message (``sealed_request``), so the public
page writes one row and its audit event, nothing else. Indexes are few and shaped by the staff
queries; the links that are empty when a request arrives are indexed only where they are set.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IntakeKey(models.Model):
    """An organisation's intake key pair. The public half is public; the private half is wrapped."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.PROTECT, related_name="intake_key")
    public_key = models.BinaryField()
    wrapped_private_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"intake key of organisation {self.organisation_id}"


class HelpRequest(models.Model):
    """One visitor's thread: their first request, follow-ups and the replies to them."""

    NEW = "new"
    OPEN = "open"
    SPAM = "spam"
    DUPLICATE = "duplicate"
    ENTRAPMENT = "entrapment_suspected"
    CONVERTED = "converted"
    STATUS_CHOICES = [
        (NEW, _("New")),
        (OPEN, _("Opened")),
        (SPAM, _("Spam")),
        (DUPLICATE, _("Duplicate")),
        (ENTRAPMENT, _("Entrapment suspected")),
        (CONVERTED, _("Case opened")),
    ]
    PENDING = (NEW, OPEN)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="help_requests",
                                     db_index=False)  # indexed with status and time, below
    received_at = models.DateTimeField()
    last_visitor_at = models.DateTimeField()
    status = models.CharField(max_length=24, choices=STATUS_CHOICES, default=NEW)
    codename_hash = models.CharField(max_length=64, unique=True)
    reply_public_key = models.BinaryField()
    # what the visitor first sent (a RequestPayload), sealed to the intake key; emptied once its words
    # moved onto a case under the case's own key
    sealed_request = models.BinaryField(null=True)
    # a visitor message staff have not seen yet (a new request, or a follow-up)
    awaiting_staff = models.BooleanField(default=True)
    # the case the thread belongs to: opened from it, or the case it was marked a duplicate of
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="help_requests", db_index=False)
    # marked a duplicate of an earlier request that has no case yet (its case, once opened, takes it)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates", db_index=False)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   db_index=False)
    triaged_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "received_at"], name="intake_request_org_status"),
            models.Index(fields=["case"], condition=Q(case__isnull=False), name="intake_request_case"),
            models.Index(fields=["duplicate_of"], condition=Q(duplicate_of__isnull=False),
                         name="intake_request_duplicate_of"),
            models.Index(fields=["triaged_by"], condition=Q(triaged_by__isnull=False), name="intake_request_triaged_by"),
        ]

    def __str__(self):
        return f"help request {self.pk}"


class IntakeMessage(models.Model):
    """One message of a thread after the first (which the request row carries), sealed.

    Visitor follow-ups are sealed to the organisation's intake key. A staff reply is sealed twice:
    to the visitor's codename key (so they can read it) and to the intake key (so colleagues can).
    Once the thread is linked to a case, the words move onto the case under its data key
    (``case_note``) and the copy sealed to the intake key is erased.
    """

    FROM_VISITOR = "visitor"
    FROM_STAFF = "staff"

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=8)
    sent_at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sealed_for_staff = models.BinaryField(null=True)
    sealed_for_visitor = models.BinaryField(null=True)
    case_note = models.ForeignKey("cases.CaseNote", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self):
        return f"intake message {self.pk}"
