"""`make bench-topology`: the topology broken on purpose under load, and its scaling figures (issue 15, items 4–5).

Runs against what `make topology` started (deploy/topology.py), with locust (bench/locust_topology.py, the
deadline-rush mix) against nginx on loopback, bounded in time. For each failure drill the load runs for
--seconds; the event happens --event-at seconds in:

1. kill one app server (SIGKILL to its gunicorn master and workers; restarted 15 s later, as a supervisor would);
2. kill the background worker running a 5,000-row import, mid-import (restarted 15 s later);
3. restart the standby (pg_ctl restart);
4. restart Redis (shutdown and start; it keeps an append-only file);
5. stop the primary and promote the standby; PgBouncer is re-pointed by its configuration (RELOAD); the old
   primary is then made a standby of the new one with pg_basebackup.

For each: the errors users saw from the event to the end of the run, the time from the event to the last error
(the time to recover), and afterwards the checks: every accepted mobile save is in the database (the ledger of
bench/locust_topology.py), every import is complete (each job done, its rows all there once) and the progress
figures equal their recount (`progress_recount`). Then the scaling runs: 1, 2 and 4 app servers, reads on the
standby or not, at --scale-users. Everything goes to BENCHMARKS.md.

    .venv/bin/python bench/topology_drills.py [--users 60] [--seconds 90] [--event-at 30]
        [--only drills|scaling] [--scale-users 80 160] [--no-write]
"""

import argparse
import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "deploy"))
import pgcluster  # noqa: E402
import report  # noqa: E402
import topology  # noqa: E402
from report import machine  # noqa: E402

WORK = topology.STATE / "bench"
BIN = Path(sys.executable).parent
HOST = f"http://127.0.0.1:{topology.HTTP_PORT}"
IMPORTERS, FILES_EACH, ROWS_EACH, DRILL_ROWS = 4, 6, 600, 5000


# ---- the accounts and files the load uses ---------------------------------------------------------------------


def django_setup() -> None:
    os.environ.update(topology.app_env())
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def accounts() -> dict:
    """admins (bench/load.py's choice), members with the demo password, importers with their prepared files."""
    import load

    load.ENV.clear()
    load.ENV.update(topology.app_env())
    load.WORK = WORK
    WORK.mkdir(parents=True, exist_ok=True)
    admins_path = load.admins_file()
    from demo.generator import DEMO_PASSWORD
    from orgs.models import Category, OrgAdmin
    from people.models import Person

    admins = json.loads(admins_path.read_text())
    demo_hash = next(
        p.password for p in Person.objects.filter(admin_posts__isnull=False)[:50] if p.check_password(DEMO_PASSWORD)
    )
    taken = {a["org_id"] for a in admins}
    members = Person.objects.filter(password=demo_hash, admin_posts__isnull=True).exclude(branch=None)[:300]
    members_path = WORK / "members.json"
    members_path.write_text(json.dumps([{"id_number": p.id_number, "password": DEMO_PASSWORD} for p in members]))
    branch_posts = (
        OrgAdmin.objects.filter(org__category=Category.BRANCH, person__password=demo_hash)
        .exclude(org_id__in=taken)
        .select_related("person", "org")
        .order_by("-org__path")
    )
    chosen, seen = [], set()
    for post in branch_posts[:50]:
        if post.org_id not in seen:
            seen.add(post.org_id)
            chosen.append(post)
        if len(chosen) == IMPORTERS + 1:
            break
    plans = []
    # New people every run (a file imported before would be skipped whole), each file set with development numbers
    # of its own (nationally unique: two sets sharing one would refuse each other's rows).
    run = int(time.time()) % 900
    for n, post in enumerate(chosen[:IMPORTERS]):
        files = import_files(post, FILES_EACH, ROWS_EACH, seed=run * 10 + n, dev_base=run * 100_000 + n * 10_000,
                             tag=f"i{n}")  # fmt: skip
        plans.append({"id_number": post.person.id_number, "password": DEMO_PASSWORD, "branch_id": post.org_id,
                      "files": [str(f) for f in files]})  # fmt: skip
    imports_path = WORK / "imports.json"
    imports_path.write_text(json.dumps(plans))
    drill = chosen[IMPORTERS]
    drill_file = import_files(drill, 1, DRILL_ROWS, seed=run * 10 + 9, dev_base=run * 100_000 + 90_000, tag="drill")[0]
    return {
        "admins": admins_path, "members": members_path, "imports": imports_path, "admin_count": len(admins),
        "drill": {"id_number": drill.person.id_number, "password": DEMO_PASSWORD, "branch_id": drill.org_id,
                  "file": drill_file},
    }  # fmt: skip


def import_files(post, count: int, rows_each: int, *, seed: int, dev_base: int, tag: str) -> list[Path]:
    """Member files for `post`'s branch that the import accepts whole: generated rows, checked by a dry run of
    the real import (rows whose person exists elsewhere in the database are dropped), split into files."""
    from imports.importers.members import member_import
    from people.tests.member_rows import member_rows, write_xlsx

    rows = member_rows(int(count * rows_each * 1.05) + 20, seed=seed, dev_base=dev_base)
    report_ = member_import(branch=post.org, file_or_rows=write_xlsx(rows), actor=post.person, dry_run=True)
    bad = {r["row"] for r in report_.as_dict()["failed"]}
    good = [row for i, row in enumerate(rows, start=2) if i not in bad] if bad else rows
    paths = []
    for k in range(count):
        path = WORK / f"{tag}-{k}.xlsx"
        path.write_bytes(write_xlsx(good[k * rows_each : (k + 1) * rows_each]))
        paths.append(path)
    return paths


# ---- load --------------------------------------------------------------------------------------------------


def start_load(users: int, seconds: int, tag: str, acc: dict, ledger: Path | None = None) -> subprocess.Popen:
    prefix = WORK / tag
    for old in WORK.glob(f"{tag}_*.csv"):
        old.unlink()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
        "BENCH_LOAD_ADMINS": str(acc["admins"]),
        "BENCH_MEMBERS": str(acc["members"]),
        "BENCH_IMPORTS": str(acc["imports"]),
        "BENCH_LOAD_TIMES": f"{prefix}_times.json",
        "BENCH_LEDGER": str(ledger or ""),
    }
    return subprocess.Popen(
        [BIN / "locust", "-f", ROOT / "bench" / "locust_topology.py", "Admin", "Member", "Importer", "Committee",
         "--headless", "-u", str(users), "-r", str(max(2, users // 4)), "-t", f"{seconds}s", "--host", HOST,
         "--csv", str(prefix), "--csv-full-history", "--only-summary", "--stop-timeout", "5"],
        env=env, cwd=ROOT / "bench", stdout=subprocess.DEVNULL, stderr=open(f"{prefix}.log", "w"),
    )  # fmt: skip


def summary(tag: str, event_at: float | None = None) -> dict:
    prefix = WORK / tag
    with open(f"{prefix}_stats.csv") as f:
        total = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    times = sorted(json.loads(Path(f"{prefix}_times.json").read_text()) or [0])
    out = {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(times[len(times) // 2]),
        "p95": float(times[min(len(times) - 1, int(0.95 * len(times)))]),
    }
    if event_at is not None:
        history = []
        with open(f"{prefix}_stats_history.csv") as f:
            for r in csv.DictReader(f):
                if r["Name"] == "Aggregated":
                    history.append((float(r["Timestamp"]), int(r["Total Failure Count"])))
        # A row stamped T (whole seconds) counts what happened up to T + 1.
        before = max((fails for ts, fails in history if ts + 1 <= event_at), default=0)
        after = history[-1][1] if history else 0
        rises = zip(history[1:], history, strict=False)
        last_error = max((ts + 1 for (ts, fails), (_, prev) in rises if fails > prev), default=None)
        out["errors_in_event"] = after - before
        out["recovered_after"] = max(0.0, last_error - event_at) if last_error and after > before else 0.0
        with open(f"{prefix}_failures.csv") as f:
            kinds = sorted(csv.DictReader(f), key=lambda r: -int(r["Occurrences"]))
        out["errors_seen"] = "; ".join(f"{r['Occurrences']}× {r['Method']} {r['Name']}: {r['Error'][:60]}"
                                       for r in kinds[:3])  # fmt: skip
    return out


# ---- checks afterwards ---------------------------------------------------------------------------------------


def check_ledger(path: Path) -> tuple[int, int]:
    """(accepted saves, saves lost): each person's mobile is the last accepted save, or one of the saves running
    at the same time as it (two admins of one branch may save the same person at once)."""
    from django.db import connections

    from people.models import Person

    connections.close_all()
    writes = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    by_person = defaultdict(list)
    for w in writes:
        by_person[w["person"]].append(w)
    stored = {p.pk: p.mobile for p in Person.objects.filter(pk__in=by_person).only("mobile")}
    lost = 0
    for person, saves in by_person.items():
        last = max(saves, key=lambda w: w["end"])
        allowed = {w["mobile"] for w in saves if w["end"] >= last["start"]}
        lost += stored.get(person) not in allowed
    return len(writes), lost


def check_imports(since: dt.datetime) -> tuple[int, int]:
    """(import jobs since `since`, jobs not done or not whole): a done job's rows are all in its branch."""
    from imports.models import ImportJob

    jobs = list(ImportJob.objects.filter(created_at__gte=since, dry_run=False))
    bad = sum(1 for j in jobs if j.status != ImportJob.Status.DONE or j.done != j.total)
    return len(jobs), bad


def check_recount() -> bool:
    result = subprocess.run([BIN / "python", "manage.py", "progress_recount"], env=topology.app_env(), cwd=ROOT,
                            capture_output=True, text=True)  # fmt: skip
    return result.returncode == 0 and "一致" in result.stdout


def wait_jobs_done(since: dt.datetime, seconds: float = 240) -> None:
    from django.db import connections

    from imports.models import ImportJob

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connections.close_all()
        open_jobs = ImportJob.objects.filter(created_at__gte=since).exclude(status__in=["已完成", "失败"])
        if not open_jobs.exists():
            return
        time.sleep(2)


# ---- the events ----------------------------------------------------------------------------------------------


def kill_app_server() -> str:
    topology.kill("app1", signal.SIGKILL, wait=5)
    time.sleep(15)
    topology.start_app(1)
    return "app1 killed (SIGKILL to master and workers); restarted 15 s later"


def restart_standby() -> str:
    r = topology.roles()
    s_dir, s_port = r["standby"]
    pgcluster.stop(topology.DATA / s_dir)
    pgcluster.start(topology.DATA / s_dir, s_port)
    streaming = pgcluster.streaming(s_port, 30)
    return f"standby restarted (pg_ctl stop -m fast, start); streaming again: {streaming}"


def restart_redis() -> str:
    topology.redis("shutdown")
    topology.redis_up()
    return "Redis shut down (append-only file written) and started"


def promote_standby() -> str:
    r = topology.roles()
    (p_dir, p_port), (s_dir, s_port) = r["primary"], r["standby"]
    pgcluster.stop(topology.DATA / p_dir)  # fast shutdown: the standby receives all WAL before it ends
    pgcluster.as_postgres(pgcluster.bindir() / "pg_ctl", "-D", topology.DATA / s_dir, "-w", "promote", quiet=True)
    topology.save_roles({"primary": (s_dir, s_port), "standby": (p_dir, p_port)})
    topology.pgbouncer_up()  # zhtj → the promoted node; RELOAD
    return f"primary :{p_port} stopped, standby :{s_port} promoted, PgBouncer re-pointed"


def kill_worker_mid_import(acc: dict) -> str:
    """Upload the 5,000-row file as its branch admin, wait until the import is under way, kill its worker."""
    import urllib.request

    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from people.models import Person

    drill = acc["drill"]
    drill["before"] = Person.objects.filter(branch_id=drill["branch_id"]).count()
    login = urllib.request.Request(f"{HOST}/api/v1/auth/login", method="POST", headers={"Content-Type": "application/json"},
                                   data=json.dumps({"id_number": drill["id_number"], "password": drill["password"]}).encode())  # fmt: skip
    token = json.loads(urllib.request.urlopen(login).read())["token"]
    boundary = "zhtjdrill"
    content = Path(drill["file"]).read_bytes()
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="drill.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
    upload = urllib.request.Request(
        f"{HOST}/api/v1/orgs/{drill['branch_id']}/people/import?dry_run=false", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    job = json.loads(urllib.request.urlopen(upload).read())["job_id"]
    from imports.models import ImportJob

    for _ in range(600):
        connections.close_all()
        state = ImportJob.objects.get(pk=job)
        if state.done > 0 or state.status == ImportJob.Status.DONE:
            break
        time.sleep(0.1)
    connections.close_all()
    task = DBTaskResult.objects.filter(args_kwargs__args=[job]).order_by("-enqueued_at").first()
    worker_id = (task.worker_ids or [""])[-1] if task else ""
    victim = next((f"worker{i}" for i in (1, 2) if worker_id and worker_id in
                   (topology.STATE / "logs" / f"worker{i}.log").read_text()), "worker1")  # fmt: skip
    done_at_kill = state.done
    topology.kill(victim, signal.SIGKILL, wait=5)
    time.sleep(15)
    topology.start_worker(int(victim[-1]))
    drill["job"] = job
    return (
        f"{victim} killed (SIGKILL) with import job {job} at {done_at_kill} of {state.total} rows; restarted 15 s later"
    )


def import_drill_result(acc: dict) -> str:
    from django.db import connections

    from imports.models import ImportJob
    from people.models import Person

    connections.close_all()
    job = ImportJob.objects.get(pk=acc["drill"]["job"])
    added = Person.objects.filter(branch_id=acc["drill"]["branch_id"]).count() - acc["drill"]["before"]
    finished = (job.finished_at - job.created_at).total_seconds() if job.finished_at else float("nan")
    return (f"job {job.status}: {job.report.get('created', 0)} created + {job.report.get('skipped', 0)} skipped "
            f"(already imported before the kill) of {job.total} rows; the branch gained {added} people; "
            f"finished {finished:.0f} s after the upload")  # fmt: skip


# ---- runs ----------------------------------------------------------------------------------------------------


def drill(name: str, event, acc: dict, users: int, seconds: int, event_at: int) -> dict:
    tag = "drill-" + name.split()[0] + name.split()[-1]
    ledger = WORK / f"{tag}-ledger.jsonl"
    ledger.unlink(missing_ok=True)
    since = dt.datetime.now(dt.UTC)
    print(f"\n== {name}: {users} users for {seconds} s, event at {event_at} s", flush=True)
    load = start_load(users, seconds, tag, acc, ledger)
    time.sleep(event_at)
    at = time.time()
    what = event()
    took = time.time() - at
    load.wait()
    wait_jobs_done(since)
    result = summary(tag, at)
    accepted, lost = check_ledger(ledger)
    jobs, bad_jobs = check_imports(since)
    result.update(name=name, what=what, event_seconds=took, accepted=accepted, lost=lost, jobs=jobs, bad_jobs=bad_jobs,
                  recount=check_recount())  # fmt: skip
    if "import" in name:
        result["what"] += "; " + import_drill_result(acc)
    print(result, flush=True)
    return result


def scaling(acc: dict, users_levels: list[int], seconds: int) -> list[dict]:
    results = []
    for servers in (1, 2, 4):
        for replica in (True, False):
            env = topology.app_env()
            if not replica:
                env["DATABASE_REPLICA_URL"] = ""
            for name in topology.app_names():
                topology.kill(name)
            for i in range(1, servers + 1):
                topology.start_app(i, env)
            for i in range(1, servers + 1):
                topology.wait_http(f"http://127.0.0.1:{topology.APP_PORT0 + i - 1}/accounts/login/")
            topology.nginx_up(servers)
            for users in users_levels:
                tag = f"scale-{servers}-{'replica' if replica else 'primary'}-{users}"
                print(f"\n== {tag}", flush=True)
                start_load(users, seconds, tag, acc).wait()
                r = summary(tag) | {"servers": servers, "replica": replica, "users": users}
                print(r, flush=True)
                results.append(r)
    for name in topology.app_names():  # back to the topology as `make topology` leaves it
        topology.kill(name)
    for i in (1, 2):
        topology.start_app(i)
    topology.nginx_up(2)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--event-at", type=int, default=30)
    parser.add_argument("--scale-users", type=int, nargs="+", default=[80, 160])
    parser.add_argument("--scale-seconds", type=int, default=45)
    parser.add_argument("--only", choices=["drills", "scaling"])
    parser.add_argument("--drill", default="", help="only the drills whose name contains this")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    django_setup()
    acc = accounts()
    drills, scale = [], []
    if args.only != "scaling":
        for name, event in [
            ("kill one app server", kill_app_server),
            ("kill a worker mid-import", lambda: kill_worker_mid_import(acc)),
            ("restart the standby", restart_standby),
            ("restart Redis", restart_redis),
            ("promote the standby after stopping the primary", promote_standby),
        ]:
            if args.drill in name:
                drills.append(drill(name, event, acc, args.users, args.seconds, args.event_at))
        if not pgcluster.streaming(topology.roles()["standby"][1], 5):
            print("making the old primary a standby of the new one (pg_basebackup)", flush=True)
            topology.standby_remake()
            topology.pgbouncer_up()
    if args.only != "drills":
        scale = scaling(acc, args.scale_users, args.scale_seconds)
    if not args.no_write:
        write_section(drills, scale, args)


def write_section(drills: list[dict], scale: list[dict], args) -> None:
    """Two sections of BENCHMARKS.md, each written only by a run that measured it (--only drills / scaling)."""
    from people.models import Person

    members = Person.objects.exclude(branch=None).count()
    m = machine()
    setting = (
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `make bench-topology` (bench/topology_drills.py, "
        "bench/locust_topology.py) against `make topology` (deploy/topology.py): nginx → gunicorn app servers "
        "(2 workers each) → PgBouncer → PostgreSQL 15 primary + streaming hot standby → Redis; two workers. "
        f"{members:,} members (seed_demo). Machine: `{m['uname']}`, {m['nproc']} CPUs, Python {m['python']}; "
        f"load average at the end {os.getloadavg()[0]:.1f}. Locust runs on the same 2 CPUs as every server, so every "
        "figure here is bound by two cores shared by the load generator, nginx, the app servers, PgBouncer, two "
        "PostgreSQL servers, Redis and the workers.\n\n"
        "The mix (the deadline rush): branch and committee admins reading 管理中心, member lists, progress and "
        "transfers and saving members' mobiles (weight 6), members logging in and reading their record and 评议 (3), "
        f"branch admins importing {ROWS_EACH}-row member files in the background and watching them (1), the "
        "province committee watching progress (1)."
    )
    if drills:
        lines = [
            "## Production topology: failure drills",
            "",
            setting,
            "",
            f'{args.users} simulated users, {args.seconds} s each, the event at {args.event_at} s. "Errors" count '
            "every failed request from the event to the end of the run; the last error is read from locust's "
            "one-second history.",
            "",
            "| event | what happened | the event took | requests | errors from the event on | last error (±1 s) | "
            "p95 (ms) | accepted saves / lost | imports / not whole | progress = recount |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for d in drills:
            lines.append(
                f"| {d['name']} | {d['what']} | {d['event_seconds']:.1f} s | {d['requests']:,} | "
                f"{d['errors_in_event']} | {d['recovered_after']:.1f} s | {d['p95']:.0f} | "
                f"{d['accepted']} / **{d['lost']}** | {d['jobs']} / **{d['bad_jobs']}** | "
                f"{'yes' if d['recount'] else '**no**'} |"
            )
        errors = [f"- {d['name']}: {d['errors_seen']}" for d in drills if d.get("errors_seen")]
        if errors:
            lines += ["", "Errors users saw, by kind (the most frequent three per drill):", "", *errors]
        report.write_section("## Production topology: failure drills", "\n".join(lines))
    if scale:
        lines = [
            "## Production topology: scaling",
            "",
            setting,
            "",
            f"{args.scale_seconds} s per run. Reads of lists and statistics from the standby or all from the primary "
            "(DATABASE_REPLICA_URL unset).",
            "",
            "| app servers | reads of lists and statistics | users | requests/s | p50 (ms) | p95 (ms) | errors |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in scale:
            lines.append(
                f"| {r['servers']} | {'standby' if r['replica'] else 'primary'} | {r['users']} | {r['rps']:.1f} | "
                f"{r['p50']:.0f} | {r['p95']:.0f} | {r['failures']} |"
            )
        report.write_section("## Production topology: scaling", "\n".join(lines))


if __name__ == "__main__":
    main()
