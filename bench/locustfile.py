"""Simulated admins for `make bench-load` (bench/load.py starts gunicorn and runs this headless).

Each simulated admin takes one seeded demo admin from BENCH_LOAD_ADMINS (a JSON
file written by bench/load.py: ID number, password, organisation, a few member
ids of a branch), logs in once through the login form and once through the
API, then mostly reads (管理中心 home, member list, progress, transfer list)
and sometimes writes (a member's mobile on the admin's own branch).

Production cookies are Secure and the load runs over plain HTTP on loopback,
so the session and CSRF cookies are sent by hand in a Cookie header (under their
production names __Host-sessionid and __Host-csrftoken, or the plain ones with DEBUG on).
"""

import itertools
import json
import os
import random
import re

import gevent
from locust import HttpUser, between, events, task

ADMINS = json.loads(open(os.environ["BENCH_LOAD_ADMINS"]).read())
_next = itertools.count()
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def cookie(*jars, name: str) -> tuple[str, str | None]:
    """The cookie `name` as the server named it (config/settings.py: the __Host- prefix where cookies are Secure)."""
    for key in (f"__Host-{name}", name):
        for jar in jars:
            if jar.get(key):
                return key, jar.get(key)
    return name, None


TIMES: list[float] = []  # every response time in ms apart from the logins, for percentiles without them


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    if "login" not in name:
        TIMES.append(response_time)


@events.test_start.add_listener
def _warm_up(environment, **kwargs):
    """bench/load.py --warmup: the figures count from BENCH_LOAD_WARMUP seconds after the start, once every simulated
    admin has logged in, so they describe the load sustained rather than the rush of logins at the start."""
    warmup = float(os.environ.get("BENCH_LOAD_WARMUP") or 0)
    if warmup > 0:
        gevent.spawn_later(warmup, lambda: (environment.stats.reset_all(), TIMES.clear()))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    if os.environ.get("BENCH_LOAD_TIMES"):
        with open(os.environ["BENCH_LOAD_TIMES"], "w") as f:
            json.dump(TIMES, f)


def form_login(user: HttpUser, id_number: str, password: str, *, who: str = "") -> dict:
    """Log in through the form; the Cookie header to send afterwards (Secure cookies over loopback http)."""
    page = user.client.get("/accounts/login/", name="GET /accounts/login/")
    csrf_name, csrf = cookie(page.cookies, user.client.cookies, name="csrftoken")
    token = CSRF_INPUT.search(page.text).group(1)
    response = user.client.post(
        "/accounts/login/",
        {"id_number": id_number, "password": password, "csrfmiddlewaretoken": token},
        headers={"Cookie": f"{csrf_name}={csrf}", "Referer": f"{user.host}/accounts/login/"},
        allow_redirects=False,
        name="POST /accounts/login/",
    )
    session_name, session = cookie(response.cookies, name="sessionid")
    if response.status_code != 302 or not session:
        raise RuntimeError(f"login failed for {who or 'a simulated user'}: {response.status_code}")
    return {"Cookie": f"{session_name}={session}; {csrf_name}={csrf}"}


class Admin(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        self.me = ADMINS[next(_next) % len(ADMINS)]
        org = self.me["org_id"]
        self.cookie = form_login(self, self.me["id_number"], self.me["password"], who=self.me["role"])
        api = self.client.post(
            "/api/v1/auth/login",
            json={"id_number": self.me["id_number"], "password": self.me["password"]},
            name="POST /api/v1/auth/login",
        )
        self.bearer = {"Authorization": f"Bearer {api.json()['token']}"}
        self.members_url = f"/people/orgs/{self.me['list_branch_id']}/members/"
        self.progress_url = f"/progress/orgs/{org}/{'members' if self.me['branch_id'] else 'orgs'}/"

    def get(self, url, name):
        with self.client.get(url, headers=self.cookie, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")

    @task(4)
    def home(self):
        self.get("/manage/", "/manage/")

    @task(4)
    def member_list(self):
        self.get(self.members_url, "/people/orgs/{id}/members/")

    @task(2)
    def own_members(self):
        """A committee's 下级团员 (its whole subtree, page 1); a branch admin's own 团员列表."""
        self.get(f"/people/orgs/{self.me['org_id']}/members/", "/people/orgs/{id}/members/ (own organisation)")

    @task(3)
    def progress(self):
        self.get(self.progress_url, "/progress/orgs/{id}/{kind}/")

    @task(2)
    def transfers(self):
        self.get("/transfers/", "/transfers/")

    @task(2)
    def api_members(self):
        if self.me["branch_id"]:
            self.client.get(
                f"/api/v1/orgs/{self.me['branch_id']}/members", headers=self.bearer, name="/api/v1/orgs/{id}/members"
            )
        else:
            self.client.get(
                f"/api/v1/orgs/{self.me['org_id']}/children", headers=self.bearer, name="/api/v1/orgs/{id}/children"
            )

    @task(1)
    def edit_mobile(self):
        if not self.me["member_ids"]:
            return
        person = random.choice(self.me["member_ids"])
        self.client.patch(
            f"/api/v1/orgs/{self.me['branch_id']}/members/{person}",
            json={"mobile": f"139{random.randrange(10**8):08d}"},
            headers=self.bearer,
            name="PATCH /api/v1/orgs/{id}/members/{pid} (mobile)",
        )
