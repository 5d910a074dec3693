"""`make bench-load`: concurrent simulated admins (locust) against the production set-up.

With --database-url (make bench-postgres passes the PostgreSQL province of bench/province_db.py) that
database is served as it is; the load's writes (members' mobiles) stay in it. Otherwise a copy of the big SQLite database of bench/progress_page.py (BENCH_PROGRESS_SQLITE,
default bench/.bench-progress.sqlite3; the original is never written) is served
by gunicorn (2 workers, 127.0.0.1:8099) with DEBUG off, production secrets,
static files collected into staticfiles/ and served by WhiteNoise. Locust runs
headless for --seconds at each concurrency in --users; throughput, p50/p95/p99
and errors go to BENCHMARKS.md.

The database was seeded with the development PII keys, so the same key values
are passed explicitly (with other keys no ID number would decrypt or match).

    .venv/bin/python bench/load.py [--users 5 10 20 40] [--seconds 60] [--warmup 0] [--no-write]

--warmup N counts the figures from N seconds into each level (the rest of --seconds), once every simulated admin
has logged in: the load sustained, without the rush of logins at the start.
"""

import argparse
import csv
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report
from progress_page import ROOT, SQLITE_FILE
from report import machine

BIN = Path(sys.executable).parent
COPY = Path(os.environ.get("BENCH_LOAD_SQLITE", "/tmp/bench-load.sqlite3"))
WORK = COPY.parent / "bench-load"
PORT = 8099
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-load-run-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "PII_ENCRYPTION_KEYS": "ZGV2LW9ubHktcGlpLWtleS0wMDAwMDAwMDAwMDAwMDA=",
    "PII_HASH_KEY": "dev-only-pii-hash-key",
    "DATABASE_URL": f"sqlite:///{COPY}",
    "TASKS_IMMEDIATE": "1",
    # Production refuses several processes without a shared cache (config/settings.py): the machine's Redis.
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"),
    "ADMIN_TOTP_REQUIRED": "0",  # the simulated admins have no authenticators; the pages measured are the same
}


def copy_database() -> None:
    if not SQLITE_FILE.exists():
        raise SystemExit(f"{SQLITE_FILE} does not exist: run `make bench-progress` first (it seeds it)")
    print(f"copying {SQLITE_FILE} → {COPY} …", flush=True)
    for stale in (COPY, Path(f"{COPY}-wal"), Path(f"{COPY}-shm")):
        stale.unlink(missing_ok=True)
    src, dst = sqlite3.connect(SQLITE_FILE), sqlite3.connect(COPY)
    with dst:
        src.backup(dst)
    src.close(), dst.close()


def admins_file() -> Path:
    """Seeded admins who still have the demo password: a province, a university, branches with members."""
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from demo.generator import DEMO_PASSWORD, UNIVERSITIES
    from orgs.models import Category, Org, OrgAdmin
    from people.models import Person

    uni = Org.objects.get(short_name=f"{UNIVERSITIES[0][0]}团委")
    posts = OrgAdmin.objects.select_related("person", "org")
    demo_hash = next(
        p.person.password for p in posts.filter(org=uni) if p.person.check_password(DEMO_PASSWORD)
    )  # the seed hashes the demo password once, so every untouched admin has this very string
    chosen = [p for p in posts.filter(org__depth=2, person__password=demo_hash)[:1]]
    chosen += [p for p in posts.filter(org=uni, person__password=demo_hash)[:1]]
    chosen += list(posts.filter(org__category=Category.BRANCH, person__password=demo_hash).order_by("org__path")[:40])
    admins = []
    for post in chosen:
        branch = post.org.id if post.org.category == Category.BRANCH else None
        ids = list(Person.objects.filter(branch_id=branch).values_list("id", flat=True)[:20]) if branch else []
        below = Person.objects.filter(branch__path__startswith=post.org.path).exclude(branch=None)
        list_branch = branch or below.values_list("branch_id", flat=True).first()
        admins.append(
            {
                "role": f"admin of {post.org.short_name}",
                "id_number": post.person.id_number,
                "password": DEMO_PASSWORD,
                "org_id": post.org.id,
                "branch_id": branch,
                "list_branch_id": list_branch,
                "member_ids": ids,
            }
        )
    WORK.mkdir(exist_ok=True)
    path = WORK / "admins.json"
    path.write_text(json.dumps(admins))
    print(f"{len(admins)} simulated admins (1 province, 1 university, {len(admins) - 2} branches)")
    return path


def wait_up() -> None:
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=5)
            return
        except OSError:
            time.sleep(1)
    raise SystemExit("gunicorn did not come up")


def run_level(users: int, seconds: int, env: dict, warmup: int = 0) -> dict:
    prefix = WORK / f"u{users}"
    env = env | {"BENCH_LOAD_TIMES": f"{prefix}_times.json", "BENCH_LOAD_WARMUP": str(warmup)}
    subprocess.run(
        [BIN / "locust", "-f", ROOT / "bench" / "locustfile.py", "--headless",
         "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{PORT}", "--csv", str(prefix), "--only-summary"],
        env=env, cwd=ROOT, check=False,
    )  # fmt: skip
    return parse(users, prefix)


def parse(users: int, prefix: Path) -> dict:
    with open(f"{prefix}_stats.csv") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    pages = [r for r in rows if r["Name"] != "Aggregated" and "login" not in r["Name"] and int(r["Request Count"])]
    worst = max(pages, key=lambda r: float(r["95%"]))
    times = sorted(json.loads(Path(f"{prefix}_times.json").read_text()))

    def pct(q: float) -> str:
        return f"{times[min(len(times) - 1, round(q * len(times)) - 1)]:.0f}"

    return {
        "load": os.getloadavg()[0],  # the machine is shared: what else ran shows here
        "users": users,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": total["50%"],
        "p95": total["95%"],
        "p99": total["99%"],
        "worst": f"{worst['Type']} {worst['Name']} ({worst['95%']} ms)",
        "pages": f"{pct(0.5)} / {pct(0.95)} / {pct(0.99)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, nargs="+", default=[5, 10, 20, 40])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--warmup", type=int, default=0, help="seconds at the start of each level left out of the figures"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_LOAD_DATABASE_URL", ""),
        help="serve this database (e.g. the PostgreSQL province of bench/province_db.py) instead of a SQLite copy",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.database_url:
        ENV["DATABASE_URL"] = args.database_url
    else:
        copy_database()
    admins = admins_file()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | ENV
    env["BENCH_LOAD_ADMINS"] = str(admins)
    load_before = os.getloadavg()[0]
    subprocess.run([BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    server = subprocess.Popen(
        [BIN / "gunicorn", "config.wsgi", "-w", str(args.workers), "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        wait_up()
        static = urllib.request.urlopen(f"http://127.0.0.1:{PORT}/static/css/app.css", timeout=5)
        print(f"static file through WhiteNoise: {static.status}, {static.headers.get('Cache-Control')}")
        results = []
        for users in args.users:
            r = run_level(users, args.seconds, env, args.warmup)
            print(r, flush=True)
            results.append(r)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not args.no_write:
        write_section(results, args.seconds, args.workers, admins, args.warmup, load_before)


def write_section(results, seconds, workers, admins, warmup: int = 0, load_before: float | None = None) -> None:
    import django.db

    engine = django.db.connection.vendor
    members = __import__("people.models", fromlist=["Person"]).Person.objects.exclude(branch=None).count()
    database = (
        f"the PostgreSQL province database of `make bench-province` ({members:,} members)"
        if engine == "postgresql"
        else f"a copy of the {members:,}-member SQLite database of `make bench-progress`"
    )
    n_admins = len(json.loads(Path(admins).read_text()))
    m = machine()
    title = f"## Load: concurrent simulated admins (locust, gunicorn, DEBUG off), {'PostgreSQL' if engine == 'postgresql' else 'SQLite'}"
    rows = "\n".join(
        f"| {r['users']} | {r['requests']:,} | {r['rps']:.1f} | {r['p50']} | {r['p95']} | {r['p99']} |"
        f" {r['failures']} | {r['pages']} | {r['worst']} | {r['load']:.1f} |"
        for r in results
    )
    counted = counted_text(seconds, warmup)
    loads = (
        f"Load average (1 min) before the run {load_before:.1f}; at the end of each level in the last column, which counts"
        f" the run's own processes ({workers} workers, PostgreSQL, locust) on the 2 CPUs, and anything else running."
        if load_before is not None
        else ""
    )
    body = f"""{title}

Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `make bench-load` (bench/load.py, bench/locustfile.py).
Machine: `{m["uname"]}`, {m["nproc"]} CPUs, Python {m["python"]}.
Server: `gunicorn config.wsgi -w {workers} --bind 127.0.0.1:{PORT}`, DEBUG=0, production secrets, static files collected
and served by WhiteNoise, on {database}.
Load generator (locust, headless, on the same 2 CPUs) for {seconds} s per level: each simulated admin (one of {n_admins} seeded
demo admins of a province, a university or a branch) logs in once by the form and once by the API, then waits
0.5–2 s between requests: 管理中心 home 4, member list 4, own organisation's member list (a committee: its whole
subtree) 2, progress 3, transfer list 2, API list 2, a member's
mobile saved through the API 1 (writes on the admin's own branch). Province and university admins open
the member list of a branch below them and the API list of their children.

| users | requests | req/s | p50 ms | p95 ms | p99 ms | errors | apart from the logins: p50 / p95 / p99 ms | slowest p95 apart from the logins | load average (1 min) at the end |
|---|---|---|---|---|---|---|---|---|---|
{rows}

{counted}
{loads}
"""
    report.write_section(title, body)


def counted_text(seconds: int, warmup: int) -> str:
    if warmup:
        return f"""The figures count from {warmup} s into each level (`--warmup {warmup}`), once every simulated admin has
logged in twice (users ramp up over 5 s; Argon2id, about 20 ms of CPU a login): the last {seconds - warmup} s of
steady load, requests and req/s of those seconds only; the logins' rush at the start is left out."""
    return f"""Logins (Argon2id, about 20 ms of CPU each) are included in p50/p95/p99; in a {seconds} s run every simulated admin
logs in twice at the start (users ramp up over 5 s), so the logins weigh on the aggregate tail: the last two
columns give the figures of every other request and the slowest page or API call apart from the logins."""


if __name__ == "__main__":
    main()
