"""`safepassage audit verify`: walk the hash chain; name the first broken event."""
import sys

from django.core.management.base import BaseCommand

from safepassage.audit.services import audit_verify

from ._common import unsealed_here


class Command(BaseCommand):
    help = ("Verify the audit log's hash chain. With --unseal (asks for the shares) each event's seal "
            "(MAC) is checked too, which a database-only attacker cannot forge.")

    def add_arguments(self, parser):
        parser.add_argument("--unseal", action="store_true", help="also check every event's MAC")

    def handle(self, *args, unseal, **options):
        if unseal:
            with unsealed_here(stderr=self.stderr):
                report = audit_verify()
        else:
            report = audit_verify()
        if report.ok:
            seals = (f", {report.macs_checked} seals (MACs) checked" if unseal
                     else "; seals (MACs) not checked, add --unseal")
            self.stdout.write(f"OK: {report.checked} events, the chain is intact{seals}.\n")
            return
        self.stderr.write(f"BROKEN at event #{report.broken_at}: {report.reason}. "
                          f"{report.checked} events before it verified.\n")
        sys.exit(1)
