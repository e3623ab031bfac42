"""What the operator's commands share: asking for secrets, unsealing this process, printing shares.

Secrets are read from the terminal without echo, or one per line from standard input when it is
not a terminal (for automation); a passphrase may also come from SAFEPASSAGE_PASSPHRASE. They are
never echoed, logged or passed on the command line (where other accounts could read them).
"""
from __future__ import annotations

import getpass
import os
import sys
from contextlib import contextmanager

from django.core.management.base import CommandError

from safepassage.vault import services as vault
from safepassage.vault.errors import InvalidShare
from safepassage.vault.models import VaultState

MODE_LABELS = {
    VaultState.MODE_SHAMIR: "Shamir shares",
    VaultState.MODE_PASSPHRASE: "passphrase",
    VaultState.MODE_DEMO: "DEMO key (stored in the clear, fictional data only)",
}


def read_secret(prompt: str, *, stdin=None, stderr=None) -> str:
    stdin = stdin or sys.stdin
    stderr = stderr or sys.stderr
    if stdin.isatty():
        try:
            return getpass.getpass(prompt)
        except EOFError:
            raise CommandError("no input") from None
    stderr.write(prompt.rstrip() + " (reading a line from standard input)\n")
    line = stdin.readline()
    if not line:
        raise CommandError("standard input ended before the secret was given")
    return line.strip()


def read_new_secret(prompt: str, *, env: str, min_length: int = 16) -> str:
    """A new password or passphrase: from `env`, or typed twice on a terminal, or one stdin line."""
    value = os.environ.get(env)
    if value:
        return value
    first = read_secret(prompt)
    if sys.stdin.isatty():
        if read_secret("Type it again: ") != first:
            raise CommandError("the two entries differ; nothing was changed")
    if len(first) < min_length:
        raise CommandError(f"it must be at least {min_length} characters long")
    return first


def require_state(state: VaultState | None = None) -> VaultState:
    state = state or vault.state()
    if state is None:
        raise CommandError("This data directory has no vault yet: run `safepassage init` first.")
    return state


def gather_master_key(*, state: VaultState | None = None, stderr=None) -> bytes:
    """Ask for the custodians' shares (or the passphrase) and return the checked master key."""
    stderr = stderr or sys.stderr
    state = require_state(state)
    try:
        if state.mode == VaultState.MODE_DEMO:
            return vault.recover_master_key(vault=state)
        if state.mode == VaultState.MODE_PASSPHRASE:
            secret = os.environ.get("SAFEPASSAGE_PASSPHRASE") or read_secret("Passphrase: ", stderr=stderr)
            return vault.recover_master_key(passphrase=secret, vault=state)
    except InvalidShare as exc:
        raise CommandError(f"Not unsealed: {exc}.") from None
    shares: list[str] = []
    failures = 0
    interactive = sys.stdin.isatty()
    while len(shares) < state.threshold:
        text = read_secret(f"Share {len(shares) + 1} of {state.threshold} (hidden): ", stderr=stderr)
        try:
            vault.share_check(text, vault=state)
        except InvalidShare as exc:
            failures += 1
            if not interactive or failures >= 5:
                raise CommandError(f"Not unsealed: {exc}.") from None
            stderr.write(f"That share was not accepted: {exc}. Try again.\n")
            continue
        if text in shares:
            stderr.write("That share was already given; the next custodian's share is needed.\n")
            continue
        shares.append(text)
        stderr.write(f"Share accepted ({len(shares)} of {state.threshold}).\n")
    try:
        return vault.recover_master_key(shares=shares, vault=state)
    except InvalidShare as exc:
        raise CommandError(f"Not unsealed: {exc}.") from None


@contextmanager
def unsealed_here(stderr=None):
    """Unseal this command's own process for the duration of the block, then seal it again."""
    master = gather_master_key(stderr=stderr)
    if not vault.unseal_with_key(master):
        raise CommandError("Not unsealed: the key does not open this vault.")
    try:
        yield
    finally:
        vault.seal()


def print_shares(stdout, shares: list[str], threshold: int) -> None:
    total = len(shares)
    rule = "=" * 72
    stdout.write(f"\n{rule}\n")
    stdout.write(f"  {total} CUSTODIAN SHARES: any {threshold} of them unseal the vault.\n")
    stdout.write("  They are shown ONCE and stored nowhere. Before anyone else sees this screen:\n")
    stdout.write("  - give each share to a different custodian, by hand or read aloud;\n")
    stdout.write("  - each custodian keeps theirs offline (paper in a safe place, or a password manager),\n")
    stdout.write("    never in email, chat, a photo or on this server;\n")
    stdout.write(f"  - fewer than {threshold} shares reveal nothing; losing more than {total - threshold} "
                 "loses the data for good.\n")
    stdout.write(f"{rule}\n\n")
    for number, share in enumerate(shares, 1):
        stdout.write(f"  Share {number} of {total}:   {share}\n\n")
    stdout.write(f"{rule}\n  Now clear this terminal and its scrollback (e.g. `clear && printf '\\033[3J'`).\n"
                 f"{rule}\n")
