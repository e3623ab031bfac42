"""Where the master key lives while the vault is unsealed: anonymous shared memory.

Threat: a seized or stolen server. The master key is never written to disk; it exists only in an
anonymous MAP_SHARED mapping created before the web server forks its workers, so every worker reads
the same bytes. Sealing zeroes that mapping, which drops the key from every process at once; each
process also wipes what it derived from the key (see ``generation``). The mapping is locked into RAM
where the kernel allows it, so it is not swapped to disk. Python cannot promise that no copy of a
key ever lingers in freed heap memory; the process-local copies are kept in bytearrays and wiped.

This module imports nothing from Django so the gunicorn arbiter can create the mapping early.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import multiprocessing
import struct

KEY_SIZE = 32
_MAX_SHARES = 16
_SHARE_SLOT = 64
# layout: generation (u64) | state (u8) | pad | key (32) | share slots
_GEN = struct.Struct("<Q")
_STATE_AT = 8
_KEY_AT = 16
_SLOTS_AT = _KEY_AT + KEY_SIZE
_SIZE = mmap.PAGESIZE

_region = mmap.mmap(-1, _SIZE, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_ANONYMOUS", 0x20))
_lock = multiprocessing.get_context("fork").Lock()


def _mlock() -> None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        buf = (ctypes.c_char * _SIZE).from_buffer(_region)
        libc.mlock(ctypes.addressof(buf), ctypes.c_size_t(_SIZE))
        del buf
    except Exception:  # best effort: containers may forbid mlock
        pass


_mlock()


def generation() -> int:
    """Changes on every seal and unseal; processes compare it to know their derived keys are stale."""
    return _GEN.unpack_from(_region, 0)[0]


def is_unsealed() -> bool:
    return _region[_STATE_AT] == 1


def master_key() -> bytes | None:
    """A copy of the master key, or None while sealed."""
    with _lock:
        if _region[_STATE_AT] != 1:
            return None
        return bytes(_region[_KEY_AT:_KEY_AT + KEY_SIZE])


def load(key: bytes) -> None:
    if len(key) != KEY_SIZE:
        raise ValueError("master key has the wrong length")
    with _lock:
        _region[_KEY_AT:_KEY_AT + KEY_SIZE] = key
        _region[_STATE_AT] = 1
        _GEN.pack_into(_region, 0, generation() + 1)
        _clear_shares_locked()


def wipe() -> None:
    """Seal: zero the key and every pending share in the shared mapping."""
    with _lock:
        _region[_STATE_AT] = 0
        _region[_KEY_AT:_KEY_AT + KEY_SIZE] = b"\0" * KEY_SIZE
        _clear_shares_locked()
        _GEN.pack_into(_region, 0, generation() + 1)


def _clear_shares_locked() -> None:
    end = _SLOTS_AT + _MAX_SHARES * _SHARE_SLOT
    _region[_SLOTS_AT:end] = b"\0" * (end - _SLOTS_AT)


def add_pending_share(share: bytes) -> list[bytes]:
    """Keep a verified share until enough are in; returns all pending shares (shared by every worker)."""
    if not 0 < len(share) < _SHARE_SLOT:
        raise ValueError("share has the wrong length")
    with _lock:
        shares = _pending_locked()
        if share not in shares:
            if len(shares) >= _MAX_SHARES:
                raise ValueError("too many pending shares")
            at = _SLOTS_AT + len(shares) * _SHARE_SLOT
            _region[at] = len(share)
            _region[at + 1:at + 1 + len(share)] = share
            shares.append(share)
        return shares


def pending_shares() -> list[bytes]:
    with _lock:
        return _pending_locked()


def clear_pending_shares() -> None:
    with _lock:
        _clear_shares_locked()


def _pending_locked() -> list[bytes]:
    shares = []
    for i in range(_MAX_SHARES):
        at = _SLOTS_AT + i * _SHARE_SLOT
        size = _region[at]
        if not size:
            break
        shares.append(bytes(_region[at + 1:at + 1 + size]))
    return shares
