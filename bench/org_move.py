"""`make bench`: 组织迁移 (SPEC U4) of a subtree of 10,000 organisations.

Timed is the final approval, `orgchanges.migration.migration_approve` by the new
superior's admin, as the page and the API run it: the conditional status
update, the row locks, the re-check of the tree rules, the one UPDATE of
every path and depth in the subtree, the parent and numchild updates, the
steps of its approval process and the audit rows. The subtree (a 基层团委 → 9 分团委 → 90 团总支 → 9,900
团支部, with about 22,000 members and 180 cadres) is built with bulk_create, then
moved back and forth between two leading bodies a level apart. After every
move every path, depth and parent is checked, the progress figures (进度监督)
equal a full recount, and the old and new superiors' totals changed by
exactly the subtree's totals.

SQLite by default (a throwaway file, bench/.bench-move.sqlite3, removed afterwards); PostgreSQL when
DATABASE_URL says so (what the run created is deleted afterwards). Results
are printed and written into BENCHMARKS.md, one section per engine.

    .venv/bin/python bench/org_move.py [--runs 3] [--shape 9 10 110] [--no-write]

--shape sets the subtree (分团委, 团总支 each, 团支部 each; e.g. `--shape 2 2 5` for a quick check).
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
    from people import services as people_services
    from people.admins import org_admin_add
    from people.models import AccountState

    person = people_services.person_create(
        data={"name": name, "id_number": make_id_number("19900101"), "political_status": "团员",
              "league_join_date": "2004-09", "mobile": "13812345678"},
        password=None, account_state=AccountState.INITIAL,
    )  # fmt: skip
    people_services.cadre_assign(person=person, org=org, position="书记")
    org_admin_add(org=org, person=person)
    return person


def populate(top, stamp: str) -> int:
    """Members and cadres for the subtree, inserted in bulk as demo/generator.py writes them.

    Two members in every branch and a third in every fifth (so some branches
    complete member entry, S3), one in four without a mobile; two cadres for
    every 团总支 (S2). ID numbers come from a region and birth dates no other
    data uses, shifted by the run's stamp. Returns how many people were inserted.
    """
    import itertools

    from core.validators import id_check_char
    from orgs.models import Org
    from orgs.rules import Category
    from people.models import AccountState, Cadre, Person

    in_subtree = Org.objects.filter(Org.subtree_q(top.path))
    branches = list(in_subtree.filter(category=Category.BRANCH).order_by("path").values_list("id", flat=True))
    generals = list(in_subtree.filter(category=Category.GENERAL).order_by("path").values_list("id", flat=True))
    base = dt.date(1980, 1, 1) + dt.timedelta(days=(int(stamp) % 200) * 40)
    serial = itertools.count()

    def person(branch_id: int | None) -> Person:
        k = next(serial)
        birth = base + dt.timedelta(days=k // 1000)
        first17 = f"110108{birth:%Y%m%d}{k % 1000:03d}"
        p = Person(
            name=f"迁移测试{k}", id_number=first17 + id_check_char(first17), ethnicity="汉族", political_status="团员",
            league_join_date=dt.date(birth.year + 14, 9, 1), education="大学本科", occupation="学生",
            mobile="" if k % 4 == 0 else "13812345678", branch_id=branch_id, account_state=AccountState.INITIAL,
            must_change_password=True, password="!",
        )  # fmt: skip
        p.sync_derived_fields()
        return p

    people = [person(b) for n, b in enumerate(branches) for _ in range(3 if n % 5 == 0 else 2)]
    cadres = [(person(None), g) for g in generals for _ in range(2)]
    Person.objects.bulk_create(people + [p for p, _ in cadres], batch_size=2000)
    Cadre.objects.bulk_create([Cadre(person_id=p.id, org_id=g, position="委员") for p, g in cadres], batch_size=2000)
    return len(people) + len(cadres)


def totals_of(*org_ids: int) -> dict[int, dict]:
    from progress.models import TOTALS, OrgStats

    return {row["org_id"]: row for row in OrgStats.objects.filter(org_id__in=org_ids).values("org_id", *TOTALS)}


def check_stats(top, src, dst, root, before: dict[int, dict]) -> None:
    """The figures equal a full recount; each superior gained (or lost) exactly the moved subtree's totals."""
    from orgs.models import Org
    from progress.aggregates import stats_recount
    from progress.models import TOTALS

    diffs = stats_recount()
    assert diffs == [], diffs[:5]
    after = totals_of(top.id, src.id, dst.id, root.id)
    moved = after[top.id]
    assert moved == before[top.id], (moved, before[top.id])  # the subtree's own totals travel unchanged
    src, dst = Org.objects.get(pk=src.id), Org.objects.get(pk=dst.id)
    for org in (src, dst, root):
        # +1 for the new superior and its ancestors, -1 for the old one's; an ancestor of both: 0.
        sign = int(dst.path.startswith(org.path)) - int(src.path.startswith(org.path))
        for field in TOTALS:
            change = after[org.id][field] - before[org.id][field]
            assert change == sign * moved[field], (org.short_name, field, change, sign * moved[field])
    assert moved["members"] > 0 and moved["branches_complete"] > 0 and moved["cadre_orgs_complete"] > 0, moved


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--shape",
        type=int,
        nargs=3,
        metavar=("COMMITTEES", "GENERALS", "BRANCHES"),
        default=[SHAPE["committees"], SHAPE["generals"], SHAPE["branches"]],
        help="分团委 in the subtree, 团总支 in each, 团支部 in each (default 9 10 110: 10,000 organisations)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    args = parser.parse_args()
    SHAPE.update(zip(("committees", "generals", "branches"), args.shape, strict=True))
    setup_django()

    from django.db import connection

    from demo.subtree import build_subtree, subtree_size
    from orgchanges.migration import migration_apply, migration_approve
    from orgs import services as org_services
    from orgs.models import Org
    from orgs.rules import Category
    from progress.aggregates import stats_recount, stats_refresh

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
        t0 = time.perf_counter()
        people = populate(top, stamp)
        stats_refresh(Org.objects.filter(Org.subtree_q(top.path)).values_list("id", flat=True))
        t_people = time.perf_counter() - t0
        admins = {o.id: admin_of(o, f"管理员{n}") for n, o in enumerate([*sides, top])}
        check(top.id, sides[0].id, size)
        assert stats_recount() == []
        print(
            f"built {size:,} organisations in {t_build:.2f} s; {people:,} people and their figures in {t_people:.2f} s"
        )
        times = []
        for run in range(args.runs):
            src, dst = sides[run % 2], sides[(run + 1) % 2]
            m = migration_apply(org=top, to_parent=dst, reason="性能测试", actor=admins[top.id])
            m = migration_approve(migration=m, actor=admins[src.id])
            before = totals_of(top.id, src.id, dst.id, root.id)
            t0 = time.perf_counter()
            migration_approve(migration=m, actor=admins[dst.id])
            times.append(time.perf_counter() - t0)
            check(top.id, dst.id, size)
            check_stats(top, src, dst, root, before)
            print(f"run {run + 1}: moved {size:,} organisations in {times[-1]:.3f} s")
        med = statistics.median(times)
        print(f"{engine}: build {t_build:.2f} s; move of {size:,} organisations, median of {args.runs}: {med:.3f} s")
        if not args.no_write:
            write_section(engine, size, args.runs, t_build, med, times, people)
    finally:
        if engine == "postgresql":
            cleanup(created)
        else:
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)


def cleanup(sides) -> None:
    from django.db import transaction

    from orgs.models import Org, OrgAdmin, OrgMigration
    from people.models import Cadre, Person
    from workflow.models import Process

    with transaction.atomic():
        q = Org.subtree_q(sides[0].path) | Org.subtree_q(sides[1].path)
        ids = list(Org.objects.filter(q).values_list("id", flat=True))
        # The migrations' approval processes (their steps and messages go with them).
        processes = list(OrgMigration.objects.filter(org_id__in=ids).values_list("process_id", flat=True))
        OrgMigration.objects.filter(org_id__in=ids).delete()
        Process.objects.filter(pk__in=processes).delete()
        people = set(OrgAdmin.objects.filter(org_id__in=ids).values_list("person_id", flat=True))
        people |= set(Cadre.objects.filter(org_id__in=ids).values_list("person_id", flat=True))
        OrgAdmin.objects.filter(org_id__in=ids).delete()
        Cadre.objects.filter(org_id__in=ids).delete()
        Person.objects.filter(pk__in=people).delete()
        Person.objects.filter(branch_id__in=ids).delete()
        for depth in sorted(set(Org.objects.filter(q).values_list("depth", flat=True)), reverse=True):
            Org.objects.filter(q, depth=depth).delete()
        Org.objects.filter(pk=sides[0].parent_id).update(
            numchild=Org.objects.filter(parent_id=sides[0].parent_id).count()
        )


def write_section(
    engine: str, size: int, runs: int, t_build: float, med: float, times: list[float], people: int
) -> None:
    m = machine()
    title = f"## Organisation migration, {size:,}-organisation subtree, {'PostgreSQL' if engine == 'postgresql' else 'SQLite'}"
    body = f"""{title}

Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `make bench` (bench/org_move.py), median of {runs} runs.
Machine: `{m["uname"]}`, {m["nproc"]} CPUs, Python {m["python"]}.
Subtree: 1 基层团委 → {SHAPE["committees"]} 分团委 → {SHAPE["committees"] * SHAPE["generals"]} 团总支 → {SHAPE["committees"] * SHAPE["generals"] * SHAPE["branches"]:,} 团支部 with {people:,} people (2 or 3 members a branch, some incomplete, 2 cadres a 团总支), moved back and forth between two leading bodies a level apart (paths and depths rewritten); after every move the progress figures equal a full recount and each superior's totals changed by exactly the subtree's.

| step | seconds |
|---|---|
| **final approval (`migration_approve` by the new superior): re-check, lock, move {size:,} paths and depths, process step, audit** | **{med:.3f}** |
| each run | {", ".join(f"{t:.3f}" for t in times)} |
| building the subtree with bulk_create (not part of the move) | {t_build:.2f} |
"""
    report.write_section(title, body)


if __name__ == "__main__":
    main()
