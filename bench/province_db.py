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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project (config, the apps)
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

    Each request is a process of the approval engine as transfers.services leaves it (kind 组织关系转接,
    subject person:<id>, the 提交申请 step, one step per side that approved, the step that closed it or
    the open step with no action), written in bulk: processes, their steps, then the requests. The
    kinds follow the states (an open 待转入方审批 is 办理转出 or 本人申请, 批量接转 is always done, 待分配团支部
    and a done request to a committee have a receiving committee); no messages are written.
    """
    import bisect
    import datetime as dt
    import random

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from orgs.models import Org, OrgAdmin
    from orgs.rules import Category
    from people.models import Person
    from transfers.models import Kind, Reason, Status, TransferRequest
    from transfers.services import ASSIGN_STEP, KIND, RECEIVER_STEP, SENDER_STEP
    from workflow.models import Action, Process, Step
    from workflow.models import Status as ProcessStatus

    if TransferRequest.objects.exists():
        return
    t0 = time.perf_counter()
    rng = random.Random(2026)
    orgs = {
        pk: (path, name, cat) for pk, path, name, cat in Org.objects.values_list("id", "path", "full_name", "category")
    }
    by_path = {path: pk for pk, (path, _, _) in orgs.items()}
    branch_paths = sorted((path, pk) for pk, (path, _, cat) in orgs.items() if cat == Category.BRANCH)
    paths_only = [p for p, _ in branch_paths]

    def branch_below(org_id: int) -> int | None:
        """The first 团支部 in the organisation's subtree (where a receiving committee places the member)."""
        path = orgs[org_id][0]
        i = bisect.bisect_left(paths_only, path)
        return branch_paths[i][1] if i < len(paths_only) and paths_only[i].startswith(path) else None

    branches = [(pk, name) for pk, (_, name, cat) in orgs.items() if cat == Category.BRANCH]
    committees = [(pk, name) for pk, (path, name, cat) in orgs.items()
                  if cat not in (Category.BRANCH, Category.PENDING) and len(path) >= 3 * Org.steplen
                  and branch_below(pk) is not None]  # fmt: skip
    targets = branches + committees
    admins: dict[int, int] = {}
    branch_admins: set[tuple[int, int]] = set()  # (branch, person): such a member cannot apply (person_is_admin)
    for org_id, person_id in OrgAdmin.objects.order_by("-slot").values_list("org_id", "person_id"):
        admins[org_id] = person_id  # the first slot wins
        branch_admins.add((org_id, person_id))

    def parent_of(org_id: int) -> int | None:
        return by_path.get(orgs[org_id][0][: -Org.steplen])

    def admin_of(org_id: int | None) -> int | None:
        """Who acts for the organisation: its admin, or for a 团支部 without one its direct superior's."""
        if org_id is None:
            return None
        if org_id in admins or orgs[org_id][2] != Category.BRANCH:
            return admins.get(org_id)
        return admins.get(parent_of(org_id))

    def common_superior(a: int, b: int) -> int | None:
        pa, pb = orgs[a][0], orgs[b][0]
        n = 0
        while n < min(len(pa), len(pb)) and pa[n] == pb[n]:
            n += 1
        return by_path.get(pa[: n - n % Org.steplen])

    statuses = [Status.DONE] * 55 + [Status.SENDER] * 15 + [Status.RECEIVER] * 12 + [Status.ASSIGN] * 5
    statuses += [Status.REJECTED] * 6 + [Status.WITHDRAWN] * 4 + [Status.RETURNED] * 3
    # The kinds a request in each state can have; 待分配团支部 only with a receiving committee.
    kinds = {Status.SENDER: [Kind.SELF, Kind.IN], Status.RECEIVER: [Kind.SELF, Kind.OUT], Status.DONE: list(Kind)}
    stage_of = {SENDER_STEP: Status.SENDER, RECEIVER_STEP: Status.RECEIVER, ASSIGN_STEP: Status.ASSIGN}
    agreed = {SENDER_STEP: "转出方同意", RECEIVER_STEP: "转入方同意", ASSIGN_STEP: "分配团支部"}
    final = {Status.DONE: ProcessStatus.APPROVED, Status.REJECTED: ProcessStatus.REJECTED,
             Status.WITHDRAWN: ProcessStatus.WITHDRAWN, Status.RETURNED: ProcessStatus.RETURNED}  # fmt: skip
    days = settings.TRANSFER_AUTO_RETURN_DAYS
    now = timezone.now()
    counter = 0

    def one(person_id: int, name: str, branch_id: int) -> tuple[Process, list[Step], TransferRequest]:
        nonlocal counter
        counter += 1
        status = rng.choice(statuses)
        kind = rng.choice(kinds.get(status, [Kind.SELF, Kind.IN, Kind.OUT]))
        pool = committees if status == Status.ASSIGN else branches if kind == Kind.BATCH else targets
        to_id, to_name = rng.choice(pool)
        while to_id == branch_id:
            to_id, to_name = rng.choice(pool)
        from_name = orgs[branch_id][1]
        to_branch = to_id if orgs[to_id][2] == Category.BRANCH else branch_below(to_id)
        # The sides that approve, in order (transfers.services): the sender, the receiver, the assignment.
        path = {Kind.SELF: [SENDER_STEP, RECEIVER_STEP], Kind.IN: [SENDER_STEP], Kind.OUT: [RECEIVER_STEP]}.get(
            kind, []
        )
        if kind != Kind.BATCH and orgs[to_id][2] != Category.BRANCH:
            path.append(ASSIGN_STEP)
        handler = {SENDER_STEP: (branch_id, from_name), RECEIVER_STEP: (to_id, to_name), ASSIGN_STEP: (to_id, to_name)}
        # The same days and minutes as before: created within the last 60 days, last moved at the day's start.
        created = now - dt.timedelta(days=counter % 60, minutes=counter % 997)
        moved = now - dt.timedelta(days=counter % 60)
        if status in stage_of.values():
            done, closing = path[: [stage_of[s] for s in path].index(status)], None
        elif status == Status.DONE:
            done, closing = path, None
            # Completed two days after the application (not in the future); 批量接转 at once.
            moved = created if kind == Kind.BATCH else min(created + dt.timedelta(days=2), now)
        else:
            # Withdrawn before anyone approved; rejected or auto-returned at any side.
            k = 0 if status == Status.WITHDRAWN else rng.randrange(len(path))
            done, closing = path[:k], path[k]
        starting = {Kind.OUT: branch_id, Kind.IN: to_id}.get(kind)
        if kind == Kind.BATCH:
            starting = common_superior(branch_id, to_id)
        starter = person_id if kind == Kind.SELF else admin_of(starting)
        is_open = status not in final
        process = Process(
            kind=KIND, title=f"{name}（{kind}）转入{to_name}"[:200],
            status=ProcessStatus.OPEN if is_open else final[status],
            subject_person_id=person_id, subject_name=name, subject_key=f"person:{person_id}", started_by_id=starter,
            starting_org_id=starting, created_at=created, updated_at=moved, closed_at=None if is_open else moved,
        )  # fmt: skip
        steps = [Step(
            number=0, name="提交申请", handler_person_id=starter, handler_org_id=starting,
            handler_name=(orgs[starting][1] if starting else name)[:200], opened_at=created, action=Action.SUBMIT,
            label=Kind.BATCH if kind == Kind.BATCH else f"提交（{kind}）", actor_id=starter, at=created,
        )]  # fmt: skip
        closed = len(done) + (closing is not None)
        opened = created
        for j, side in enumerate(done + ([closing] if closing else []), start=1):
            at = created + (moved - created) * j / closed
            org_id, org_name = handler[side]
            if side in done:
                action, label, actor = Action.APPROVE, agreed[side], admin_of(org_id)
                opinion = orgs[to_branch][1][:200] if side == ASSIGN_STEP else ""
            elif status == Status.REJECTED:
                action, label, actor, opinion = Action.REJECT, "驳回", admin_of(org_id), "材料不全，请补充后重新申请"
            elif status == Status.WITHDRAWN:
                action, label, actor, opinion = Action.WITHDRAW, "撤回", starter, ""
            else:
                action, label, actor, opinion = Action.TERMINATE, "超期自动退回", None, f"{days}天未处理"
            steps.append(Step(
                number=j, name=side, handler_org_id=org_id, handler_name=org_name[:200], opened_at=opened,
                starter_may_act=side == ASSIGN_STEP, action=action, label=label, actor_id=actor, at=at, opinion=opinion,
            ))  # fmt: skip
            opened = at
        if is_open:
            side = next(s for s in path if stage_of[s] == status)
            org_id, org_name = handler[side]
            steps.append(Step(number=len(steps), name=side, handler_org_id=org_id, handler_name=org_name[:200],
                              opened_at=opened, starter_may_act=side == ASSIGN_STEP))  # fmt: skip
        transfer = TransferRequest(
            person_id=person_id, kind=kind, reason=rng.choice(list(Reason)), status=status, from_branch_id=branch_id,
            from_name=from_name, to_org_id=to_id, to_name=to_name,
            to_branch_id=to_branch if status == Status.DONE else None,
            created_by_id=starter, completed_at=moved if status == Status.DONE else None,
            reviewed=bool(done) or status == Status.REJECTED or kind == Kind.BATCH,
        )  # fmt: skip
        return process, steps, transfer

    def flush(batch) -> None:
        Process.objects.bulk_create([p for p, _, _ in batch])  # ids come back (PostgreSQL, SQLite ≥ 3.35)
        for process, steps, transfer in batch:
            for step in steps:
                step.process_id = process.pk
            transfer.process_id = process.pk
        Step.objects.bulk_create([s for _, steps, _ in batch for s in steps], batch_size=10_000)
        TransferRequest.objects.bulk_create([t for _, _, t in batch])

    people = Person.objects.exclude(branch=None).values_list("id", "name", "branch_id").iterator(chunk_size=20_000)
    batch = []
    with transaction.atomic():
        for person_id, name, branch_id in people:
            if (
                rng.random() >= share
                or orgs[branch_id][2] != Category.BRANCH
                or (branch_id, person_id) in branch_admins
            ):
                continue
            batch.append(one(person_id, name, branch_id))
            if len(batch) == 5_000:
                flush(batch)
                batch = []
        flush(batch)
        with connection.cursor() as cursor:  # the requests' own times are their processes' (auto_now set them to now)
            cursor.execute(
                "UPDATE transfers_transferrequest SET created_at = p.created_at, updated_at = p.updated_at "
                "FROM workflow_process p WHERE p.id = transfers_transferrequest.process_id"
            )
    with connection.cursor() as cursor:
        for table in ("workflow_process", "workflow_step", "transfers_transferrequest"):
            cursor.execute(f"ANALYZE {table}")
    n = TransferRequest.objects.count()
    print(f"graduation season: {n:,} transfer requests (processes and steps) in {time.perf_counter() - t0:.0f} s")


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
