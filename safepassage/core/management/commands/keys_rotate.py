"""`safepassage keys rotate`: a new master key; every key re-wrapped; new shares printed once."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safepassage.audit.services import audit_record
from safepassage.vault import control
from safepassage.vault import services as vault
from safepassage.vault.models import VaultState

from ._common import print_shares, read_new_secret, require_state, unsealed_here


class Command(BaseCommand):
    help = ("Replace the master key: asks for the current shares (or passphrase), re-wraps every data and "
            "system key, prints the new shares once. The old shares stop working at once.")

    def add_arguments(self, parser):
        parser.add_argument("--shares", type=int, help="how many new shares (default: as now)")
        parser.add_argument("--threshold", type=int, help="how many unseal (default: as now)")

    def handle(self, *args, shares, threshold, **options):
        state = require_state()
        shares = shares or state.share_count
        threshold = threshold or state.threshold
        if state.mode == VaultState.MODE_SHAMIR and not 2 <= threshold <= shares <= 16:
            raise CommandError("need 2 <= threshold <= shares <= 16")
        with unsealed_here(stderr=self.stderr):
            passphrase = None
            if state.mode == VaultState.MODE_PASSPHRASE:
                passphrase = read_new_secret("New passphrase (at least 16 characters): ",
                                             env="SAFEPASSAGE_NEW_PASSPHRASE")
            try:
                with transaction.atomic():  # on record with the rotation itself, or not at all
                    audit_record(actor=None, action="vault.rotate")
                    printed = vault.rotate(shares=shares, threshold=threshold, passphrase=passphrase)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            if state.mode == VaultState.MODE_DEMO:
                new_master = vault.demo_master_key()
            else:
                new_master = vault.recover_master_key(shares=printed, passphrase=passphrase)
        self._update_running_server(new_master)
        if printed:
            self.stdout.write("The master key is replaced. The OLD shares no longer unseal anything.\n")
            print_shares(self.stdout, printed, threshold)
        else:
            self.stdout.write("The master key is replaced; the old passphrase no longer unseals anything.\n")

    def _update_running_server(self, master: bytes) -> None:
        try:
            if control.send(settings.CONTROL_SOCKET, "status").get("unsealed"):
                control.send(settings.CONTROL_SOCKET, "load", key=master)
                self.stdout.write("The running server now holds the new key.\n")
        except ConnectionError:
            pass
