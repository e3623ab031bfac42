from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

DEFAULT_DAYS = 365
MIN_DAYS = 30
MAX_DAYS = 3650


class RetentionPolicy(models.Model):
    """How long an organisation keeps a case after it ended (closed, rejected, unreachable, duplicate,
    entrapment suspected) before it is crypto-shredded."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="retention")
    days_after_closing = models.PositiveIntegerField(
        default=DEFAULT_DAYS, validators=[MinValueValidator(MIN_DAYS), MaxValueValidator(MAX_DAYS)])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "retention policies"

    def __str__(self):
        return f"retention of {self.organisation_id}: {self.days_after_closing} days"
