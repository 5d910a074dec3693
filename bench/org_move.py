"""`make bench`: 组织迁移 (SPEC U4) of a subtree of 10,000 organisations.

Timed is the final approval, `orgs.migration.migration_approve` by the new
superior's admin, as the page and the API run it: the conditional status
update, the row locks, the re-check of the tree rules, the one UPDATE of
every path and depth in the subtree, the parent and numchild updates, the
event and audit rows. The subtree (a 基层团委 → 9 分团委 → 90 团总支 → 9,900
团支部) is built with bulk_create, then moved back and forth between two
leading bodies a level apart; after every move every path, depth and parent is checked.

SQLite by default (a throwaway file, bench/.bench-move.sqlite3, removed afterwards); PostgreSQL when
DATABASE_URL says so (what the run created is deleted afterwards). Results
are printed and written into BENCHMARKS.md, one section per engine.

    .venv/bin/python bench/org_move.py [--runs 3] [--no-write]
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SQLITE_FILE = ROOT / "bench" / ".bench-move.sqlite3"
SHAPE = {"committees": 9, "generals": 10, "branches": 110}  # 1 + 9 + 90 + 9,900 = 10,000


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

    settings.DEBUG = False
    call_command("migrate", verbosity=0)


def admin_of(org, name: str):
    from conftest import make_id_number
    from orgs.services import org_admin_add
    from people import services as people_services
    from people.models import AccountState

    person = people_services.person_create(
        data={"name": name, "id_number": make_id_number("19900101"), "political_status": "团员",
              "league_join_date": "2004-09", "mobile": "13812345678"},
        password=None, account_state=AccountState.INITIAL,
    )  # fmt: skip
    people_services.cadre_assign(person=person, org=org, position="书记")
    org_admin_add(org=org, person=person)
    return person


def check(top_id: int, parent_id: int, size: int) -> None:
    """Every organisation of the moved subtree sits under the new superior, with consistent levels."""
    from orgs.models import Org

    top, parent = Org.objects.get(pk=top_id), Org.objects.get(pk=parent_id)
    assert top.parent_id == parent.id and top.path[: -Org.steplen] == parent.path
    rows = list(Org.objects.filter(Org.subtree_q(top.path)).values_list("id", "path", "depth", "parent_id"))
    assert len(rows) == size, (len(rows), size)
    paths = {i: p for i, p, _, _ in rows}
    for i, path, depth, parent_ref in rows:
        assert depth == len(path) // Org.steplen
        if i != top.id:
            assert paths[parent_ref] == path[: -Org.steplen]


def machine() -> dict:
    def run(*cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    return {"uname": run("uname", "-a"), "nproc": run("nproc"), "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    args = parser.parse_args()
    setup_django()

    from django.db import connection

    from demo.subtree import build_subtree, subtree_size
    from orgs import services as org_services
    from orgs.migration import migration_apply, migration_approve
    from orgs.models import Org
    from orgs.rules import Category

    engine = connection.vendor
    size = subtree_size(**SHAPE)
    stamp = dt.datetime.now().astimezone().strftime("%H%M%S")
    root = Org.objects.filter(depth=1).first() or org_services.org_create_root(short_name="团中央")
    # Two leading bodies a level apart, so every move rewrites depths as well as paths.
    upper = org_services.org_create_child(parent=root, short_name=f"性能测试{stamp}省委", category=Category.LEADING,
                                          by_operator=True)  # fmt: skip
    lower = org_services.org_create_child(parent=upper, short_name="性能测试市委", category=Category.LEADING,
                                          by_operator=True)  # fmt: skip
    sides = [upper, lower]
    created = list(sides)
    try:
        t0 = time.perf_counter()
        top = build_subtree(sides[0], short_name="性能测试大学团委", **SHAPE)
        t_build = time.perf_counter() - t0
        admins = {o.id: admin_of(o, f"管理员{n}") for n, o in enumerate([*sides, top])}
        check(top.id, sides[0].id, size)
        times = []
        for run in range(args.runs):
            src, dst = sides[run % 2], sides[(run + 1) % 2]
            m = migration_apply(org=top, to_parent=dst, reason="性能测试", actor=admins[top.id])
            m = migration_approve(migration=m, actor=admins[src.id])
            t0 = time.perf_counter()
            migration_approve(migration=m, actor=admins[dst.id])
            times.append(time.perf_counter() - t0)
            check(top.id, dst.id, size)
            print(f"run {run + 1}: moved {size:,} organisations in {times[-1]:.3f} s")
        med = statistics.median(times)
        print(f"{engine}: build {t_build:.2f} s; move of {size:,} organisations, median of {args.runs}: {med:.3f} s")
        if not args.no_write:
            write_section(engine, size, args.runs, t_build, med, times)
    finally:
        if engine == "postgresql":
            cleanup(created)
        else:
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)


def cleanup(sides) -> None:
    from django.db import transaction

    from orgs.models import Org, OrgAdmin
    from people.models import Cadre, Person

    with transaction.atomic():
        q = Org.subtree_q(sides[0].path) | Org.subtree_q(sides[1].path)
        ids = list(Org.objects.filter(q).values_list("id", flat=True))
        people = list(OrgAdmin.objects.filter(org_id__in=ids).values_list("person_id", flat=True))
        OrgAdmin.objects.filter(org_id__in=ids).delete()
        Cadre.objects.filter(org_id__in=ids).delete()
        Person.objects.filter(pk__in=people).delete()
        for depth in sorted(set(Org.objects.filter(q).values_list("depth", flat=True)), reverse=True):
            Org.objects.filter(q, depth=depth).delete()
        Org.objects.filter(pk=sides[0].parent_id).update(
            numchild=Org.objects.filter(parent_id=sides[0].parent_id).count()
        )


def write_section(engine: str, size: int, runs: int, t_build: float, med: float, times: list[float]) -> None:
    m = machine()
    title = f"## Organisation migration, {size:,}-organisation subtree, {'PostgreSQL' if engine == 'postgresql' else 'SQLite'}"
    body = f"""{title}

Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `make bench` (bench/org_move.py), median of {runs} runs.
Machine: `{m["uname"]}`, {m["nproc"]} CPUs, Python {m["python"]}.
Subtree: 1 基层团委 → {SHAPE["committees"]} 分团委 → {SHAPE["committees"] * SHAPE["generals"]} 团总支 → {SHAPE["committees"] * SHAPE["generals"] * SHAPE["branches"]:,} 团支部, moved back and forth between two leading bodies a level apart (paths and depths rewritten).

| step | seconds |
|---|---|
| **final approval (`migration_approve` by the new superior): re-check, lock, move {size:,} paths and depths, events, audit** | **{med:.3f}** |
| each run | {", ".join(f"{t:.3f}" for t in times)} |
| building the subtree with bulk_create (not part of the move) | {t_build:.2f} |
"""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n\nFigures measured by `make bench`.\n"
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
