"""A big import really runs in the background worker, not in the request (issue 4, item 3).

The other import tests run tasks with django-tasks' immediate backend. Here the
production backend (django_tasks_db) queues the job; the admin uploads and goes
away (nobody polls the status: "closing the page loses nothing"); then the real
worker process, `manage.py db_worker --batch`, started like `make run` starts it,
picks the job up from the database and imports the file.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings

from imports.models import ImportJob
from people.models import Person
from people.tests.member_rows import member_rows, write_xlsx

pytestmark = pytest.mark.django_db(transaction=True)  # the worker must see committed rows

ROWS = 30


def database_url() -> str:
    """The test database, for the worker process."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS_MODULE"))}
    env.update(DATABASE_URL=url, TASKS_IMMEDIATE="0", DEBUG="1")
    return env


def run_worker() -> subprocess.CompletedProcess:
    env = worker_env(database_url())
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}, IMPORT_BACKGROUND_ROWS=10)
def test_the_worker_process_imports_a_queued_file_nobody_watches(tree, api_login):
    before = Person.objects.filter(branch=tree.branch).count()
    client = api_login(tree.branch_admin)
    content = write_xlsx(member_rows(ROWS, seed=21, dev_base=7000))
    response = client.post(
        f"/api/v1/orgs/{tree.branch.id}/people/import?dry_run=false",
        {"file": SimpleUploadedFile("class.xlsx", content)},
    )
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get(pk=response.json()["job_id"])
    assert job.status == ImportJob.Status.QUEUED and Person.objects.filter(branch=tree.branch).count() == before

    finished = run_worker()
    assert finished.returncode == 0, finished.stderr[-2000:]

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, (job.status, job.error)
    assert job.done == job.total == ROWS and job.report["created"] == ROWS
    assert Person.objects.filter(branch=tree.branch).count() == before + ROWS
    body = client.get(f"/api/v1/imports/{job.pk}").json()
    assert body["status"] == "已完成" and body["report"]["created"] == ROWS
