"""`make bench`: 进度监督 (SPEC S5) on a generated database of 1,000,000 members.

Timed, server-side: the progress page (组织录入进度) of the root and of a
province through Django's test client (selector + template render, the whole
view), median of repeated calls; the API call; one refresh after a member's
mobile changes (what keeps the figures current); and the full recount
(`progress_recount`) that the aggregates must always equal.

The database is generated once with `seed_demo --members N` (the seed fills
the statistics in bulk; `--branch-size 8-28`, about 18 members an organisation,
the national ratio, so 1,000,000 members make about 55,000 organisations) and kept for later runs: SQLite at
bench/.bench-progress.sqlite3 by default, or PostgreSQL when DATABASE_URL says
so (an empty database is seeded; one already holding the demo is reused).
Results are printed and written into BENCHMARKS.md, one section per engine.

    .venv/bin/python bench/progress_page.py [--members 1000000] [--calls 20] [--no-write]
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import report  # noqa: E402
from report import machine  # noqa: E402

SQLITE_FILE = Path(os.environ.get("BENCH_PROGRESS_SQLITE", ROOT / "bench" / ".bench-progress.sqlite3"))


def setup_django() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    return connection.vendor


def seed_if_empty(members: int) -> float | None:
    """Seed the big database once (`seed_demo`, the benchmarks' shape); the seconds it took, or None if it was there."""
    from django.core.management import call_command

    from orgs.models import Org

    if Org.objects.exists():
        return None
    print(f"seeding {members:,} members …", flush=True)
    t0 = time.perf_counter()
    call_command("seed_demo", "--members", str(members), "--branch-size", "8-28")
    return time.perf_counter() - t0


def timed(fn, calls: int) -> tuple[float, list[float]]:
    fn()  # warm-up
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    engine = setup_django()

    from django.test import Client

    from orgs.models import Org, OrgAdmin
    from people.models import Person
    from progress.aggregates import stats_recount

    seed_seconds = seed_if_empty(args.members)
    members = Person.objects.exclude(branch=None).count()
    orgs = Org.objects.count()
    print(f"{engine}: {orgs:,} organisations, {members:,} members")
    if stats_recount():  # a database seeded before the statistics existed
        stats_recount(fix=True)

    root = Org.objects.get(depth=1)
    province = Org.objects.filter(depth=2).order_by("-numchild").first()
    results = {}
    for label, org in (("root", root), ("province", province)):
        admin = OrgAdmin.objects.filter(org=org).select_related("person").first()
        client = Client()
        client.force_login(admin.person)
        url = f"/progress/orgs/{org.id}/orgs/"
        assert client.get(url).status_code == 200
        results[f"page {label}"] = timed(lambda c=client, u=url: c.get(u), args.calls)
        api = f"/api/v1/orgs/{org.id}/progress"
        results[f"api {label}"] = timed(lambda c=client, u=api: c.get(u), args.calls)
        print(f"{label} ({org.short_name}, {org.numchild} rows): page {results[f'page {label}'][0] * 1000:.1f} ms,"
              f" API {results[f'api {label}'][0] * 1000:.1f} ms")  # fmt: skip

    person = Person.objects.exclude(branch=None).filter(complete=True).order_by("id").first()

    def change_mobile():
        person.mobile = "" if person.mobile else "13812345678"
        person.save(update_fields=["mobile"])  # autocommit: the refresh runs right after this save

    results["refresh"] = timed(change_mobile, min(args.calls, 10))
    if person.mobile == "":
        change_mobile()
    t0 = time.perf_counter()
    diffs = stats_recount()
    results["recount"] = (time.perf_counter() - t0, [])
    print(f"one member's mobile changed and refreshed up the tree: {results['refresh'][0] * 1000:.1f} ms")
    print(f"full recount: {results['recount'][0]:.2f} s, {len(diffs)} differences")
    assert not diffs, diffs[:5]
    if not args.no_write:
        write_section(engine, orgs, members, root, province, args.calls, results, seed_seconds)


def write_section(engine, orgs, members, root, province, calls, results, seed_seconds) -> None:
    m = machine()
    title = f"## Progress supervision (进度监督), {members:,} members, {'PostgreSQL' if engine == 'postgresql' else 'SQLite'}"

    def ms(key):
        return f"{results[key][0] * 1000:.1f}"

    seed = f"{seed_seconds:.0f} s" if seed_seconds is not None else "reused from an earlier run"
    body = f"""{title}

Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `make bench` (bench/progress_page.py), medians of {calls} calls after one warm-up.
Machine: `{m["uname"]}`, {m["nproc"]} CPUs, Python {m["python"]}.
Database: `seed_demo --members` → {orgs:,} organisations, {members:,} members (seeding: {seed}).
Server-side through Django's test client: session, view, selector, template render (or JSON).

| what | ms |
|---|---|
| **组织录入进度 page of the root ({root.short_name}, {root.numchild} rows)** | **{ms("page root")}** |
| **组织录入进度 page of a province ({province.short_name}, {province.numchild} rows)** | **{ms("page province")}** |
| GET /api/v1/orgs/{{id}}/progress, root | {ms("api root")} |
| GET /api/v1/orgs/{{id}}/progress, province | {ms("api province")} |
| a member's mobile changes: save + refresh of the figures up the tree (after commit) | {ms("refresh")} |
| **full recount (`progress_recount`), compared with the stored figures: 0 differences** | **{results["recount"][0] * 1000:.0f}** |
"""
    if orgs < 50_000:
        body += (
            f"\nNote: this database has {orgs:,} organisations, fewer than the 50,000 asked for: it was seeded"
            f" before `--branch-size 8-28` (18 members an organisation, the national ratio) was the benchmarks' shape.\n"
        )
    report.write_section(title, body)


if __name__ == "__main__":
    main()
