"""Raise alarms for missed travel check-ins. The unsealed staff server already does this every minute
(``safepassage.core.periodic``); run this from cron only where that is switched off
(``SAFEPASSAGE_PERIODIC_TICK_SECONDS=0``).

A separate process does not hold the master key: this command unseals itself for the run (the demo
key, SAFEPASSAGE_PASSPHRASE, or custodians' shares on standard input) and seals again at the end.
"""
from contextlib import nullcontext

from django.core.management.base import BaseCommand

from safepassage.core.management.commands._common import unsealed_here
from safepassage.travel.services import travel_check_overdue
from safepassage.vault import services as vault


class Command(BaseCommand):
    help = "Raise an alarm on every case whose travel check-in is overdue past the grace period."

    def handle(self, *args, **options):
        with nullcontext() if vault.is_unsealed() else unsealed_here(stderr=self.stderr):
            raised = travel_check_overdue()
        self.stdout.write(f"{len(raised)} missed check-in(s) raised an alarm")
