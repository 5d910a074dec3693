"""`make bench-province`: the province-sized PostgreSQL database the other measurements run on.

Creates the database named by BENCH_PG_URL (default postgres://root@127.0.0.1:5432/bench)
if it does not exist, migrates it and, when it holds no organisation, seeds it with
`seed_demo --members 2000000 --branch-size 8-28` (about 18 members an organisation, the
national ratio: about 110,000 organisations). The generation is timed and written to
BENCHMARKS.md with the sizes of the tables; a database seeded before is reused as it is.

    .venv/bin/python bench/province_db.py [--members 2000000] [--branch-size 8-28] [--no-write]
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report
from report import machine

BENCH_PG_URL = os.environ.get("BENCH_PG_URL", "postgres://root@127.0.0.1:5432/bench")


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2_000_000)
    parser.add_argument("--branch-size", default="8-28")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    ensure_database(BENCH_PG_URL)
    os.environ["DATABASE_URL"] = BENCH_PG_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from orgs.models import Org
    from people.models import Person

    call_command("migrate", verbosity=0)
    if Org.objects.exists():
        print("the database is seeded already: reused")
        graduation_season()
        return
    print(f"seeding {args.members:,} members (branch size {args.branch_size}) …", flush=True)
    t0 = time.perf_counter()
    call_command("seed_demo", "--members", str(args.members), "--branch-size", args.branch_size)
    seconds = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics for the planner, as autovacuum would make them
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    graduation_season()
    orgs, members = Org.objects.count(), Person.objects.exclude(branch=None).count()
    print(f"{orgs:,} organisations, {members:,} members in {seconds / 60:.1f} min; database {size}")
    if not args.no_write:
        write_section(orgs, members, args, seconds, size)


def graduation_season(share: float = 0.05) -> None:
    """Transfer requests as in graduation season (U3), so transfer lists are measured full, not empty.

    One member in twenty has a request: most of them done, the rest open at each step or closed
    otherwise, spread over the last 60 days, from their branch to another organisation of the
    province. Skipped when the database has requests already.
    """
    import random

    from django.db import connection, transaction

    from orgs.models import Org
    from people.models import Person
    from transfers.models import Kind, Reason, Status, TransferRequest

    if TransferRequest.objects.exists():
        return
    t0 = time.perf_counter()
    rng = random.Random(2026)
    branches = list(Org.objects.filter(category="团支部").values_list("id", "full_name"))
    targets = branches + list(
        Org.objects.exclude(category="团支部").filter(depth__gte=3).values_list("id", "full_name")
    )
    names = dict(branches)
    statuses = [Status.DONE] * 55 + [Status.SENDER] * 15 + [Status.RECEIVER] * 12 + [Status.ASSIGN] * 5
    statuses += [Status.REJECTED] * 6 + [Status.WITHDRAWN] * 4 + [Status.RETURNED] * 3
    people = Person.objects.exclude(branch=None).values_list("id", "branch_id").iterator(chunk_size=20_000)
    batch = []
    with transaction.atomic():
        for person_id, branch_id in people:
            if rng.random() >= share:
                continue
            to_id, to_name = rng.choice(targets)
            status = rng.choice(statuses)
            batch.append(TransferRequest(
                person_id=person_id, kind=rng.choice(list(Kind)), reason=rng.choice(list(Reason)), status=status,
                from_branch_id=branch_id, from_name=names[branch_id], to_org_id=to_id, to_name=to_name,
                created_by_id=person_id, reviewed=status not in (Status.SENDER,),
            ))  # fmt: skip
            if len(batch) == 5_000:
                TransferRequest.objects.bulk_create(batch)
                batch = []
        TransferRequest.objects.bulk_create(batch)
        with connection.cursor() as cursor:  # spread over 60 days (auto_now_add set them all to now)
            cursor.execute(
                "UPDATE transfers_transferrequest SET created_at = now() - (id % 60) * interval '1 day' - (id % 997) * interval '1 minute', "
                "updated_at = now() - (id % 60) * interval '1 day'"
            )
            cursor.execute(
                "UPDATE transfers_transferrequest SET completed_at = created_at + interval '2 days' WHERE status = %s",
                [Status.DONE],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE transfers_transferrequest")
    n = TransferRequest.objects.count()
    print(f"graduation season: {n:,} transfer requests in {time.perf_counter() - t0:.0f} s")


def write_section(orgs, members, args, seconds, size) -> None:
    from orgs.models import Org
    from people.models import Cadre, Person

    m = machine()
    title = "## The province database (PostgreSQL)"
    people = Person.objects.count()
    posts = Cadre.objects.count()
    branches = Org.objects.filter(category="团支部").count()
    body = f"""{title}

Generated {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `make bench-province` (bench/province_db.py):
`seed_demo --members {args.members} --branch-size {args.branch_size}` into an empty PostgreSQL 15 database on this machine.
Machine: `{m["uname"]}`, {m["nproc"]} CPUs, Python {m["python"]}.

| what | figure |
|---|---|
| organisations | {orgs:,} (of which 团支部 {branches:,}) |
| members (people in a branch) | {members:,} |
| people in all (members and committee cadres) | {people:,} |
| cadre posts | {posts:,} |
| **generation time** (build in memory, encrypt ID numbers and mobiles, bulk insert, progress figures) | **{seconds / 60:.1f} min** |
| transfer requests (graduation season: one member in twenty, most done, the rest at every step) | {__import__("transfers.models", fromlist=["TransferRequest"]).TransferRequest.objects.count():,} |
| database size after `VACUUM ANALYZE` | {size} |

The measurements below marked PostgreSQL run on this database.
"""
    report.write_section(title, body)


if __name__ == "__main__":
    main()
