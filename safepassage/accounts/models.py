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

    # The duress password and API tokens come with the partner-organisation work.
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
