"""`make bench-partition`: partitioning by province, tried on the PostgreSQL bench province.

README "Running at national scale" proposes `PARTITION BY LIST (province_id)` for the tables that grow
with members. This tries it with stock PostgreSQL on the bench database (BENCH_PG_URL): people_person
is copied into `partition_try.person`, partitioned by the id of the province-level organisation (derived
from the branch's path, as the README says: its first 8 characters), with one partition for each
province-level organisation and three more for provinces that hold nobody yet; then the query behind
a committee's 下级团员 list (people.selectors.subtree_member_list: a subtree's members, branch by branch,
then by name) runs on the plain table and, with the province key added as the selectors would add it,
on the partitioned one. Reported: whether the planner pruned to the one partition, and both timings.
The copy is dropped afterwards; the application's tables are only read.

    .venv/bin/python bench/partition_try.py [--no-write]
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report
from province_db import BENCH_PG_URL
from report import machine

SCHEMA = "partition_try"
EMPTY_PROVINCES = (-1, -2, -3)  # partitions for provinces with no rows, so there is something to prune


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = BENCH_PG_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from demo.generator import UNIVERSITIES
    from orgs.models import Org

    provinces = list(Org.objects.filter(depth=2).values_list("id", "path"))
    uni = Org.objects.get(short_name=f"{UNIVERSITIES[0][0]}团委")
    province_id = next(pk for pk, path in provinces if uni.path.startswith(path))
    upper = uni.path + Org.alphabet[-1] * (Org._meta.get_field("path").max_length - len(uni.path))
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        build(cursor, provinces)
        build_seconds = time.perf_counter() - t0
        plain_sql = QUERY.format(table="people_person", province="")
        part_sql = QUERY.format(table=f"{SCHEMA}.person", province="AND p.province_id = %s")
        plain = timed(cursor, plain_sql, [uni.path, upper])
        part = timed(cursor, part_sql, [uni.path, upper, province_id])
        scanned = relations(cursor, part_sql, [uni.path, upper, province_id])
        same = rows(cursor, plain_sql, [uni.path, upper]) == rows(cursor, part_sql, [uni.path, upper, province_id])
        cursor.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    partitions = [r for r in scanned if r.startswith("person_")]
    print(f"copy and partition: {build_seconds:.0f} s; partitions scanned: {partitions}; same rows: {same}")
    print(f"plain table {plain:.1f} ms, partitioned {part:.1f} ms (median of 20)")
    assert same, "the partitioned table answered differently"
    if not args.no_write:
        write_section(len(provinces), build_seconds, partitions, plain, part, uni.short_name)


QUERY = """
SELECT p.id, p.name FROM {table} p JOIN orgs_org o ON o.id = p.branch_id
WHERE o.path >= %s AND o.path <= %s {province}
ORDER BY o.path, p.name, p.id LIMIT 50
"""


def build(cursor, provinces) -> None:
    cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    cursor.execute(f"CREATE SCHEMA {SCHEMA}")
    cursor.execute(
        f"CREATE TABLE {SCHEMA}.person (LIKE people_person INCLUDING DEFAULTS, province_id bigint NOT NULL) "
        "PARTITION BY LIST (province_id)"
    )
    for pk, _ in provinces:
        cursor.execute(f"CREATE TABLE {SCHEMA}.person_{pk} PARTITION OF {SCHEMA}.person FOR VALUES IN ({pk})")
    for n, pk in enumerate(EMPTY_PROVINCES):
        cursor.execute(f"CREATE TABLE {SCHEMA}.person_empty{n} PARTITION OF {SCHEMA}.person FOR VALUES IN ({pk})")
    # province_id from the first 8 characters of the branch's path: the province-level organisation.
    cursor.execute(
        f"INSERT INTO {SCHEMA}.person SELECT p.*, prov.id FROM people_person p "
        "JOIN orgs_org b ON b.id = p.branch_id JOIN orgs_org prov ON prov.path = substr(b.path, 1, 8)"
    )
    cursor.execute(f"CREATE INDEX ON {SCHEMA}.person (branch_id, name, id)")
    cursor.execute(f"ANALYZE {SCHEMA}.person")


def timed(cursor, sql, params) -> float:
    cursor.execute(sql, params)
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def rows(cursor, sql, params) -> list:
    cursor.execute(sql, params)
    return cursor.fetchall()


def relations(cursor, sql, params) -> list[str]:
    """The tables the plan reads."""
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []

    def walk(node):
        if "Relation Name" in node:
            found.append(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def write_section(n_provinces, build_seconds, partitions, plain, part, uni_name) -> None:
    m = machine()
    title = "## Partitioning by province, tried (PostgreSQL)"
    body = f"""{title}

Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `make bench-partition` (bench/partition_try.py) on the province database.
Machine: `{m["uname"]}`, {m["nproc"]} CPUs, Python {m["python"]}.
people_person copied into a table `PARTITION BY LIST (province_id)`, the province being the organisation named by the
first 8 characters of the branch's path: {n_provinces} partition(s) with the demo's people and {len(EMPTY_PROVINCES)} for provinces with none
(copy, partitioning and index: {build_seconds:.0f} s). The query is the one behind a committee's 下级团员 list
(the {uni_name}'s subtree, first page), with `province_id = …` added as the selectors would add it.

| what | result |
|---|---|
| partitions the planner reads | {", ".join(partitions) or "none"} (of {n_provinces + len(EMPTY_PROVINCES)}) |
| the same 50 rows as on the plain table | yes |
| plain table, median of 20 | {plain:.1f} ms |
| partitioned table, median of 20 | {part:.1f} ms |

One province's rows live in one partition, and the subtree query, given the province key, reads that partition
only: the property that lets each province go to its own partition, or to its own Citus worker.
"""
    report.write_section(title, body)


if __name__ == "__main__":
    main()
