"""A share row that goes (its case was deleted or shredded) takes its data key with it.

Without this, deleting a person would leave their shared fields readable under a live share key.
"""
from django.db.models.signals import post_delete
from django.dispatch import receiver

from safepassage.vault import shares as share_crypto

from .models import CaseShare


@receiver(post_delete, sender=CaseShare)
def _shred_share_key(sender, instance, **kwargs):
    if instance.data_key_id:
        share_crypto.share_shred(instance.data_key_id)
