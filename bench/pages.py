"""`make bench-pages`: server-side latency of the pages and API calls admins use most.

On the big SQLite database of bench/progress_page.py (1,000,000 members; the
file named by BENCH_PROGRESS_SQLITE, default bench/.bench-progress.sqlite3,
seeded with `seed_demo --members N` when empty) or on DATABASE_URL. Each
request goes through Django's test client (middleware, session, view,
selector, template or JSON), logged in as the demo admin of the right level
(password Demo@2026; an admin whose password was changed is skipped). Median
and p95 over --calls requests after one warm-up; results go to BENCHMARKS.md.

    .venv/bin/python bench/pages.py [--members 1000000] [--calls 30] [--no-write]
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report
from progress_page import SQLITE_FILE, seed_if_empty, setup_django
from report import machine

LIMIT_MS = 200


def percentile(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def measure(fn, calls: int) -> tuple[float, float]:
    fn()  # warm-up
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        response = fn()
        times.append(time.perf_counter() - t0)
        assert response.status_code in (200, 302), (response.status_code, response.content[:300])
    return statistics.median(times) * 1000, percentile(times, 0.95) * 1000


def demo_admin(orgs):
    """The first admin of one of `orgs` who still logs in with the demo password."""
    from demo.generator import DEMO_PASSWORD
    from orgs.models import OrgAdmin

    for post in OrgAdmin.objects.filter(org__in=orgs).select_related("person", "org").order_by("org__path", "slot")[:8]:
        if post.person.is_active and not post.person.must_change_password and post.person.check_password(DEMO_PASSWORD):
            return post.person, post.org
    raise SystemExit(f"no admin with the demo password among {orgs!r}")


def rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    engine = setup_django()

    from django.test import Client

    from demo.generator import DEMO_PASSWORD, UNIVERSITIES
    from orgs.models import Category, Org
    from people.models import Person

    seeded = seed_if_empty(args.members)
    members = Person.objects.exclude(branch=None).count()
    orgs = Org.objects.count()
    print(f"{engine}: {orgs:,} organisations, {members:,} members", flush=True)

    root = Org.objects.get(depth=1)
    province = Org.objects.filter(depth=2).order_by("-numchild").first()
    root_admin, _ = demo_admin(Org.objects.filter(pk=root.pk))
    prov_admin, _ = demo_admin(Org.objects.filter(pk=province.pk))
    uni_admin, uni = demo_admin(Org.objects.filter(short_name=f"{UNIVERSITIES[0][0]}团委"))
    branch_admin, branch = demo_admin(Org.objects.filter(category=Category.BRANCH, path__startswith=uni.path))
    branch_members = Person.objects.filter(branch=branch).count()

    def client_for(person) -> Client:
        c = Client()
        c.force_login(person)
        return c

    # One client each, its cookies cleared before every login: a new Client() would build the whole
    # middleware stack again (WhiteNoise scanning the static files), which a server does once per process.
    form_client, api_client = Client(), Client()

    def login_post():
        form_client.cookies.clear()
        response = form_client.post("/accounts/login/", {"id_number": uni_admin.id_number, "password": DEMO_PASSWORD})
        assert response.status_code == 302, "the demo login failed"
        return response

    def api_login():
        api_client.cookies.clear()
        return api_client.post(
            "/api/v1/auth/login",
            {"id_number": uni_admin.id_number, "password": DEMO_PASSWORD},
            content_type="application/json",
        )

    token = api_login().json()["token"]
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    branch_api = Client().post(
        "/api/v1/auth/login",
        {"id_number": branch_admin.id_number, "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    branch_token = {"HTTP_AUTHORIZATION": f"Bearer {branch_api.json()['token']}"}
    uni_c, prov_c, root_c, branch_c = (client_for(p) for p in (uni_admin, prov_admin, root_admin, branch_admin))
    names = list(Person.objects.filter(branch__path__startswith=uni.path).values_list("name", flat=True)[:9])
    query = "\n".join([*names, uni_admin.id_number])
    uni_children = uni.numchild
    from progress.models import OrgStats

    uni_members = OrgStats.objects.get(org=uni).members
    deep_page = max(1, uni_members // 50 // 2)

    cases = [
        ("POST /accounts/login/ (password check, session)", login_post),
        ("POST /api/v1/auth/login (password check, token)", api_login),
        (f"管理中心 home /manage/, province admin ({province.short_name})", lambda: prov_c.get("/manage/")),
        ("管理中心 home /manage/, branch admin", lambda: branch_c.get("/manage/")),
        (
            f"member list of a branch /people/orgs/{{id}}/members/ ({branch_members} members)",
            lambda: branch_c.get(f"/people/orgs/{branch.id}/members/"),
        ),
        (
            "the same member list viewed by the province admin",
            lambda: prov_c.get(f"/people/orgs/{branch.id}/members/"),
        ),
        (
            "GET /api/v1/orgs/{id}/members of the branch",
            lambda: branch_c.get(f"/api/v1/orgs/{branch.id}/members", **branch_token),
        ),
        (
            f"member list of a university subtree /people/orgs/{{id}}/members/ ({uni_members:,} members, page 1)",
            lambda: uni_c.get(f"/people/orgs/{uni.id}/members/"),
        ),
        (
            f"the same, page {deep_page:,} of {max(1, -(-uni_members // 50)):,}",
            lambda: uni_c.get(f"/people/orgs/{uni.id}/members/?page={deep_page}"),
        ),
        (
            "the same, only the incomplete members (page 1)",
            lambda: uni_c.get(f"/people/orgs/{uni.id}/members/?complete=false"),
        ),
        (
            "GET /api/v1/orgs/{id}/members of the university (page 1 of its subtree)",
            lambda: uni_c.get(f"/api/v1/orgs/{uni.id}/members", **api),
        ),
        (
            f"member search POST /people/search/ ({len(names)} names + 1 ID number, university subtree)",
            lambda: uni_c.post("/people/search/", {"query": query}),
        ),
        (
            f"member search POST /people/search/ (the same, province subtree of {members:,} members)",
            lambda: prov_c.post("/people/search/", {"query": query}),
        ),
        (
            f"progress of the root /progress/orgs/{{id}}/orgs/ ({rows(root.numchild)})",
            lambda: root_c.get(f"/progress/orgs/{root.id}/orgs/"),
        ),
        (
            f"progress of a province /progress/orgs/{{id}}/orgs/ ({rows(province.numchild)})",
            lambda: prov_c.get(f"/progress/orgs/{province.id}/orgs/"),
        ),
        ("transfer list /transfers/, province admin", lambda: prov_c.get("/transfers/")),
        ("transfer list /transfers/, university admin", lambda: uni_c.get("/transfers/")),
        (
            f"GET /api/v1/orgs/{{id}}/children of a university ({uni_children} children)",
            lambda: uni_c.get(f"/api/v1/orgs/{uni.id}/children", **api),
        ),
    ]
    results = []
    for label, fn in cases:
        med, p95 = measure(fn, args.calls)
        results.append((label, med, p95))
        flag = "  OVER 200 ms" if p95 > LIMIT_MS else ""
        print(f"{med:8.1f} {p95:8.1f}  {label}{flag}", flush=True)
    if not args.no_write:
        write_section(engine, orgs, members, args.calls, results, seeded)


def write_section(engine, orgs, members, calls, results, seeded) -> None:
    m = machine()
    name = "PostgreSQL" if engine == "postgresql" else "SQLite"
    title = f"## Pages admins use most, {members:,} members, {name}"
    size = ""
    if engine == "sqlite":
        size = f", file {SQLITE_FILE.stat().st_size / 2**20:,.0f} MiB"
    seed = f"seeded in {seeded:.0f} s" if seeded is not None else "reused from an earlier run"
    rows = "\n".join(
        f"| {'**' + label + '** ⚠ over 200 ms' if p95 > LIMIT_MS else label} | {med:.1f} | {p95:.1f} |"
        for label, med, p95 in results
    )
    body = f"""{title}

Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by `make bench-pages` (bench/pages.py):
median and p95 of {calls} requests after one warm-up, through Django's test client (middleware, session,
view, selector, template or JSON), logged in as the demo admin of the right level.
Machine: `{m["uname"]}`, {m["nproc"]} CPUs (`nproc`), Python {m["python"]}.
Database: {orgs:,} organisations, {members:,} members{size} ({seed}).

| request | median ms | p95 ms |
|---|---|---|
{rows}

The two logins include the password hash (Argon2id, 19 MiB, 2 passes: accounts/hashers.py); a row is
over the 200 ms target only where marked ⚠.
"""
    report.write_section(title, body)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    main()
