"""Example programmes, so a new installation can refer at once. Organisations edit or add their own."""
from django.db import migrations


def load(apps, schema_editor):
    from safepassage.referrals.vocabulary import SHIPPED_PROGRAMMES

    Programme = apps.get_model("referrals", "Programme")
    for spec in SHIPPED_PROGRAMMES:
        Programme.objects.update_or_create(code=spec["code"], defaults={
            "country": spec["country"], "labels": spec["labels"], "body": spec["body"],
            "fields": spec["fields"], "uses_rrf": spec["uses_rrf"], "is_active": True})


def unload(apps, schema_editor):
    from safepassage.referrals.vocabulary import SHIPPED_PROGRAMMES

    Programme = apps.get_model("referrals", "Programme")
    Programme.objects.filter(code__in=[s["code"] for s in SHIPPED_PROGRAMMES], referrals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
