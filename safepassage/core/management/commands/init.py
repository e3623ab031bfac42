"""`safepassage init`: create the vault's master key (Shamir shares, or a passphrase)."""
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from safepassage.audit.services import audit_record
from safepassage.vault import services as vault
from safepassage.vault.models import VaultState

from ._common import print_shares, read_new_secret


class Command(BaseCommand):
    help = "Create the master key: split into custodian shares (default 3 of 5) or wrapped by a passphrase."

    def add_arguments(self, parser):
        parser.add_argument("--shares", type=int, default=5, help="how many custodians get a share (default 5)")
        parser.add_argument("--threshold", type=int, default=3, help="how many shares unseal (default 3)")
        parser.add_argument("--passphrase", action="store_true",
                            help="protect the key with one passphrase instead (small organisations); "
                                 "read twice from the terminal, or from SAFEPASSAGE_PASSPHRASE")

    def handle(self, *args, shares, threshold, passphrase, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if vault.state() is not None:
            raise CommandError("This data directory already has a vault. Use `safepassage keys rotate` "
                               "for a new key; a second vault would orphan every record.")
        if passphrase:
            secret = read_new_secret("New passphrase (at least 16 characters): ", env="SAFEPASSAGE_PASSPHRASE")
            try:
                vault.initialise(mode=VaultState.MODE_PASSPHRASE, passphrase=secret)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            audit_record(actor=None, action="vault.init", mode=VaultState.MODE_PASSPHRASE)
            self.stdout.write("The vault is created and sealed. Unseal it with `safepassage unseal` and the "
                              "passphrase.\nA lost passphrase cannot be recovered: keep it where the "
                              "organisation can find it if you cannot.\n")
            return
        try:
            printed = vault.initialise(mode=VaultState.MODE_SHAMIR, shares=shares, threshold=threshold)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        audit_record(actor=None, action="vault.init", mode=VaultState.MODE_SHAMIR, shares=shares,
                     threshold=threshold)
        self.stdout.write("The vault is created and sealed.\n")
        print_shares(self.stdout, printed, threshold)
        self.stdout.write("Next: `safepassage createorg`, `safepassage createmember`, `safepassage serve`, "
                          f"then {threshold} custodians run `safepassage unseal`.\n")
