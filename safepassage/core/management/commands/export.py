"""`safepassage export [--output PATH]`: an encrypted backup of everything."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safepassage.vault import backup

from ._common import unsealed_here


class Command(BaseCommand):
    help = ("Write an encrypted backup of all data (default: a new file in BACKUP_DIR). Asks for the "
            "custodians' shares (or the passphrase): the backup needs the key to re-wrap the data keys.")

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="where to write it (default: BACKUP_DIR)")

    def handle(self, *args, output, **options):
        with unsealed_here(stderr=self.stderr):
            try:
                report = backup.export(output=output)
            except backup.BackupError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(f"Backup written: {report.path}\n"
                          f"  {report.rows} rows in {report.tables} tables, {report.data_keys} data keys, "
                          f"{report.files} sealed files.\n"
                          f"To restore it you need this file AND {Path(settings.BACKUP_DIR) / backup.EPOCH_FILE}.\n"
                          "Copy both off-site, and keep only the latest epoch.key there: when a person is "
                          "deleted the epoch changes, the backups in the backup folder are rewritten, and every "
                          "older copy becomes unreadable on purpose.\n")
        if output and Path(output).resolve().parent != Path(settings.BACKUP_DIR).resolve():
            self.stdout.write("This file is outside the backup folder: it will NOT be rewritten after a "
                              "deletion, so it stops opening after the next one.\n")
