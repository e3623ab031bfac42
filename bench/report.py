"""Benchmark: the full public report over 1,000,000 cases and 100,000 testimonies.

    .venv/bin/python bench/report.py                       # SQLite, in a temporary data directory
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/report.py
    .venv/bin/python bench/report.py --cases 100000 --testimonies 10000   # smaller

Builds a fresh database (SQLite file, or a PostgreSQL database named safepassage_bench_report next
to the one in DATABASE_URL), fills it with bulk inserts (people and testimonies without sealed
content: the report never reads it), then times what a researcher's click costs: refreshing the
case statistics, counting, suppression, and the charts; and separately the PDF. Goal: < 3 s.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VIOLATIONS = [("torture", 30), ("arbitrary_detention", 30), ("threats", 15), ("extortion", 8),
              ("forced_outing", 6), ("honour_killing_threat", 5), ("document_seizure", 3),
              ("sexual_violence", 1.5), ("enforced_disappearance", 1), ("killing", 0.3), ("forced_confession", 0.2)]
PERPETRATORS = [("police", 40), ("security_forces", 30), ("family", 15), ("officials", 8), ("community", 5),
                ("unknown", 1.5), ("religious_authority", 0.5)]
PLACES = [("grozny", "chechnya", 45), ("argun", "chechnya", 12), ("gudermes", "chechnya", 10),
          ("shali", "chechnya", 8), ("urus_martan", "chechnya", 6), ("kurchaloy", "chechnya", 5),
          ("tsotsin_yurt", "chechnya", 3), ("moscow", "moscow", 5), ("nazran", "ingushetia", 2),
          ("makhachkala", "dagestan", 2), ("shatoy", "chechnya", 0.5), ("abroad", "abroad", 0.3)]
STATUSES = [("requested", 30), ("screening", 10), ("rejected", 8), ("unreachable", 12), ("duplicate", 6),
            ("entrapment_suspected", 0.1), ("verified", 8), ("sheltered", 4), ("referred", 4), ("approved", 2),
            ("denied", 2), ("in_transit", 1), ("arrived", 5), ("settling", 4), ("closed", 4)]
GENDERS = [("man", 70), ("woman", 20), ("another", 3), ("not_recorded", 7)]
YEARS = list(range(2015, 2027))


def pick(rng, table):
    values = [row[:-1] if len(row) > 2 else row[0] for row in table]
    return rng.choices(values, weights=[row[-1] for row in table])[0]


def prepare_database(url: str | None) -> str:
    if not url:
        path = Path(tempfile.mkdtemp(prefix="safepassage-bench-")) / "bench.sqlite3"
        return f"sqlite:///{path}"
    import psycopg

    base, _, _name = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS safepassage_bench_report")
        conn.execute("CREATE DATABASE safepassage_bench_report")
    return f"{base}/safepassage_bench_report"


def insert(connection, table: str, columns: list[str], rows, chunk=20000) -> int:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite."""
    count = 0
    if connection.vendor == "postgresql":
        raw = connection.connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _extra_timestamps(connection, table: str, given: list[str]) -> list[str]:
    """NOT NULL timestamp columns the schema has beyond `given` (a stage clock, say): filled too."""
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    return [c.name for c in description if c.name not in given and not c.null_ok and not c.default
            and (c.name.endswith("_at") or c.name.endswith("_since"))]


def fill(n_cases: int, n_testimonies: int, org, seed: int = 2017) -> dict:
    from django.db import connection, transaction

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    past = now - timedelta(days=400)
    sqlite = connection.vendor == "sqlite"

    def ts(value):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else value

    def uid(value):
        return value.hex if sqlite else value

    person_ids = [uuid.uuid4() for _ in range(n_cases)]
    started = time.perf_counter()
    with transaction.atomic():
        columns = ["id", "organisation_id", "reference", "created_at", "updated_at"]
        more = _extra_timestamps(connection, "people_person", columns)
        insert(connection, "people_person", columns + more,
               ((uid(pid), org.pk, f"P-{i:07d}", ts(past), ts(past), *[ts(past)] * len(more))
                for i, pid in enumerate(person_ids)))
        case_columns = ["id", "organisation_id", "person_id", "reference", "status", "risk_level", "risk_rank",
                        "created_at", "updated_at"]
        case_more = _extra_timestamps(connection, "cases_case", case_columns)

        def cases():
            for i, pid in enumerate(person_ids):
                year = rng.choice(YEARS)
                opened = datetime(year, rng.randint(1, 12), rng.randint(1, 28), 12, tzinfo=timezone.utc)
                opened = min(opened, past)
                status = pick(rng, STATUSES)
                case_id = uuid.uuid4()
                figure_rows.append((uid(case_id), org.pk, opened.year, status, pick(rng, GENDERS), ts(now)))
                yield (uid(case_id), org.pk, uid(pid), f"C-{i:08d}", status, "medium", 2, ts(opened), ts(past),
                       *[ts(opened)] * len(case_more))

        figure_rows: list = []
        insert(connection, "cases_case", case_columns + case_more, cases())
        insert(connection, "reports_casefigure", ["case_id", "organisation_id", "opened_year", "status",
                                                  "gender_bucket", "refreshed_at"], iter(figure_rows))
        # As if the statistics had been kept up to date all along (the services' audit events say what changed).
        from safepassage.audit.models import AuditEvent

        head = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        connection.cursor().execute("INSERT INTO reports_figuresync (organisation_id, synced_to, audit_id) "
                                    "VALUES (%s, %s, %s)", [org.pk, ts(now), head])

        testimony_rows, incident_rows = [], []
        public = 0
        for i in range(n_testimonies):
            tid = uuid.uuid4()
            consents = rng.random() < 0.7
            public += consents
            testimony_rows.append((uid(tid), org.pk, f"T-{i:07d}", ts(past), ts(past), True, consents, False))
            if consents:
                for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                    place, region = pick(rng, PLACES)
                    year = rng.choice(YEARS[:-1])
                    month = None if rng.random() < 0.15 else rng.randint(1, 12)
                    incident_rows.append((org.pk, uid(tid), pick(rng, VIOLATIONS), pick(rng, PERPETRATORS), place,
                                          region, year, month))
        insert(connection, "testimonies_testimony", ["id", "organisation_id", "reference", "created_at",
                                                     "updated_at", "consent_internal", "consent_public_report",
                                                     "consent_named_bodies"], iter(testimony_rows))
        insert(connection, "testimonies_countedincident", ["organisation_id", "testimony_id", "violation",
                                                           "perpetrator", "place", "region", "year", "month"],
               iter(incident_rows))
    with connection.cursor() as cursor:
        # What autovacuum does on its own soon after a bulk load (index-only scans need it).
        cursor.execute("ANALYZE" if sqlite else "VACUUM ANALYZE")
        if sqlite:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"seconds": time.perf_counter() - started, "public_testimonies": public, "incidents": len(incident_rows)}


def timed(fn, repeat=3):
    """(median wall s, min wall s, max wall s, median CPU s of this process, result)."""
    runs, cpu = [], []
    result = None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(runs), min(runs), max(runs), statistics.median(cpu), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--testimonies", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="print where one report build spends its time")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--reuse", metavar="DATABASE_URL", help="measure on a database kept by --keep (migrated first)")
    args = parser.parse_args()

    made_data_dir = None
    if "SAFEPASSAGE_DATA_DIR" not in os.environ:
        made_data_dir = os.environ["SAFEPASSAGE_DATA_DIR"] = tempfile.mkdtemp(prefix="safepassage-bench-data-")
    given_url = os.environ.get("DATABASE_URL")
    if args.reuse:
        args.keep = True
        os.environ["DATABASE_URL"] = args.reuse
    else:
        os.environ["DATABASE_URL"] = prepare_database(given_url)
    try:
        run(args)
    finally:
        if not args.keep:
            cleanup(given_url, os.environ["DATABASE_URL"])
            if made_data_dir:
                import shutil

                shutil.rmtree(made_data_dir, ignore_errors=True)


def cleanup(given_url: str | None, bench_url: str) -> None:
    from django.db import connections

    connections.close_all()
    if bench_url.startswith("sqlite:///"):
        import shutil

        shutil.rmtree(Path(bench_url[len("sqlite:///"):]).parent, ignore_errors=True)
    elif given_url:
        import psycopg

        with psycopg.connect(given_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS safepassage_bench_report")


def run(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from safepassage.accounts.services import organisation_create
    from safepassage.core.testing import staff_member
    from safepassage.reports import charts, exports, services
    from safepassage.vault import services as vault

    call_command("migrate", verbosity=0)
    if args.reuse:
        from safepassage.accounts.models import User
        from safepassage.cases.models import Case
        from safepassage.testimonies.models import CountedIncident, Testimony

        vault.unseal_with_key(vault.demo_master_key())
        researcher = User.objects.get(username="bench-researcher")
        org = researcher.membership.organisation
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
        print(f"database: {connection.vendor} (kept); {Case.objects.count():,} cases, "
              f"{Testimony.objects.count():,} testimonies, {CountedIncident.objects.count():,} counted incidents")
    else:
        vault.initialise(mode="demo")
        org = organisation_create(name="Bench NGO")
        researcher = staff_member(org, "bench-researcher", ["researcher"])
        filled = fill(args.cases, args.testimonies, org)
        print(f"database: {connection.vendor}; {args.cases:,} cases, {args.testimonies:,} testimonies "
              f"({filled['public_testimonies']:,} consenting, {filled['incidents']:,} counted incidents); "
              f"filled in {filled['seconds']:.0f} s")

    def page(year=None):
        report = services.report_build(actor=researcher, year=year, lang="en")
        svgs = {t.key: charts.table_svg(t, "en") for t in report.tables}
        return report, svgs

    if args.profile:
        import cProfile
        import pstats

        page()
        services._GRID_CACHE.clear()
        charts.clear_cache()
        cProfile.runctx("page()", globals(), {"page": page}, "/tmp/report.prof")
        pstats.Stats("/tmp/report.prof").sort_stats("cumulative").print_stats(30)
        return

    def cold(fn):
        """As after any change to the data: no protected grids, no charts in memory."""
        def run_cold():
            services._GRID_CACHE.clear()
            charts.clear_cache()
            return fn()
        return run_cold

    # The first build after start-up pays for imports (matplotlib) and cold caches: shown apart.
    rows = [("first report after start-up (all years, with charts)", timed(cold(page), repeat=1))]
    rows.append(("report after a change, all years: refresh + counts + suppression",
                 timed(cold(lambda: services.report_build(actor=researcher)))))
    rows.append(("**page after a change, all years (report + 6 charts)**", timed(cold(page))))
    rows.append(("page after a change, one year (2020)", timed(cold(lambda: page(2020)))))
    rows.append(("page for another year, nothing changed (grids reused, charts drawn)",
                 timed(lambda: (charts.clear_cache(), page(2019)))))
    report, svgs = page()
    rows.append(("PDF of the all-years report (charts already drawn)", timed(lambda: exports.report_pdf(
        report, {k: charts.data_uri(v) for k, v in svgs.items()}), repeat=2)))
    rows.append(("CSV of the all-years report", timed(lambda: exports.report_csv(report))))
    print()
    print(f"| step ({connection.vendor}) | median s | min s | max s | CPU s (this process) |")
    print("|---|---:|---:|---:|---:|")
    for name, (median, low, high, cpu, _result) in rows:
        print(f"| {name} | {median:.2f} | {low:.2f} | {high:.2f} | {cpu:.2f} |")
    hidden = sum(1 for t in report.tables for r in t.rows if r.value is None)
    print(f"\nsuppressed cells in the all-years report: {hidden}; "
          f"goal (< 3 s for the page after a change): {'met' if rows[2][1][0] < 3 else 'NOT met'}; "
          f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
