"""The graph: who knows whom and what, stored so that a seized database shows no one's neighbourhood."""
import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db

from safepassage.audit.models import AuditEvent
from safepassage.exposure import graph, selectors, services
from safepassage.exposure import vocabulary as V
from safepassage.exposure.models import Connection, GraphLink
from safepassage.exposure.propagation import reach
from safepassage.people.models import Person
from safepassage.people.services import person_delete
from safepassage.policy.rules import NotAllowed
from safepassage.vault.models import DataKey

from .conftest import person_with_case


def raw_rows(table: str) -> list:
    with db.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return cursor.fetchall()


def as_bytes(value) -> bytes:
    if isinstance(value, memoryview):
        return value.tobytes()
    return value if isinstance(value, bytes) else str(value).encode()


def test_the_stored_graph_names_nobody_and_keeps_the_connection_words_sealed(network):
    people = [network.detained, network.ali, network.bela, network.chingiz, network.dana]
    secrets = [p.pk.hex for p in people] + [str(p.pk) for p in people]
    stored = [as_bytes(v) for table in ("exposure_graphlink", "exposure_connection") for row in raw_rows(table)
              for v in row if v is not None]
    blob = b"\x00".join(stored)
    for secret in secrets:
        assert secret.encode() not in blob
    for person in people:
        assert person.pk.bytes not in blob
    for word in ["partner", "friend", "Живут", "name", "phone"]:
        assert word.encode() not in blob


def test_the_two_ends_of_a_connection_share_nothing_in_the_clear(coordinator, org, network):
    rows = list(GraphLink.objects.values_list("id", "holder", "payload"))
    assert len(rows) == 8  # four connections, two ends each
    holders = [holder for _id, holder, _payload in rows]
    assert len(set(holders)) == 5  # one anonymous holder per person connected
    assert all(len(h) == 32 for h in holders)
    field_names = {f.name for f in GraphLink._meta.get_fields()}
    assert field_names == {"id", "organisation", "holder", "payload"}  # no person, no connection, no time


def test_a_person_links_are_read_back_through_the_vault(network):
    links = graph.links_of(network.detained.organisation_id, [network.detained.pk])[network.detained.pk]
    by_target = {link.target: link for link in links}
    assert by_target[network.ali.pk].knows == V.KNOWS_NAME | V.KNOWS_PHONE | V.KNOWS_ADDRESS
    assert by_target[network.dana.pk].knows == V.KNOWS_PHONE  # what the detained person knows of dana


def test_the_connection_page_shows_a_worker_only_the_people_they_work_with(network):
    page = selectors.person_graph(network.worker_a, network.detained)
    assert [row.other.pk for row in page.connections] == [network.ali.pk]
    assert page.hidden_connections == 1  # dana is in team B
    row = page.connections[0]
    assert row.relationship == "Partner" and row.details == "Живут вместе с 2016."
    assert row.person_knows == ["real name", "phone number", "address"] and row.other_knows == ["real name"]


def test_connecting_needs_access_to_both_people(network, org, worker_a):
    with pytest.raises(NotAllowed):
        services.connection_create(actor=worker_a, person=network.ali, other=network.bela, relationship="friend")


def test_a_pair_is_connected_once(coordinator, network):
    with pytest.raises(ValidationError):
        services.connection_create(actor=coordinator, person=network.ali, other=network.detained,
                                   relationship="friend")


def test_removing_a_connection_removes_both_ends_and_shreds_its_words(coordinator, network):
    [row] = [r for r in selectors.person_graph(coordinator, network.bela).connections if r.other.pk == network.chingiz.pk]
    key_id = Connection.objects.get(pk=row.connection_id).data_key_id
    services.connection_delete(actor=coordinator, person=network.bela, connection_id=row.connection_id)
    assert GraphLink.objects.count() == 6
    assert not Connection.objects.filter(pk=row.connection_id).exists()
    assert not DataKey.objects.filter(pk=key_id).exists()
    assert network.chingiz.pk not in {link.target for links in graph.links_of(
        network.bela.organisation_id, [network.bela.pk]).values() for link in links}
    assert AuditEvent.objects.get(action="exposure.disconnect").detail == {"connection": str(row.connection_id)}


def test_graph_writes_are_audited_without_pairing_two_people(network):
    events = AuditEvent.objects.filter(action="exposure.connect")
    assert events.count() == 4
    for event in events:
        assert event.target_type == "connection" and event.detail == {}
        assert Connection.objects.filter(pk=event.target_id).exists()


def test_each_write_hides_its_rows_among_older_links_sealed_afresh(coordinator, network):
    from collections import Counter

    org = network.detained.organisation_id
    before = dict(GraphLink.objects.values_list("id", "holder"))
    everyone = [network.detained.pk, network.ali.pk, network.bela.pk, network.chingiz.pk, network.dana.pk]
    targets_before = {p: sorted(str(link.target) for link in links) for p, links in graph.links_of(org, everyone).items()}
    services.connection_create(actor=coordinator, person=network.erik, other=network.chingiz, relationship="friend")
    after = dict(GraphLink.objects.values_list("id", "holder"))
    moved = set(before) - set(after)
    assert len(moved) == graph.COVER  # older rows written again, under new ids
    new_holders = Counter(after.values()) - Counter(before.values())
    assert sorted(new_holders) == sorted([graph.holder_tag(org, network.erik.pk), graph.holder_tag(org, network.chingiz.pk)])
    targets_after = {p: sorted(str(link.target) for link in links) for p, links in graph.links_of(org, everyone).items()}
    targets_before[network.chingiz.pk] = sorted(targets_before[network.chingiz.pk] + [str(network.erik.pk)])
    assert targets_after == targets_before  # the same links, only rewritten


def test_deleting_a_person_takes_their_links_and_connections_with_them(coordinator, network):
    person_delete(actor=coordinator, person=Person.objects.get(pk=network.ali.pk))
    assert GraphLink.objects.count() == 4  # detained-ali and ali-bela gone, both ends each
    found = graph.links_of(network.detained.organisation_id, [network.detained.pk, network.bela.pk])
    assert {link.target for link in found[network.detained.pk]} == {network.dana.pk}
    assert {link.target for link in found[network.bela.pk]} == {network.chingiz.pk}
    assert Connection.objects.count() == 2


def test_staff_knowledge_is_recorded_and_removed(coordinator, caseworker, network):
    link = services.knowledge_add(actor=coordinator, person=network.detained, kind=V.LINK_STAFF,
                                  target=caseworker.pk, basis=V.BASIS_KNOWS_IDENTITY)
    page = selectors.person_graph(coordinator, network.detained)
    assert [(k.kind, k.target) for k in page.knowledge] == [("staff member", "caseworker")]
    with pytest.raises(ValidationError):
        services.knowledge_add(actor=coordinator, person=network.detained, kind=V.LINK_STAFF,
                               target=caseworker.pk, basis=V.BASIS_KNOWS_CONTACT)
    services.knowledge_remove(actor=coordinator, person=network.detained, link_id=link.id)
    assert selectors.person_graph(coordinator, network.detained).knowledge == []


def test_knowledge_of_another_organisation_staff_is_refused(coordinator, network, other_org):
    from safepassage.core.testing import staff_member

    foreign = staff_member(other_org, "foreign", ["coordinator"])
    with pytest.raises(ValidationError):
        services.knowledge_add(actor=coordinator, person=network.detained, kind=V.LINK_STAFF, target=foreign.pk,
                               basis=V.BASIS_KNOWS_IDENTITY)


# --- the walk itself, on a dict --------------------------------------------------------------------

def links_from(edges):
    from safepassage.exposure.graph import Link

    table = {}
    for n, (a, b, knows) in enumerate(edges):
        table.setdefault(a, []).append(Link(id=n, holder=a, kind=V.LINK_PERSON, target=b, connection=None,
                                            knows=knows))
    calls = []

    def links_of(ids):
        calls.append(list(ids))
        return {i: table.get(i, []) for i in ids}

    return links_of, calls


def test_people_are_reached_at_their_shortest_distance_with_one_lookup_per_hop():
    links_of, calls = links_from([("o", "a", 1), ("o", "b", 0), ("a", "c", 2), ("b", "c", 4), ("c", "d", 0),
                                  ("a", "o", 0)])
    found = reach("o", 2, links_of)
    assert {p: r.hop for p, r in found.people.items()} == {"a": 1, "b": 1, "c": 2}
    assert found.people["c"].knows == 2 | 4  # reached through a and b at the same distance
    assert len(calls) == 2 and found.lookups == 2
    assert "d" not in found.people and "o" not in found.people


def test_houses_routes_and_staff_count_only_when_the_exposed_person_knows_them():
    from safepassage.exposure.graph import Link

    table = {
        "o": [Link(1, "o", V.LINK_PERSON, "a", None), Link(2, "o", V.LINK_HOUSE, "h1", None, basis=V.BASIS_STAYED)],
        "a": [Link(3, "a", V.LINK_HOUSE, "h2", None, basis=V.BASIS_VISITED)],
    }
    found = reach("o", 2, lambda ids: {i: table.get(i, []) for i in ids})
    assert found.houses == {"h1": {V.BASIS_STAYED}}


def test_a_link_payload_round_trips():
    import uuid

    target, conn = uuid.uuid4(), uuid.uuid4()
    data = graph.pack(V.LINK_PERSON, target, connection=conn, knows=5)
    assert len(data) == 37
    link = graph.unpack("id", "holder", data)
    assert (link.kind, link.target, link.connection, link.knows) == (V.LINK_PERSON, target, conn, 5)
    staff = graph.unpack("id", "holder", graph.pack(V.LINK_STAFF, 42, basis=V.BASIS_KNOWS_CONTACT))
    assert (staff.target, staff.connection, staff.basis) == (42, None, V.BASIS_KNOWS_CONTACT)


def test_a_payload_moved_to_another_row_does_not_open(network):
    from safepassage.vault.errors import DecryptionFailed

    first, second = GraphLink.objects.all()[:2]
    GraphLink.objects.filter(pk=second.pk).update(payload=first.payload, holder=first.holder)
    with pytest.raises(DecryptionFailed):
        graph.links_of(network.detained.organisation_id, [network.detained.pk, network.ali.pk, network.bela.pk,
                                                           network.chingiz.pk, network.dana.pk])


def test_people_without_links_cost_no_key(coordinator, org):
    person, _case = person_with_case(coordinator, org, "Никто Никтоев")
    assert graph.links_of(org.pk, [person.pk]) == {}
    assert graph.graph_key(org.pk, create=False) is None
