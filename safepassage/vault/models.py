"""What the vault keeps in the database: only wrapped keys and the means to check a master key.

Nothing here opens without the master key, which is never stored (except the clearly-labelled demo
key of a demo deployment, refused in production by a system check).
"""
import uuid

from django.db import models


class VaultState(models.Model):
    MODE_SHAMIR = "shamir"
    MODE_PASSPHRASE = "passphrase"
    MODE_DEMO = "demo"
    MODES = [(MODE_SHAMIR, "Shamir shares"), (MODE_PASSPHRASE, "Passphrase"), (MODE_DEMO, "DEMO key")]

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    mode = models.CharField(max_length=16, choices=MODES)
    threshold = models.PositiveSmallIntegerField(default=1)
    share_count = models.PositiveSmallIntegerField(default=1)
    # sha256 of each share: a typed share is checked on its own, so a wrong one never spoils the set
    share_hashes = models.JSONField(default=list)
    key_check = models.BinaryField()
    passphrase_salt = models.BinaryField(null=True)
    passphrase_params = models.JSONField(null=True)
    wrapped_master = models.BinaryField(null=True)
    demo_master = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"vault ({self.mode})"


class SystemKey(models.Model):
    """Random keys for whole-deployment purposes (blind indexes, audit MACs, backups), wrapped."""

    name = models.CharField(max_length=64, unique=True)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"system key {self.name}"


class DataKey(models.Model):
    """One record's data key, wrapped by the master key. Deleting the row shreds the record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"data key {self.id}"
