"""Named failures of the vault; the web edge turns them into pages."""


class VaultError(Exception):
    pass


class VaultSealed(VaultError):
    """The master key is not in memory: nothing sealed can be read or written."""


class VaultNotInitialised(VaultError):
    pass


class DecryptionFailed(VaultError):
    """A ciphertext did not open: wrong key, moved ciphertext, or tampering."""


class InvalidShare(VaultError):
    pass


class KeyShredded(VaultError):
    """The record's data key was destroyed; its data is gone for good."""
