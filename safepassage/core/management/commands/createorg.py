"""`safepassage createorg NAME --kind frontline --prefix C`."""
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from safepassage.accounts.models import Organisation
from safepassage.accounts.services import organisation_create


class Command(BaseCommand):
    help = "Create an organisation (frontline NGO, relocation NGO, or government / settlement partner)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--kind", default=Organisation.KIND_FRONTLINE,
                            choices=[code for code, _label in Organisation.KINDS])
        parser.add_argument("--prefix", default="C", help="case references start with it (C-2026-00001)")

    def handle(self, *args, name, kind, prefix, **options):
        name = name.strip()
        if not name or not prefix.isalnum() or len(prefix) > 8:
            raise CommandError("give a name, and a prefix of up to 8 letters or digits")
        try:
            organisation = organisation_create(name=name, kind=kind, case_prefix=prefix.upper())
        except IntegrityError:
            raise CommandError(f"an organisation called {name!r} already exists") from None
        self.stdout.write(f"Organisation {organisation.name!r} created ({organisation.get_kind_display()}, "
                          f"cases {organisation.case_prefix}-…).\n")
