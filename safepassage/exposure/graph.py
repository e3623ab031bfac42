"""The sealed adjacency: reading and writing GraphLink rows.

Threat: a seized database. A row says only "someone (a keyed HMAC) holds a sealed blob". Without the
keys the rows cannot be grouped into a person's neighbourhood across holders, so the graph's shape —
which is enough to re-identify people when laid over a social graph taken from seized phones — is
not there to read. What remains visible is how many links each anonymous holder has (a degree count).
Rows written together are hidden among re-sealed older rows (``links_add``), so the order on disk
does not pair the two ends of a connection either.

With the vault unsealed, a person's links are one indexed query on ``holder`` and one decryption
per link; a propagation of depth d costs d queries. Only the links of the people reached are ever
decrypted: nobody else's.

Payload (version 1, 37 bytes before sealing): version, link kind, target (a UUID, or a staff
member's integer id, 16 bytes), connection id (16 bytes, zero for links to houses, routes and staff),
what the holder knows of a person target (bits), and the basis (how a house, route or staff member
became known).
"""
from __future__ import annotations

import secrets
import struct
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from safepassage.vault import services as vault

from . import vocabulary as V
from .models import GraphKey, GraphLink

_FORMAT = struct.Struct(">BB16s16sHB")
_VERSION = 1
_NO_CONNECTION = bytes(16)


@dataclass(frozen=True)
class Link:
    id: uuid.UUID
    holder: object  # the person id whose link this is
    kind: int
    target: object  # person/house/plan/leg UUID, or a staff member's id
    connection: uuid.UUID | None
    knows: int = 0
    basis: int = V.BASIS_CONNECTED


def holder_tag(organisation_id, person_id) -> str:
    """The blind index naming a holder: equal for the same person, meaningless without the key."""
    return vault.blind_index("exposure.holder", f"{organisation_id}:{person_id}")


def _aad(link_id) -> str:
    return f"exposure.link:{link_id}"


def _target_bytes(kind: int, target) -> bytes:
    if kind == V.LINK_STAFF:
        return int(target).to_bytes(16, "big")
    return uuid.UUID(str(target)).bytes


def _target_from(kind: int, raw: bytes):
    return int.from_bytes(raw, "big") if kind == V.LINK_STAFF else uuid.UUID(bytes=raw)


def pack(kind: int, target, *, connection=None, knows: int = 0, basis: int = V.BASIS_CONNECTED) -> bytes:
    conn = uuid.UUID(str(connection)).bytes if connection else _NO_CONNECTION
    return _FORMAT.pack(_VERSION, kind, _target_bytes(kind, target), conn, knows, basis)


def unpack(link_id, holder, data: bytes) -> Link:
    version, kind, target, conn, knows, basis = _FORMAT.unpack(data)
    if version != _VERSION:
        raise ValueError("unknown graph link format")
    return Link(id=link_id, holder=holder, kind=kind, target=_target_from(kind, target),
                connection=None if conn == _NO_CONNECTION else uuid.UUID(bytes=conn), knows=knows, basis=basis)


def graph_key(organisation_id, *, create: bool = True):
    """The organisation's graph data key id (made on first use); None when there is none yet."""
    row = GraphKey.objects.filter(organisation_id=organisation_id).first()
    if row is not None or not create:
        return row.data_key_id if row else None
    try:
        with transaction.atomic():
            row = GraphKey.objects.create(organisation_id=organisation_id, data_key_id=vault.data_key_create())
    except IntegrityError:  # made at the same moment by another request
        row = GraphKey.objects.get(organisation_id=organisation_id)
    return row.data_key_id


def seal_link(organisation_id, key_id, holder_id, payload: bytes, link_id=None) -> GraphLink:
    """An unsaved GraphLink row (the benchmark writes millions of them through this)."""
    link_id = link_id or uuid.uuid4()
    return GraphLink(id=link_id, organisation_id=organisation_id, holder=holder_tag(organisation_id, holder_id),
                     payload=vault.encrypt(key_id, payload, _aad(link_id)))


COVER = 8  # existing links re-sealed and written again with every write (see ``links_add``)
_random = secrets.SystemRandom()


def _cover(organisation_id, key_id) -> tuple[list[GraphLink], list]:
    """Up to COVER existing links of the organisation, picked at random, as new rows: same holder
    and content, a new id, sealed afresh. Returns (new rows, ids of the rows they replace)."""
    picked: dict = {}
    links = GraphLink.objects.filter(organisation_id=organisation_id).select_for_update(skip_locked=True)
    for _ in range(COVER):
        start = secrets.token_hex(16)
        row = (links.filter(holder__gte=start).exclude(pk__in=list(picked)).order_by("holder")
               .values_list("id", "holder", "payload").first()
               or links.exclude(pk__in=list(picked)).order_by("holder").values_list("id", "holder", "payload").first())
        if row is None:
            break
        picked[row[0]] = row
    fresh = []
    for old_id, holder, blob in picked.values():
        plain = vault.decrypt(key_id, bytes(blob), _aad(old_id))
        new_id = uuid.uuid4()
        fresh.append(GraphLink(id=new_id, organisation_id=organisation_id, holder=holder,
                               payload=vault.encrypt(key_id, plain, _aad(new_id))))
    return fresh, list(picked)


def links_add(organisation_id, entries) -> list[GraphLink]:
    """Store links: `entries` are (holder person id, payload from ``pack``). Returns the new rows.

    Rows written together sit together on disk (consecutive SQLite rowids, neighbouring PostgreSQL
    tuples), and the two ends of a connection are written together: alone, that would pair them for
    whoever reads the raw files. So each write also moves COVER random existing links (deleted and
    written again, sealed afresh under a new id) and writes all the rows in a random order: the two
    ends are hidden among COVER + 2 rows written at that moment.
    """
    key_id = graph_key(organisation_id)
    rows = [seal_link(organisation_id, key_id, holder, payload) for holder, payload in entries]
    cover, replaced = _cover(organisation_id, key_id)
    if replaced:
        GraphLink.objects.filter(pk__in=replaced).delete()
    batch = rows + cover
    _random.shuffle(batch)
    GraphLink.objects.bulk_create(batch)
    return rows


def links_of(organisation_id, person_ids, *, key_id=None) -> dict:
    """{person id: [Link, ...]} for the given people: one query, one decryption per link."""
    person_ids = list(person_ids)
    if not person_ids:
        return {}
    key_id = key_id or graph_key(organisation_id, create=False)
    if key_id is None:
        return {}
    by_tag = {holder_tag(organisation_id, pid): pid for pid in person_ids}
    found: dict = {}
    rows = GraphLink.objects.filter(organisation_id=organisation_id, holder__in=list(by_tag)) \
        .values_list("id", "holder", "payload")
    for link_id, tag, blob in rows:
        holder = by_tag[tag]
        found.setdefault(holder, []).append(unpack(link_id, holder, vault.decrypt(key_id, bytes(blob), _aad(link_id))))
    return found


def links_remove(link_ids) -> int:
    deleted, _ = GraphLink.objects.filter(pk__in=list(link_ids)).delete()
    return deleted
