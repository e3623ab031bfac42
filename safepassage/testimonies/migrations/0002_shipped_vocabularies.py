"""Load the shipped vocabularies (violation types, perpetrator types, the gazetteer) in three languages."""
from django.db import migrations


def load(apps, schema_editor):
    from safepassage.testimonies.vocabulary import SHIPPED

    Term = apps.get_model("testimonies", "Term")
    for vocab, entries in SHIPPED.items():
        for position, (code, labels, parent) in enumerate(entries):
            Term.objects.update_or_create(vocabulary=vocab, code=code, organisation=None,
                                          defaults={"labels": labels, "parent": parent, "position": position})


class Migration(migrations.Migration):
    dependencies = [("testimonies", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
