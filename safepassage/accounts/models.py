from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.policy.roles import ROLE_CHOICES


class Organisation(models.Model):
    KIND_FRONTLINE = "frontline"
    KIND_RELOCATION = "relocation"
    KIND_GOVERNMENT = "government"
    KINDS = [
        (KIND_FRONTLINE, _("Frontline NGO")),
        (KIND_RELOCATION, _("Relocation NGO")),
        (KIND_GOVERNMENT, _("Government / settlement partner")),
    ]

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=KINDS, default=KIND_FRONTLINE)
    is_demo = models.BooleanField(default=False)
    case_prefix = models.CharField(max_length=8, default="C")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A staff account. Staff identities are themselves sensitive: pages show usernames only to colleagues."""

    # A second password (argon2 hash, like the real one) that opens an empty workspace and silently
    # raises the alarm: see accounts/backends.py and services.duress_login.
    duress_password = models.CharField(max_length=128, blank=True, default="")

    def __str__(self):
        return self.username


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)

    class Meta:
        unique_together = [("organisation", "name")]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """An account's place in one organisation. Roles decide what it may do (see policy)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(default=list)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)  # offboarded: no access from that moment
    # Logged in with the duress password: policy shows this member nothing until an admin restores.
    sealed_by_duress = models.BooleanField(default=False)
    sealed_at = models.DateTimeField(null=True, blank=True)
    # The bulk-view alarm fired: record pages answer 429 until then (or until an admin lifts it).
    throttled_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user} @ {self.organisation}"

    def role_labels(self):
        labels = dict(ROLE_CHOICES)
        return [labels.get(r, r) for r in self.roles]


class StaffSession(models.Model):
    """A login, tracked so admins can list and revoke it. Holds a hash of the session key, never the key."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_sessions")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self):
        return f"session of {self.user_id}"


class ApiToken(models.Model):
    """A member's key to the REST API. Holds a hash of the key, never the key (shown once).

    Scoped to the organisation and the roles chosen when it was made: it never does more than its
    member may do now (roles are intersected at every request), and dies with the membership.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    roles = models.JSONField(default=list)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)  # enough to tell tokens apart, never enough to use one
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"token {self.prefix}"


class AccessAlert(models.Model):
    """Something an organisation's admins must look at: a bulk-view alarm or a duress login.

    Holds counts and ids only. Shown as a badge on the members page until an admin resolves it.
    """

    KIND_BULK_VIEW = "bulk_view"
    KIND_DURESS = "duress"
    KINDS = [(KIND_BULK_VIEW, _("Opened far more records than usual")),
             (KIND_DURESS, _("Logged in with the duress password"))]

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="access_alerts")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=KINDS)
    created_at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"alert {self.kind} {self.pk}"


class ReadAlarmSettings(models.Model):
    """How the bulk-view alarm judges an organisation's members (defaults when no row exists).

    A member is throttled once the records they opened within ``window_minutes`` reach
    max(``floor``, ``multiplier`` × their median daily reads over the last ``baseline_days`` days).
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="read_alarm")
    enabled = models.BooleanField(default=True)
    window_minutes = models.PositiveIntegerField(default=60)
    multiplier = models.FloatField(default=3.0)
    floor = models.PositiveIntegerField(default=200)
    baseline_days = models.PositiveSmallIntegerField(default=30)
    throttle_minutes = models.PositiveIntegerField(default=240)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"read alarm of {self.organisation_id}"


class ReadBaseline(models.Model):
    """A member's median daily record reads, recomputed at most once a day from the audit log."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="read_baseline")
    median_daily = models.FloatField(default=0)
    computed_on = models.DateField()

    def __str__(self):
        return f"read baseline of {self.user_id}"
