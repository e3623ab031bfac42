"""Encrypted backups (export/restore) and their shredding rules. See the backup helper for the format."""


def after_shred() -> None:
    """Retire the backup epoch so copies made before a shred can no longer be opened."""
