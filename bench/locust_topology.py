"""The deadline-rush mix against the topology (bench/topology_drills.py runs it headless against nginx).

- `Admin` (bench/locustfile.py): branch and committee admins reading 管理中心, member lists, progress and
  transfers, and saving members' mobiles. Here every accepted save (200) goes to a ledger
  (BENCH_LEDGER, one JSON line: person, value, start and end time), so the drills can check afterwards that
  no accepted write was lost.
- `Member`: members logging in and looking at their own record and their 评议 results (我的信息, 我的评议, API /me).
- `Importer`: branch admins uploading a 600-row member file (a background import: above
  IMPORT_BACKGROUND_ROWS) and watching its progress until it is done.
- `Committee`: committee admins watching the progress pages and figures of their subtree.

The weights give roughly the mix of a deadline week: most requests are reads by admins and members, a few
are saves, and an import now and then. Accounts come from BENCH_LOAD_ADMINS, BENCH_MEMBERS and
BENCH_IMPORTS (JSON files written by bench/topology_drills.py).
"""

import itertools
import json
import os
import time

import locustfile  # the module, not its class: locust would run every User class it finds here
from locust import HttpUser, between, task
from locustfile import form_login

MEMBERS = json.loads(open(os.environ["BENCH_MEMBERS"]).read()) if os.environ.get("BENCH_MEMBERS") else []
IMPORTS = json.loads(open(os.environ["BENCH_IMPORTS"]).read()) if os.environ.get("BENCH_IMPORTS") else []
_members, _imports = itertools.count(), itertools.count()
LEDGER = open(os.environ["BENCH_LEDGER"], "a", buffering=1) if os.environ.get("BENCH_LEDGER") else None


class Admin(locustfile.Admin):
    weight = 6

    @task(1)
    def edit_mobile(self):
        if not self.me["member_ids"]:
            return
        person = self.me["member_ids"][int(time.time() * 1000) % len(self.me["member_ids"])]
        value = f"139{int(time.time() * 1e6) % 10**8:08d}"
        started = time.time()
        response = self.client.patch(
            f"/api/v1/orgs/{self.me['branch_id']}/members/{person}",
            json={"mobile": value},
            headers=self.bearer,
            name="PATCH /api/v1/orgs/{id}/members/{pid} (mobile)",
        )
        if response.status_code == 200 and LEDGER:
            LEDGER.write(json.dumps({"person": person, "mobile": value, "start": started, "end": time.time()}) + "\n")


# locust collects the tasks of the base classes too: the reading admin's own edit_mobile would save unrecorded.
Admin.tasks = [t for t in Admin.tasks if t is not locustfile.Admin.edit_mobile]


class Member(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        me = MEMBERS[next(_members) % len(MEMBERS)]
        self.cookie = form_login(self, me["id_number"], me["password"])

    get = locustfile.Admin.get  # a page with the session cookie; anything but 200 is a failure

    @task(3)
    def me(self):
        self.get("/people/me/", "/people/me/")

    @task(1)
    def evaluations(self):
        self.get("/evaluation/me/", "/evaluation/me/")

    @task(1)
    def api_me(self):
        self.get("/api/v1/me", "/api/v1/me")


class Importer(HttpUser):
    weight = 1
    wait_time = between(20, 40)

    def on_start(self):
        self.plan = IMPORTS[next(_imports) % len(IMPORTS)] if IMPORTS else None
        self.files = list(self.plan["files"]) if self.plan else []
        if self.plan:
            api = self.client.post(
                "/api/v1/auth/login",
                json={"id_number": self.plan["id_number"], "password": self.plan["password"]},
                name="POST /api/v1/auth/login",
            )
            self.bearer = {"Authorization": f"Bearer {api.json()['token']}"}

    @task
    def upload(self):
        if not self.files:  # every prepared file imported: this admin only watches from now on
            return
        path = self.files.pop(0)
        with open(path, "rb") as f:
            response = self.client.post(
                f"/api/v1/orgs/{self.plan['branch_id']}/people/import?dry_run=false",
                files={"file": ("members.xlsx", f.read())},
                headers=self.bearer,
                name="POST /api/v1/orgs/{id}/people/import (600 rows)",
            )
        if response.status_code != 202:
            return
        job = response.json()["job_id"]
        for _ in range(120):
            time.sleep(1)
            state = self.client.get(f"/api/v1/imports/{job}", headers=self.bearer, name="GET /api/v1/imports/{id}")
            if state.status_code == 200 and state.json()["status"] in ("已完成", "失败"):
                break


class Committee(HttpUser):
    weight = 1
    wait_time = between(2, 5)

    def on_start(self):
        self.me = json.loads(open(os.environ["BENCH_LOAD_ADMINS"]).read())[0]  # the province-level committee
        self.cookie = form_login(self, self.me["id_number"], self.me["password"])

    get = locustfile.Admin.get  # a page with the session cookie; anything but 200 is a failure

    @task(2)
    def progress(self):
        self.get(f"/progress/orgs/{self.me['org_id']}/members/", "/progress/orgs/{id}/members/ (committee)")

    @task(1)
    def organisations(self):
        self.get(f"/progress/orgs/{self.me['org_id']}/orgs/", "/progress/orgs/{id}/orgs/ (committee)")

    @task(1)
    def api_progress(self):
        self.get(f"/api/v1/orgs/{self.me['org_id']}/progress", "/api/v1/orgs/{id}/progress (committee)")
