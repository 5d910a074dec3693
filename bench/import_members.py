"""`make bench`: a 10,000-row member import end to end, against two floors measured in the same run.

End to end is `imports.importers.members.member_import` on the uploaded bytes,
as the worker runs it: the zip safety checks, reading, validating every
row, the look-ups and the inserts (people, their posts, the audit row)
into a fresh branch. The floors (see `floor`) are what no import can beat on
this machine and database: the bare floor reads the file with python-calamine
and inserts the cells as read in one `executemany` into an empty table as
wide as people_person with five of its indexes; the floor of the work an
import must do adds the file's checksum, the project's own encryption and
keyed hashes of every ID number and mobile, and inserts rows carrying those
into people_person itself (every index, the foreign keys, the rows there).

SQLite by default (a fresh file, bench/.bench.sqlite3); PostgreSQL when
DATABASE_URL says so (the run's branch and people are deleted afterwards).
Results are printed and written into BENCHMARKS.md, one section per engine.

    .venv/bin/python bench/import_members.py [--rows 10000] [--runs 3] [--no-write] [--profile]
"""

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import report  # noqa: E402
from report import machine  # noqa: E402

SQLITE_FILE = ROOT / "bench" / ".bench.sqlite3"


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # no query log: it would cost the import, not the floor
    call_command("migrate", verbosity=0)


def fresh_branch(stamp: str):
    from conftest import make_id_number
    from orgs import services as org_services
    from orgs.models import Org
    from orgs.rules import Category
    from people import services as people_services
    from people.models import AccountState

    root = Org.objects.filter(depth=1).first() or org_services.org_create_root(short_name="团中央")
    branch = org_services.org_create_child(
        parent=root, short_name=f"性能测试{stamp}团支部", category=Category.BRANCH, by_operator=True
    )
    admin = _admin(branch, people_services, org_services, make_id_number, AccountState)
    return branch, admin


def _admin(branch, people_services, org_services, make_id_number, AccountState):
    from people.admins import org_admin_add
    from people.models import Person

    rng = random.Random()
    while True:
        id_number = make_id_number(f"19{rng.randint(70, 89)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}", region="110101",
                                   serial=rng.randrange(1000))  # fmt: skip
        if not Person.objects.by_id_number(id_number).exists():
            break
    admin = people_services.person_create(
        data={"name": "测试书记", "id_number": id_number}, account_state=AccountState.INITIAL, branch=branch
    )
    people_services.cadre_assign(person=admin, org=branch, position="书记")
    org_admin_add(org=branch, person=admin)
    return admin


def fresh_rows(n: int, *, seed: int, dev_base: int) -> list[dict]:
    """`n` valid member rows whose ID numbers and 发展团员编号 nobody in the database holds yet.

    On the province database (2,000,000 people) about one random ID number in seventy is taken
    already; the import would rightly refuse those rows, and the run must import every row.
    """
    from core.validators import parse_id_number
    from people.models import Person
    from people.tests.member_rows import member_rows

    rows = member_rows(n + n // 10 + 50, seed=seed, dev_base=dev_base)
    hashes = {pii_hash(parse_id_number(r["id_number"]).value): r for r in rows}
    taken: set = set()
    keys = list(hashes)
    for i in range(0, len(keys), 5_000):
        taken |= set(Person.objects.filter(id_hash__in=keys[i : i + 5_000]).values_list("id_hash", flat=True))
    devs = [r["development_number"] for r in rows if r["development_number"]]
    taken_devs: set = set()
    for i in range(0, len(devs), 5_000):
        found = Person.objects.filter(development_number__in=devs[i : i + 5_000]).values_list(
            "development_number", flat=True
        )
        taken_devs |= set(found)
    free = [r for h, r in hashes.items() if h not in taken and r["development_number"] not in taken_devs]
    assert len(free) >= n, "too many ID numbers taken: raise the margin"
    return free[:n]


def pii_hash(value: str) -> str:
    from core import pii

    return pii.keyed_hash(value)


def cleanup(branch) -> None:
    from orgs.models import Org, OrgAdmin
    from people.models import Cadre, Person

    # Raw deletes: nothing else refers to these rows, and the collector would visit every related table.
    # The audit trail is append-only (audit.append_only): its events of the bench branch stay.
    for qs in (
        OrgAdmin.objects.filter(org=branch),
        Cadre.objects.filter(org=branch),
        Person.objects.filter(branch=branch),
    ):
        qs._raw_delete(qs.db)
    parent = Org.objects.get(pk=branch.parent_id)
    Org.objects.filter(pk=branch.pk).delete()  # through the ORM: other apps keep rows about organisations
    Org.objects.filter(pk=parent.pk).update(numchild=Org.objects.filter(parent=parent).count())


def floor(content: bytes, n_rows: int, branch) -> dict:
    """The two floors, each step timed: what no import can beat, and the work every import must do.

    Bare (as measured since issue 4): python-calamine reading the file and one executemany of the cells as
    read into an empty table as wide as people_person with five of its indexes (id_hash, development_number,
    name, mobile_hash, (branch, complete)).
    Must do: the same read, plus what an import cannot skip whatever its code: the file's checksum
    (sha256 of the bytes), the project's own encryption (core.pii.encrypt) of every ID number and mobile,
    the keyed hash (core.pii.keyed_hash) of every ID number and mobile (both are indexed look-up columns),
    and the insert of rows carrying those ciphertexts and hashes into people_person itself, into `branch`
    (every index, the foreign keys and the rows already there, as the import meets them), committed: one
    executemany, and on PostgreSQL also one COPY (the faster of the two counts). It neither cleans nor checks
    a cell; the caller deletes the rows with the branch.
    """
    import hashlib

    from django.db import connection, transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from core import pii
    from imports.importers.members import COLUMNS, SHEET
    from people.models import Person

    t = {}
    t0 = time.perf_counter()
    with CalamineWorkbook.from_filelike(io.BytesIO(content)) as wb:
        table = wb.get_sheet_by_name(SHEET).to_python()
    t["read"] = time.perf_counter() - t0
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    width = len(fields)
    col = {f.attname: i for i, f in enumerate(fields)}
    source = {col[c.key]: j for j, c in enumerate(COLUMNS) if c.key in col}
    id_col = next(j for j, c in enumerate(COLUMNS) if c.key == "id_number")
    mobile_col = next(j for j, c in enumerate(COLUMNS) if c.key == "mobile")

    def cell(r, j):
        v = r[j] if j < len(r) else None
        return None if v in (None, "") else str(v)

    # Bare: the cells go in as read (the ID number standing in for its hash, to fill the unique index).
    bare_source = {**source, col["id_hash"]: id_col}
    rows = [tuple(cell(r, bare_source[i]) if i in bare_source else "x" for i in range(width)) for r in table[1:]]
    assert len(rows) == n_rows, (len(rows), n_rows)
    t["insert"] = _timed_insert(connection, transaction, rows, width, col)

    # Must do: checksum, ciphertexts and hashes, then the insert of those rows.
    t0 = time.perf_counter()
    hashlib.sha256(content).hexdigest()
    t["checksum"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    secrets = []
    for r in table[1:]:
        id_number, mobile = cell(r, id_col) or "", cell(r, mobile_col) or ""
        secrets.append(
            (
                pii.encrypt(id_number),
                pii.keyed_hash(id_number),
                pii.encrypt(mobile) if mobile else "",
                pii.keyed_hash(mobile) if mobile else "",
            )
        )
    t["crypto"] = time.perf_counter() - t0
    # The other columns: the cells as read where they are text, else what every imported row shares.
    now = timezone.now()
    shared = {
        "branch_id": branch.pk, "birth_date": dt.date(2005, 1, 1), "gender": "男", "password": "!",
        "account_state": "initial", "must_change_password": True, "created_at": now, "updated_at": now,
    }  # fmt: skip
    template = [
        f.get_db_prep_save(shared[f.attname] if f.attname in shared else f.get_default(), connection) for f in fields
    ]
    text = [i for i in source if i not in (col["league_join_date"], col["party_applied_on"])]
    put = {col["id_number"]: 0, col["id_hash"]: 1, col["mobile"]: 2, col["mobile_hash"]: 3}
    rows = []
    for r, s in zip(table[1:], secrets, strict=True):
        row = template.copy()
        for i in text:
            row[i] = cell(r, source[i]) or ""
        for i, k in put.items():
            row[i] = s[k]
        row[col["development_number"]] = cell(r, source[col["development_number"]])
        rows.append(row)
    quote = connection.ops.quote_name
    table, columns = quote(Person._meta.db_table), ", ".join(quote(f.column) for f in fields)
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * width)})", rows)
    t["insert_executemany"] = time.perf_counter() - t0
    assert Person.objects.filter(branch=branch).count() >= n_rows
    t["insert_copy"] = None
    if connection.vendor == "postgresql":
        # PostgreSQL takes rows faster through COPY than through executemany's statement per row; the
        # import uses COPY there, so the floor does too.
        qs = Person.objects.filter(branch=branch, id_hash__in=[s[1] for s in secrets])
        qs._raw_delete(qs.db)
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
                for row in rows:
                    stream.write_row(row)
        t["insert_copy"] = time.perf_counter() - t0
        assert Person.objects.filter(branch=branch).count() >= n_rows
    t["insert_must"] = min(x for x in (t["insert_executemany"], t["insert_copy"]) if x is not None)
    t["bare"] = t["read"] + t["insert"]
    t["must"] = t["read"] + t["checksum"] + t["crypto"] + t["insert_must"]
    t["must_executemany"] = t["read"] + t["checksum"] + t["crypto"] + t["insert_executemany"]
    return t


def _timed_insert(connection, transaction, rows: list[tuple], width: int, col: dict) -> float:
    """Seconds of one executemany of `rows` into a fresh table like people_person (dropped afterwards)."""
    columns = ", ".join(f"c{i} text" for i in range(width))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute(f"CREATE TABLE bench_floor (id integer primary key, {columns})")
        cursor.execute(f"CREATE UNIQUE INDEX bench_floor_id_hash ON bench_floor (c{col['id_hash']})")
        cursor.execute(f"CREATE UNIQUE INDEX bench_floor_dev ON bench_floor (c{col['development_number']})")
        cursor.execute(f"CREATE INDEX bench_floor_name ON bench_floor (c{col['name']})")
        cursor.execute(f"CREATE INDEX bench_floor_mobile ON bench_floor (c{col['mobile_hash']})")
        cursor.execute(f"CREATE INDEX bench_floor_branch ON bench_floor (c{col['branch_id']}, c{col['complete']})")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE bench_floor ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
    placeholders = ", ".join(["%s"] * width)
    sql = f"INSERT INTO bench_floor ({', '.join(f'c{i}' for i in range(width))}) VALUES ({placeholders})"
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    elapsed = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one import instead")
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    args = parser.parse_args()
    setup_django()
    if args.profile:
        return profile(args.rows)

    from django.db import connection

    from imports.importers.members import member_import
    from people.models import Person
    from people.tests.member_rows import write_xlsx

    engine = connection.vendor
    t0 = time.perf_counter()
    seed = int(time.time())
    content = write_xlsx(fresh_rows(args.rows, seed=seed, dev_base=(seed % 900) * 100_000))
    print(f"{args.rows}-row workbook generated: {len(content) / 1e6:.2f} MB in {time.perf_counter() - t0:.1f} s")

    results = []
    for run in range(args.runs):
        stamp = f"{seed}{run}"
        branch, admin = fresh_branch(stamp)
        try:
            t0 = time.perf_counter()
            preview = member_import(branch=branch, file_or_rows=content, actor=admin, dry_run=True)
            t_preview = time.perf_counter() - t0
            t0 = time.perf_counter()
            report = member_import(branch=branch, file_or_rows=content, actor=admin, dry_run=False)
            t_import = time.perf_counter() - t0
            created = Person.objects.filter(branch=branch).count() - 1
            assert report.created == args.rows == created and preview.would_create == args.rows, (
                report.created,
                created,
                [(r.row, r.message) for r in report.failed[:5]],
            )
            t0 = time.perf_counter()
            again = member_import(branch=branch, file_or_rows=content, actor=admin, dry_run=False)
            t_again = time.perf_counter() - t0
            assert again.skipped == args.rows
        finally:
            cleanup(branch)
        branch, _ = fresh_branch(f"{stamp}f")
        try:
            f = floor(content, args.rows, branch)
        finally:
            cleanup(branch)
        results.append({"import": t_import, "preview": t_preview, "again": t_again, **f})
        print(
            f"run {run + 1}: import {t_import:.2f} s · must-do floor {f['must']:.2f} s (read {f['read']:.2f}"
            f" + checksum {f['checksum']:.3f} + encrypt and hash {f['crypto']:.2f} + insert {f['insert_must']:.2f};"
            f" executemany {f['insert_executemany']:.2f}"
            + (f", COPY {f['insert_copy']:.2f}" if f["insert_copy"] is not None else "")
            + ")"
            f" · ratio {t_import / f['must']:.1f}× · bare floor {f['bare']:.2f} s (read + executemany"
            f" {f['insert']:.2f}) · ratio {t_import / f['bare']:.1f}× · preview {t_preview:.2f} s"
            f" · second upload (all skipped) {t_again:.2f} s"
        )
    med = {
        key: statistics.median(r[key] for r in results) if results[0][key] is not None else None for key in results[0]
    }
    print(
        f"\nmedian of {args.runs} on {engine}: end to end {med['import']:.2f} s, must-do floor {med['must']:.2f} s"
        f" ({med['import'] / med['must']:.1f}×), bare floor {med['bare']:.2f} s ({med['import'] / med['bare']:.1f}×)"
    )
    if not args.no_write:
        write_section(engine, args.rows, args.runs, len(content), med, results)
    if engine == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)


def profile(rows: int) -> None:
    import cProfile
    import pstats

    from imports.importers.members import member_import
    from people.tests.member_rows import member_rows, write_xlsx

    content = write_xlsx(member_rows(rows, seed=int(time.time())))
    branch, admin = fresh_branch(f"p{int(time.time())}")
    try:
        with cProfile.Profile() as prof:
            member_import(branch=branch, file_or_rows=content, actor=admin, dry_run=False)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
    finally:
        cleanup(branch)


def write_section(engine: str, rows: int, runs: int, size: int, med: dict, results: list[dict]) -> None:
    m = machine()
    title = f"## Member import, {rows:,} rows, {'PostgreSQL' if engine == 'postgresql' else 'SQLite'}"
    each = ", ".join(f"{r['import']:.2f}" for r in results)
    copy_line = (
        f"| floor: the same rows in one `COPY` instead (PostgreSQL; the import inserts this way) | {med['insert_copy']:.2f} |\n"
        if med["insert_copy"] is not None
        else ""
    )
    insert_how = "the faster insert" if med["insert_copy"] is not None else "insert"
    executemany_ratio = (
        f"| ratio end to end / must-do floor with the `executemany` ({med['must_executemany']:.2f} s) |"
        f" {med['import'] / med['must_executemany']:.1f}× |\n"
        if med["insert_copy"] is not None
        else ""
    )
    body = f"""{title}

Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `make bench` (bench/import_members.py), median of {runs} runs.
Machine: `{m["uname"]}`, {m["nproc"]} CPUs, Python {m["python"]}; load average at the end {os.getloadavg()[0]:.1f} (other work on the machine inflates every figure).
File: {rows:,} valid member rows, {size / 1e6:.2f} MB (.xlsx; ID numbers as text, some with full-width digits and stray spaces; mobiles as numbers or text; 入团年月 as 2017-09, 2017.09, 201709 (a number), real dates, 2017年9月, full-width).
Each run measures both floors right after its import, on the same file and database.

| step | seconds |
|---|---|
| **end to end: `member_import`** (zip checks, read in a limited child process, check every row, look up, insert people + posts + audit) | **{med["import"]:.2f}** |
| each run | {each} |
| floor: python-calamine read of the same file, in process | {med["read"]:.2f} |
| floor: sha256 of the file's bytes | {med["checksum"]:.3f} |
| floor: `core.pii.encrypt` of every ID number and mobile, `core.pii.keyed_hash` of each | {med["crypto"]:.2f} |
| floor: one bare `executemany` of {rows:,} rows carrying those ciphertexts and hashes (other cells as read) into people_person itself (every index, the foreign keys, the rows already there), committed | {med["insert_executemany"]:.2f} |
{copy_line}| **floor of the work an import must do** (read + checksum + encrypt and hash + {insert_how}) | **{med["must"]:.2f}** |
| **ratio end to end / must-do floor** | **{med["import"] / med["must"]:.1f}×** |
{executemany_ratio}| bare floor (as before): the read + `executemany` of the cells as read ({med["insert"]:.2f}), neither encrypted nor hashed, into an empty table as wide as people_person with 5 of its indexes | {med["bare"]:.2f} |
| ratio end to end / bare floor | {med["import"] / med["bare"]:.1f}× |
| preview (dry run: everything but the inserts) | {med["preview"]:.2f} |
| second upload of the same file (every row skipped) | {med["again"]:.2f} |
"""
    report.write_section(title, body)


if __name__ == "__main__":
    main()
