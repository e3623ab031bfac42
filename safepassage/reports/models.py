"""What reports keep of their own: a coarse, clear-text statistic per case.

A person's gender is sealed; decrypting a million people for every report would take minutes. So the
reports app keeps, per case, the year it was opened, its stage and a coarse gender bucket (woman /
man / another / not recorded), refreshed from the records by ``case_figures_refresh``. It names no
one: the case row it hangs on holds nothing but a reference and a stage. Counting a million of these
is one index-only scan. See docs/threat-model.md.
"""
from django.db import models


class CaseFigure(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="figure")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    opened_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=24, default="requested")
    gender_bucket = models.CharField(max_length=16)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "opened_year", "status", "gender_bucket"],
                                name="casefigure_counting")]

    def __str__(self):
        return f"figure of {self.case_id}"


class FigureSync(models.Model):
    """How far ``case_figures_refresh`` has read the audit log, per organisation.

    Every change to a case or a person is audited in its own transaction (house rule), so the events
    after this id name exactly the cases whose statistic may be stale.
    """

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    synced_to = models.DateTimeField()
    audit_id = models.BigIntegerField(default=0)
    version = models.PositiveBigIntegerField(default=0)  # bumped whenever a refresh changed anything

    def __str__(self):
        return f"figures of {self.organisation_id}"
