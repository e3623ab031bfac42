"""What reports keep of their own: a coarse, clear-text statistic per case.

A person's gender is sealed; decrypting a million people for every report would take minutes. So the
reports app keeps, per case, the year it was opened and a coarse gender bucket (woman / man /
another / not recorded), refreshed from the sealed value by ``case_figures_refresh``. It names no
one: the case row it hangs on holds nothing but a reference and a stage. See docs/threat-model.md.
"""
from django.db import models


class CaseFigure(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="figure")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    opened_year = models.PositiveSmallIntegerField()
    gender_bucket = models.CharField(max_length=16)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "opened_year", "gender_bucket"])]

    def __str__(self):
        return f"figure of {self.case_id}"


class FigureSync(models.Model):
    """How far ``case_figures_refresh`` has looked, per organisation (a watermark on updated_at)."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    synced_to = models.DateTimeField()

    def __str__(self):
        return f"figures of {self.organisation_id}"
