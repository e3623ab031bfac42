#!/usr/bin/env python
"""Exposure propagation: a detention in a network of 1,000,000 people with ~10 connections each.

    .venv/bin/python bench/exposure.py                                  # SQLite file, 1,000,000 people
    .venv/bin/python bench/exposure.py --pg postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/exposure.py --people 100000                  # a quick look

Not run in CI. Builds a scratch database (a SQLite file in a temporary folder, or a database created
on the given PostgreSQL server and dropped afterwards), migrated like a real deployment, with the demo
vault unsealed, then:

THE NETWORK. N people, each with one open case (risk low or medium, under a pool of 20,000 case data
keys); every person picks `degree / 2` others at random, so each has ~`degree` connections (5,000,000
connections, 10,000,000 GraphLink rows at the defaults), written exactly as ``exposure.graph`` writes
them: holder blind index, payload sealed under the organisation's graph key and bound to the row id.
The ``Connection`` rows (the sealed words about a connection) are not written: propagation never
reads them. 500 safe houses with 3,000 people staying now and 10,000 past stays; 5,000 travel plans;
besides their connections, 0.5% of people know another person's route and 2% a staff member.

SQLite loads with a 1 GB page cache (random UUID keys touch every page) and is measured with its
default 2 MB one; PostgreSQL is analysed after loading, as autovacuum would.

THE DETENTIONS. `--detentions` people drawn at random, plus as many drawn among those who stayed in
a safe house (so a house is compromised and its occupants relocated), are each recorded as detained
through ``exposure.services.exposure_record``, the organisation's depth being 2. The time is the
wall clock of the whole call, commit included: every alert written (risk, reasons, tasks, timeline,
incident items, audit rows, houses compromised and their occupants' relocation tasks). One detention
is made first to warm the process and not counted.

THE COST OF SEALING THE ADJACENCY. The graph walk alone (``propagation.reach`` over ``graph.links_of``)
is timed separately, and so are its HMACs and decryptions, which is what sealing costs over clear
(person_a_id, person_b_id) rows read the same way; and the rate at which the whole graph could be
decrypted, for the alternative of holding it in memory while unsealed.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASE_KEYS = 20_000
HOUSES = 500
HOUSE_CAPACITY = 10
CURRENT_STAYS = 3_000
PAST_STAYS = 10_000
PLANS = 5_000
STAFF = 50
CHUNK = 50_000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup_django(args) -> str | None:
    data_dir = tempfile.mkdtemp(prefix="safepassage-bench-exposure-")
    os.environ["SAFEPASSAGE_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    scratch = None
    if args.pg:
        import psycopg

        scratch = f"bench_exposure_{os.getpid()}"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {scratch}")
        base = args.pg.rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{base}/{scratch}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data_dir if scratch is None else f"{data_dir}|{scratch}"


def teardown(args, where: str) -> None:
    from django.db import connections

    connections.close_all()
    data_dir, _, scratch = where.partition("|")
    shutil.rmtree(data_dir, ignore_errors=True)
    if scratch and not args.keep:
        import psycopg

        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {scratch}")


# --- writing many rows fast ------------------------------------------------------------------------

def insert(model, columns: list[str], rows) -> int:
    """Bulk-insert tuples (values as Python objects) in chunks: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection, transaction

    fields = [model._meta.get_field(c) for c in columns]
    names = [f.column for f in fields]
    table = model._meta.db_table
    total = 0
    chunk: list = []

    def flush():
        nonlocal total
        if not chunk:
            return
        with transaction.atomic(), connection.cursor() as cursor:  # one transaction per chunk, not per row
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                prepared = [tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row)) for row in chunk]
                marks = ", ".join(["%s"] * len(names))
                cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", prepared)
        total += len(chunk)
        chunk.clear()

    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    return total


def build(args, rng: random.Random) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from safepassage.accounts.services import organisation_create
    from safepassage.cases.models import Case
    from safepassage.core.testing import staff_member
    from safepassage.exposure import graph
    from safepassage.exposure import vocabulary as V
    from safepassage.exposure.models import GraphLink
    from safepassage.people.models import Person
    from safepassage.safehouses.models import Stay
    from safepassage.safehouses.services import safehouse_create
    from safepassage.travel.models import TravelPlan
    from safepassage.vault import services as vault

    out: dict = {}
    vault.initialise(mode="demo")
    org = organisation_create(name="Bench NGO")
    coordinator = staff_member(org, "bench-coordinator", ["coordinator"])
    staff = [staff_member(org, f"staff-{i:02d}", ["caseworker"]).pk for i in range(STAFF)]
    now = timezone.now()
    n = args.people

    if connection.vendor == "sqlite":  # a big page cache while loading: random UUID keys touch every page
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")
    t0 = time.perf_counter()
    person_ids = [uuid.uuid4() for _ in range(n)]
    insert(Person, ["id", "organisation", "reference", "created_at", "updated_at"],
           ((pid, org.pk, f"P-{i:07d}", now, now) for i, pid in enumerate(person_ids)))
    with transaction.atomic():
        keys = [vault.data_key_create() for _ in range(min(CASE_KEYS, n))]
    case_ids = [uuid.uuid4() for _ in range(n)]
    insert(Case, ["id", "data_key_id", "organisation", "person", "reference", "status", "status_since",
                  "risk_level", "risk_rank", "created_at", "updated_at"],
           ((cid, keys[i % len(keys)], org.pk, person_ids[i], f"C-B-{i:07d}", "verified", now,
             "low" if i % 3 else "medium", 3 if i % 3 else 2, now, now) for i, cid in enumerate(case_ids)))
    out["people_s"] = time.perf_counter() - t0
    log(f"{n} people and cases in {out['people_s']:.0f} s")

    t0 = time.perf_counter()
    houses = []
    with transaction.atomic():
        for i in range(HOUSES):
            houses.append(safehouse_create(actor=coordinator, codename=f"House {i:03d}", area="Region",
                                           capacity=HOUSE_CAPACITY, address=f"Street {i}").pk)
    current_stays, past_stays = min(CURRENT_STAYS, n // 20), min(PAST_STAYS, n // 10)
    chosen = rng.sample(range(n), current_stays + past_stays)
    stays = []
    for j, i in enumerate(chosen):
        current = j < current_stays
        house = houses[j % HOUSES] if current else rng.choice(houses)
        stays.append(Stay(house_id=house, case_id=case_ids[i], checked_in_at=now,
                          state=Stay.STATE_CURRENT if current else Stay.STATE_ENDED,
                          checked_out_at=None if current else now))
    Stay.objects.bulk_create(stays, batch_size=5000)
    stayed = chosen[current_stays:]
    plan_cases = rng.sample(range(n), min(PLANS, n // 20))
    plans = [TravelPlan(case_id=case_ids[i], organisation_id=org.pk, data_key_id=keys[i % len(keys)],
                        status="negotiated") for i in plan_cases]
    TravelPlan.objects.bulk_create(plans, batch_size=5000)
    plan_ids = [p.pk for p in plans]
    out["journey_s"] = time.perf_counter() - t0
    log(f"{HOUSES} houses, {len(stays)} stays, {len(plans)} travel plans in {out['journey_s']:.0f} s")

    # the graph: each person picks degree/2 others; both ends written
    t0 = time.perf_counter()
    key_id = graph.graph_key(org.pk)
    tags = {}
    crypto_s = 0.0

    def tag(i):
        found = tags.get(i)
        if found is None:
            found = tags[i] = graph.holder_tag(org.pk, person_ids[i])
        return found

    def links():
        nonlocal crypto_s
        half = args.degree // 2
        for i in range(n):
            for j in rng.sample(range(n - 1), half):
                j = j + 1 if j >= i else j
                connection_id = uuid.uuid4()
                for holder, target in ((i, j), (j, i)):
                    link_id = uuid.uuid4()
                    c0 = time.perf_counter()
                    payload = vault.encrypt(key_id, graph.pack(V.LINK_PERSON, person_ids[target],
                                                               connection=connection_id, knows=rng.randrange(8)),
                                            f"exposure.link:{link_id}")
                    crypto_s += time.perf_counter() - c0
                    yield (link_id, org.pk, tag(holder), payload)
            r = rng.random()
            if r < 0.005:
                link_id = uuid.uuid4()
                yield (link_id, org.pk, tag(i), vault.encrypt(key_id, graph.pack(
                    V.LINK_PLAN, rng.choice(plan_ids), basis=V.BASIS_TOLD_ROUTE), f"exposure.link:{link_id}"))
            elif r < 0.025:
                link_id = uuid.uuid4()
                yield (link_id, org.pk, tag(i), vault.encrypt(key_id, graph.pack(
                    V.LINK_STAFF, rng.choice(staff), basis=V.BASIS_KNOWS_IDENTITY), f"exposure.link:{link_id}"))
            if i and i % 100_000 == 0:
                log(f"  links of {i} people written")

    index = "exposure_link_holder"
    with connection.cursor() as cursor:  # built after loading, as a restore would
        cursor.execute(f"DROP INDEX {index}")
    out["links"] = insert(GraphLink, ["id", "organisation", "holder", "payload"], links())
    out["links_write_s"] = time.perf_counter() - t0
    out["link_seal_us"] = crypto_s / max(out["links"], 1) * 1e6
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {index} ON exposure_graphlink (organisation_id, holder)")
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE exposure_graphlink")
            cursor.execute("VACUUM ANALYZE cases_case")
            cursor.execute("VACUUM ANALYZE people_person")
    out["index_s"] = time.perf_counter() - t0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # measured with SQLite's default page cache (2 MB)
            cursor.execute("PRAGMA cache_size = -2000")
    log(f"{out['links']} graph links in {out['links_write_s']:.0f} s (sealing {out['link_seal_us']:.1f} µs each), "
        f"index in {out['index_s']:.0f} s")
    out.update(org=org, coordinator=coordinator, person_ids=person_ids, stayed=stayed, n=n)
    return out


def measure(args, rng: random.Random, world: dict) -> dict:
    from django.db import connection, reset_queries

    from safepassage.audit.models import AuditEvent
    from safepassage.exposure import graph, propagation, services
    from safepassage.exposure.models import IncidentItem
    from safepassage.people.models import Person
    from safepassage.vault import services as vault

    org, coordinator, person_ids = world["org"], world["coordinator"], world["person_ids"]
    picks = rng.sample(range(world["n"]), args.detentions + 1)
    with_house = rng.sample(world["stayed"], args.detentions)
    runs = {"random": picks[1:], "stayed in a safe house": with_house}

    # the walk alone, and what its HMACs and decryptions cost
    timings = {"hmac": 0.0, "decrypt": 0.0}
    real_tag, real_decrypt = graph.holder_tag, vault.decrypt

    def timed_tag(*a):
        t = time.perf_counter()
        try:
            return real_tag(*a)
        finally:
            timings["hmac"] += time.perf_counter() - t

    def timed_decrypt(*a):
        t = time.perf_counter()
        try:
            return real_decrypt(*a)
        finally:
            timings["decrypt"] += time.perf_counter() - t

    walk, crypto, reached = [], [], []
    key_id = graph.graph_key(org.pk, create=False)
    graph.holder_tag, graph.vault.decrypt = timed_tag, timed_decrypt
    try:
        for i in picks[1:]:
            timings.update(hmac=0.0, decrypt=0.0)
            t = time.perf_counter()
            found = propagation.reach(person_ids[i], 2, lambda ids: graph.links_of(org.pk, ids, key_id=key_id))
            walk.append((time.perf_counter() - t) * 1000)
            crypto.append((timings["hmac"] + timings["decrypt"]) * 1000)
            reached.append(len(found.people))
    finally:
        graph.holder_tag, graph.vault.decrypt = real_tag, real_decrypt
    out = {"walk": _pct(walk), "walk_crypto": _pct(crypto), "reached_mean": statistics.mean(reached)}

    # decrypting the whole graph (the in-memory alternative): rate over 100,000 rows
    from safepassage.exposure.models import GraphLink

    rows = list(GraphLink.objects.values_list("id", "payload")[:100_000])
    t = time.perf_counter()
    for link_id, blob in rows:
        graph.unpack(link_id, None, vault.decrypt(key_id, bytes(blob), f"exposure.link:{link_id}"))
    out["decrypt_all_us"] = (time.perf_counter() - t) / len(rows) * 1e6
    del rows

    from safepassage.audit import services as audit_services
    from safepassage.exposure import alerts

    spent = {"audit": 0.0}
    real_audit = audit_services.audit_record

    def timed_audit(*a, **k):
        t = time.perf_counter()
        try:
            return real_audit(*a, **k)
        finally:
            spent["audit"] += time.perf_counter() - t

    services.exposure_record(actor=coordinator, person=Person.objects.get(pk=person_ids[picks[0]]),
                             kind="detained")  # warm-up, not counted
    patched = [(m, "audit_record") for m in (services, alerts, sys.modules["safepassage.safehouses.services"],
                                             sys.modules["safepassage.cases.services"],
                                             sys.modules["safepassage.tasks.services"],
                                             sys.modules["safepassage.safehouses.journey"])]
    for module, name in patched:
        setattr(module, name, timed_audit)
    for label, indices in runs.items():
        times, cpu, audit_ms, fan = [], [], [], []
        for i in indices:
            person = Person.objects.get(pk=person_ids[i])
            audit_before = AuditEvent.objects.count()
            spent["audit"] = 0.0
            t, c = time.perf_counter(), time.process_time()
            incident = services.exposure_record(actor=coordinator, person=person, kind="detained")
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            audit_ms.append(spent["audit"] * 1000)
            fan.append({
                "people": incident.people_count, "cases": incident.case_count, "houses": incident.house_count,
                "routes": incident.route_count, "staff": incident.staff_count,
                "items": IncidentItem.objects.filter(incident=incident).count(),
                "audit": AuditEvent.objects.count() - audit_before,
            })
        out[label] = {"times": _pct(times), "cpu": _pct(cpu), "audit": _pct(audit_ms), "fan": {k: statistics.mean(f[k] for f in fan) for k in fan[0]},
                      "max_fan": {k: max(f[k] for f in fan) for k in fan[0]}}
    for module, name in patched:
        setattr(module, name, real_audit)
    out["vendor"] = connection.vendor
    reset_queries()
    return out


def _pct(values: list[float]) -> dict:
    values = sorted(values)
    return {"p50": statistics.median(values), "p95": values[int(0.95 * (len(values) - 1))], "max": values[-1],
            "mean": statistics.mean(values)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--degree", type=int, default=10, help="connections per person, on average")
    parser.add_argument("--detentions", type=int, default=20, help="timed detentions of each sort")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL"),
                        help="PostgreSQL server URL; a scratch database is created there and dropped")
    parser.add_argument("--keep", action="store_true", help="keep the scratch PostgreSQL database")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    where = setup_django(args)
    try:
        from django.db import connection

        log(f"database: {connection.vendor}; {args.people} people, ~{args.degree} connections each")
        world = build(args, rng)
        result = measure(args, rng, world)
    finally:
        teardown(args, where)
    w, c = result["walk"], result["walk_crypto"]
    print(f"\n== {result['vendor']}: {world['n']} people, {world['links']} graph links ==")
    print(f"graph walk, depth 2: p50 {w['p50']:.1f} ms  p95 {w['p95']:.1f} ms  ({result['reached_mean']:.0f} people "
          f"reached); of which HMACs and decryption p50 {c['p50']:.1f} ms  p95 {c['p95']:.1f} ms")
    print(f"decrypting a link: {result['decrypt_all_us']:.1f} µs -> the whole graph "
          f"{result['decrypt_all_us'] * world['links'] / 1e6:.0f} s to hold in memory; sealing one: "
          f"{world['link_seal_us']:.1f} µs")
    figures = {"people": world["n"], "links": world["links"], "walk_p95_ms": w["p95"], "walk_crypto_p95_ms": c["p95"]}
    for label in ("random", "stayed in a safe house"):
        r = result[label]
        t, f, m = r["times"], r["fan"], r["max_fan"]
        cpu, audit = r["cpu"], r["audit"]
        print(f"detention ({label}): p50 {t['p50']:.0f} ms  p95 {t['p95']:.0f} ms  max {t['max']:.0f} ms "
              f"(this process's CPU p50 {cpu['p50']:.0f} ms, p95 {cpu['p95']:.0f} ms; writing the audit rows "
              f"p50 {audit['p50']:.0f} ms, p95 {audit['p95']:.0f} ms);\n    "
              f"mean fan-out {f['people']:.0f} people, {f['cases']:.0f} cases, {f['houses']:.1f} houses, "
              f"{f['routes']:.1f} routes, {f['staff']:.1f} staff, {f['items']:.0f} incident items, "
              f"{f['audit']:.0f} audit rows (max {m['cases']} cases, {m['audit']} audit rows)")
        key = "random" if label == "random" else "house"
        figures.update({f"detention_{key}_p50_ms": t["p50"], f"detention_{key}_p95_ms": t["p95"],
                        f"detention_{key}_cpu_p95_ms": cpu["p95"], f"detention_{key}_audit_p95_ms": audit["p95"],
                        f"detention_{key}_cases": f["cases"]})
    print()
    print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
