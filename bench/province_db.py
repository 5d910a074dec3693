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
from progress_page import ROOT, machine

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
        return
    print(f"seeding {args.members:,} members (branch size {args.branch_size}) …", flush=True)
    t0 = time.perf_counter()
    call_command("seed_demo", "--members", str(args.members), "--branch-size", args.branch_size)
    seconds = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics for the planner, as autovacuum would make them
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    orgs, members = Org.objects.count(), Person.objects.exclude(branch=None).count()
    print(f"{orgs:,} organisations, {members:,} members in {seconds / 60:.1f} min; database {size}")
    if not args.no_write:
        write_section(orgs, members, args, seconds, size)


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
| database size after `VACUUM ANALYZE` | {size} |

The measurements below marked PostgreSQL run on this database.
"""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    start = text.find(title)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(title))
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    path.write_text(text)
    print(f"written to {path.name}")


if __name__ == "__main__":
    main()
