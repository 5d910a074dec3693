"""`make bench-export`: the memory and time of a big 导出团员名单 (issue 14, item 3), on SQLite by default.

Seeds a province once (`seed_demo --members N --branch-size 8-28`, kept in bench/.bench-export.sqlite3 or
BENCH_EXPORT_SQLITE; PostgreSQL when DATABASE_URL says so), then runs the background path's writer
(exports.engine.write, the one the worker's job_run calls) for organisations of growing size, each in a
fresh process, and reports the rows, seconds, file size and the process's peak resident memory above
what Django itself takes at start. If memory is bounded the peak does not grow with the rows, and the
figure for 2,000,000 rows is the largest one measured; a smaller SHEET_ROWS (--sheet-rows) shows the
sheet split on the way. The figures go into BENCHMARKS.md ("Exports").

    .venv/bin/python bench/export_members.py [--members 200000] [--no-write]
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import report  # noqa: E402
from report import machine  # noqa: E402

SQLITE_FILE = Path(os.environ.get("BENCH_EXPORT_SQLITE", ROOT / "bench" / ".bench-export.sqlite3"))
TITLE = "## Exports: 导出团员名单 streamed"


def setup_django() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    return connection.vendor


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def measure(org_id: int, sheet_rows: int | None) -> dict:
    """In this (fresh) process: export the organisation's members as the worker would; the figures."""
    setup_django()
    from exports import engine
    from orgs.models import Org
    from people import export
    from people.models import Person

    if sheet_rows:
        engine.SHEET_ROWS = sheet_rows
    org = Org.objects.get(pk=org_id)
    actor = Person.objects.filter(is_superuser=True).first() or Person.objects.first()
    # warm up: the first row's queries, openpyxl's imports
    with tempfile.TemporaryFile() as f:
        engine.write(export.KIND, actor=actor, org=org, params={"full": False}, out=f, progress=lambda n: None)
    base = peak_mb()
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as f:
        rows = engine.write(export.KIND, actor=actor, org=org, params={"full": False}, out=f, progress=lambda n: None)
        size = f.seek(0, os.SEEK_END)
    seconds = time.perf_counter() - t0
    return {"rows": rows, "seconds": seconds, "size": size, "base_mb": base, "peak_mb": peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--sheet-rows", type=int, default=100_000, help="SHEET_ROWS for the run (shows the split)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.sheet_rows)))
        return

    engine_name = setup_django()
    from django.core.management import call_command

    from orgs.models import Org
    from people.models import Person

    call_command("migrate", verbosity=0)
    seed_seconds = None
    if not Org.objects.exists():
        print(f"seeding {args.members:,} members …", flush=True)
        t0 = time.perf_counter()
        call_command("seed_demo", "--members", str(args.members), "--branch-size", "8-28")
        seed_seconds = time.perf_counter() - t0
    members = Person.objects.exclude(branch=None).count()
    # Organisations of growing size: the largest subtree at each depth, down to a few thousand members.
    targets = []
    for depth in (4, 3, 2):
        org = Org.objects.filter(depth=depth).order_by("-numchild").first()
        if org:
            targets.append(org)
    results = []
    for org in targets:
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(org.pk), "--sheet-rows", str(args.sheet_rows)],
            capture_output=True, text=True, check=True, env=os.environ.copy(),
        )  # fmt: skip
        r = json.loads(out.stdout.strip().splitlines()[-1])
        r["org"] = org.short_name
        print(r, flush=True)
        results.append(r)
    results.sort(key=lambda r: r["rows"])
    body = write_section(engine_name, members, results, seed_seconds, args.sheet_rows)
    print(body)
    if not args.no_write:
        report.write_section(TITLE + f" ({engine_name})", body)


def write_section(engine_name, members, results, seed_seconds, sheet_rows) -> str:
    m = machine()
    lines = [
        TITLE + f" ({engine_name})",
        "",
        f"`bench/export_members.py` on {dt.date.today()}, {engine_name}, {members:,} members"
        + (f" (seeded in {seed_seconds:.0f} s)" if seed_seconds else "")
        + f"; {m['nproc']} CPUs, Python {m['python']}.",
        "The writer the background worker runs (exports.engine.write: `.iterator(chunk_size=2000)`, openpyxl",
        f"write-only, a new sheet every {sheet_rows:,} rows for the run), each size in a fresh process; memory is",
        "the process's peak resident set (ru_maxrss) and its growth over Django's own after a warm-up.",
        "",
        "| subtree | rows | seconds | rows/s | file | peak RSS | growth |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['org']} | {r['rows']:,} | {r['seconds']:.1f} | {r['rows'] / max(r['seconds'], 1e-9):,.0f} "
            f"| {r['size'] / 1e6:.1f} MB | {r['peak_mb']:.0f} MB | {r['peak_mb'] - r['base_mb']:.0f} MB |"
        )
    big = results[-1]
    per_row = big["seconds"] / max(big["rows"], 1)
    lines += [
        "",
        f"Extrapolated to 2,000,000 rows (a real province): about {per_row * 2_000_000 / 60:.0f} minutes in the worker,"
        f" a file of about {big['size'] / max(big['rows'], 1) * 2_000_000 / 1e6:.0f} MB in two sheets, and the same"
        f" peak memory as above (about {big['peak_mb']:.0f} MB): it does not grow with the rows, because rows"
        " are read 2,000 at a time and each sheet is written to a temporary file as it goes; the finished file is"
        " stored in the database in 4 MB pieces and streamed to the browser one piece at a time.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
