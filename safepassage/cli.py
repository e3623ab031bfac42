"""The `safepassage` command: the operator's whole interface to a deployment.

Each subcommand is a Django management command (safepassage/core/management/commands); this file
only picks the settings (production unless SAFEPASSAGE_DEMO=1 or the subcommand is the demo) and
maps the words an operator types (`import people FILE`) to the command's name (`import_people`).
"""
from __future__ import annotations

import os
import sys

# words typed -> management command, and one line of help
SUBCOMMANDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("init",): ("init", "create the vault: --shares 5 --threshold 3 (default) or --passphrase"),
    ("migrate",): ("migrate", "create or upgrade the database tables"),
    ("createorg",): ("createorg", "NAME --kind frontline|relocation|government --prefix C"),
    ("createmember",): ("createmember", "USERNAME --org NAME --roles admin,custodian"),
    ("serve",): ("serve", "run the server (starts sealed): --bind 127.0.0.1:8000 --workers 2 [--demo]"),
    ("unseal",): ("unseal", "type shares (or the passphrase) to unseal the running server"),
    ("seal",): ("seal", "panic: the key leaves every worker at once"),
    ("status",): ("status", "vault, server and backups of this data directory"),
    ("import", "people"): ("import_people", "FILE.csv|FILE.xlsx [--org NAME] [--dry-run] [--atomic]"),
    ("export",): ("export", "write an encrypted backup [--output PATH]"),
    ("restore",): ("restore", "FILE [--epoch-key PATH] [--replace]"),
    ("audit", "verify"): ("audit_verify", "check the audit log's hash chain [--unseal]"),
    ("keys", "rotate"): ("keys_rotate", "new master key, new shares; old shares stop working"),
    ("retention", "run"): ("retention_run", "shred ended cases past the retention period [--dry-run] [--unseal]"),
    ("travel", "check"): ("travel_check", "raise missed check-in alarms (the unsealed server does it every minute)"),
    ("shares", "expire"): ("shares_expire", "shred shares past their end date (the unsealed server does it hourly)"),
    ("demo",): ("demo", "load the fictional DEMO organisation [--serve]"),
}


def usage() -> str:
    width = max(len(" ".join(words)) for words in SUBCOMMANDS)
    lines = ["usage: safepassage COMMAND [options]   (safepassage COMMAND --help for its options)", ""]
    lines += [f"  {' '.join(words):<{width}}  {text}" for words, (_name, text) in SUBCOMMANDS.items()]
    lines += ["", "All state lives under SAFEPASSAGE_DATA_DIR (default ./var); DATABASE_URL selects PostgreSQL."]
    return "\n".join(lines)


def resolve(argv: list[str]) -> tuple[str, list[str]] | None:
    """(management command, its arguments) for what was typed, or None when it is not ours."""
    for size in (2, 1):
        words = tuple(argv[:size])
        if len(words) == size and words in SUBCOMMANDS:
            return SUBCOMMANDS[words][0], argv[size:]
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    resolved = resolve(argv)
    if resolved is None:
        print(f"safepassage: unknown command {' '.join(argv[:2])!r}\n\n{usage()}", file=sys.stderr)
        return 2
    command, rest = resolved
    if command == "demo" or (command == "serve" and "--demo" in rest):
        os.environ["SAFEPASSAGE_DEMO"] = "1"
    demo = os.environ.get("SAFEPASSAGE_DEMO") == "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev" if demo else "config.settings.prod")

    from django.core.management import execute_from_command_line

    execute_from_command_line(["safepassage", command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
