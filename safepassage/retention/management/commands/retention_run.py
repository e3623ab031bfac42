"""`safepassage retention run`: crypto-shred ended cases past their organisation's retention period."""
from django.core.management.base import BaseCommand, CommandError

from safepassage.accounts.models import Organisation
from safepassage.retention.hooks import holds
from safepassage.retention.services import retention_run
from safepassage.vault import services as vault


class Command(BaseCommand):
    help = ("Shred ended cases (closed, rejected, unreachable, duplicate, entrapment suspected) past their "
            "organisation's retention period, unless a hold keeps them. --dry-run lists what would go.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the due cases, shred nothing")
        parser.add_argument("--org", help="only this organisation (by name)")
        parser.add_argument("--unseal", action="store_true",
                            help="ask for the shares to unseal this process (needed when holds must be checked)")

    def handle(self, *args, dry_run, org, unseal, **options):
        organisation = None
        if org:
            organisation = Organisation.objects.filter(name=org).first()
            if organisation is None:
                raise CommandError(f"No organisation is called {org!r}.")
        if unseal and not vault.is_unsealed():
            from safepassage.core.management.commands._common import unsealed_here

            with unsealed_here(stderr=self.stderr):
                report = retention_run(organisation=organisation, dry_run=dry_run)
        else:
            if holds() and not vault.is_unsealed():
                raise CommandError("Holds (testimony consents) must be checked, which needs the vault: add --unseal.")
            report = retention_run(organisation=organisation, dry_run=dry_run)
        verb = "would shred" if dry_run else "shredded"
        self.stdout.write(f"{len(report.shredded)} case(s) {verb}; {len(report.held)} kept by a hold.\n")
        for reference in report.shredded:
            self.stdout.write(f"  {verb}: {reference}\n")
        for reference in report.held:
            self.stdout.write(f"  kept: {reference}\n")
        if not dry_run and report.people_shredded:
            self.stdout.write(f"{report.people_shredded} person record(s) shredded with their last case.\n")
