"""`safepassage import people FILE`: people from a CSV or XLSX sheet. The work is in people.importer."""
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from safepassage.accounts.models import Organisation
from safepassage.people import importer
from safepassage.policy.rules import can

from ._common import unsealed_here


class Command(BaseCommand):
    help = ("Import people from CSV or XLSX (columns such as full_name, other_names, date_of_birth, gender, "
            "phone, current_location, notes; Russian and French headings work too). Each row is stored on "
            "its own: a bad row is skipped whole and reported, the others are kept (--atomic: all or nothing).")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", help="the organisation's name (default: the only one)")
        parser.add_argument("--as", dest="as_user",
                            help="the coordinator recorded as importing (default: the organisation's only one)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
        parser.add_argument("--atomic", action="store_true", help="store every row or none")
        parser.add_argument("--report", type=Path, help="where to write the error report (default: the log folder)")

    def handle(self, *args, file, org, as_user, dry_run, atomic, report, **options):
        if not file.is_file():
            raise CommandError(f"{file} does not exist")
        organisation = self._organisation(org)
        actor = self._actor(organisation, as_user)
        try:
            if dry_run:
                result = importer.person_import(actor=actor, organisation=organisation, path=file, dry_run=True,
                                                progress=sys.stderr)
            else:
                with unsealed_here(stderr=self.stderr):
                    result = importer.person_import(actor=actor, organisation=organisation, path=file,
                                                    atomic=atomic, progress=sys.stderr)
        except importer.ImportFailed as exc:
            raise CommandError(str(exc)) from None
        for line in importer.report_lines(result):
            self.stdout.write(line + "\n")
        if result.errors or result.unknown_columns:
            path = importer.write_report(result, report)
            self.stdout.write(f"Error report (row, column, problem; no values): {path}\n")
        if result.failed and (dry_run or atomic):
            sys.exit(1)

    def _organisation(self, name):
        if name:
            organisation = Organisation.objects.filter(name=name).first()
            if organisation is None:
                raise CommandError(f"no organisation is called {name!r}")
            return organisation
        organisations = list(Organisation.objects.all()[:2])
        if len(organisations) != 1:
            raise CommandError("say which organisation with --org NAME")
        return organisations[0]

    def _actor(self, organisation, username):
        users = get_user_model().objects.filter(membership__organisation=organisation, membership__is_active=True)
        if username:
            actor = users.filter(username=username).first()
            if actor is None:
                raise CommandError(f"{username!r} is not an active member of {organisation.name!r}")
        else:
            coordinators = [u for u in users if can(u, "person.import")]
            if len(coordinators) != 1:
                raise CommandError("say which coordinator is importing with --as USERNAME")
            actor = coordinators[0]
        if not can(actor, "person.import"):
            raise CommandError(f"{actor.username!r} may not import people (it needs the coordinator role)")
        return actor
