"""Sealing a case share for its recipient organisation.

Threat: a share meant for one organisation read by another — through a view that forgot a check,
a mixed-up id, or a copy of the share row pasted under another organisation — and a share that
outlives its revocation. A share carries its own data key (a fresh one, never the case's or the
person's), so the recipient is never handed a key that opens anything but the fields chosen for it.
The fields are sealed under a key derived from that data key *and the recipient organisation's id*,
with the share's id and the recipient as associated data: opening them on behalf of any other
organisation derives a different key and fails. Revoking destroys the share's data key
(``services.shred``), so every copy of the sealed fields, backups included, becomes noise.
"""
from __future__ import annotations

import json
import uuid

from . import crypto, services

_PURPOSE = "case-share v1 for organisation {org}"


def _recipient_key(key_id, organisation_id: int) -> bytes:
    return crypto.derive(services._data_key(key_id), _PURPOSE.format(org=int(organisation_id)))


def _aad(share_id, organisation_id: int) -> bytes:
    return f"share:{uuid.UUID(str(share_id))}:org:{int(organisation_id)}".encode()


def share_key_create() -> uuid.UUID:
    """A fresh data key for one share (wrapped by the master key like every data key)."""
    return services.data_key_create()


def share_seal(key_id, *, share_id, recipient_id: int, fields: dict) -> bytes:
    """The chosen fields, sealed so that only `recipient_id` can open them."""
    plaintext = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()
    return crypto.seal(_recipient_key(key_id, recipient_id), plaintext, _aad(share_id, recipient_id))


def share_open(key_id, *, share_id, reader_organisation_id: int, blob: bytes) -> dict:
    """The shared fields, for a member of `reader_organisation_id`.

    Raises ``DecryptionFailed`` unless the reader's organisation is the share's recipient, and
    ``KeyShredded`` once the share was revoked.
    """
    key = _recipient_key(key_id, reader_organisation_id)
    return json.loads(crypto.open_(key, bytes(blob), _aad(share_id, reader_organisation_id)))


def share_shred(key_id) -> int:
    """Destroy the share's key: the sealed fields are noise from now on, wherever they are copied."""
    return services.shred([key_id])
