from django.db import models


class AuditEvent(models.Model):
    """Who did what to which record, when. Never the sensitive values themselves.

    Rows are chained: each stores the hash of the previous one, so editing, deleting or inserting a
    row breaks the chain at that point (`safepassage audit verify`). While the vault is unsealed each
    row also carries a MAC under the audit key, so a database-only attacker cannot rebuild the chain.
    """

    id = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    organisation_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["actor_id", "created_at"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"#{self.id} {self.action}"


class AuditHead(models.Model):
    """The chain's newest link; locked by every writer so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
