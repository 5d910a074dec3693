"""Scheduled jobs (SPEC U3 auto-return) run in the background worker, once per interval however many
workers run, and never inside a web request (issue 13, item 7)."""

import datetime as dt
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from core import scheduler
from core.models import ScheduledRun
from transfers import services
from transfers.models import Status, TransferRequest
from workflow.models import Process


@pytest.fixture
def aged(tree, settings, make_person):
    """Two open requests: one untouched for longer than TRANSFER_AUTO_RETURN_DAYS, one for less."""
    settings.TRANSFER_AUTO_RETURN_DAYS = 10

    def submit(person, days):
        t = services.transfer_submit(actor=tree.branch_admin, person=person, to_org=tree.general, reason="升学")
        # A request's age is its process's last move (the engine's auto-return, SPEC-2 W4).
        Process.objects.filter(pk=t.process_id).update(updated_at=timezone.now() - dt.timedelta(days=days))
        return t

    other = make_person("另一团员", birth="20010203", branch=tree.branch)
    return submit(tree.member, 11), submit(other, 9)


def status(t):
    return TransferRequest.objects.get(pk=t.pk).status


def test_a_web_request_never_runs_the_jobs(client, aged):
    overdue, _ = aged
    assert client.get("/accounts/login/").status_code == 200
    assert status(overdue) == Status.RECEIVER
    assert not ScheduledRun.objects.exists()


def test_a_worker_tick_returns_an_overdue_transfer_to_its_maker(aged):
    overdue, recent = aged
    ran = scheduler.tick()
    # Apps add their own jobs (graduates' yearly switch, ...): these are the ones this test's data concerns.
    assert {k: ran[k] for k in ("transfers_returned", "progress_backlog", "exports_purge")} == {
        "transfers_returned": 1, "progress_backlog": 0, "exports_purge": 0,
    }  # fmt: skip
    assert set(ran) == set(scheduler.JOBS)
    assert status(overdue) == Status.RETURNED
    assert TransferRequest.objects.get(pk=overdue.pk).timeline[-1].action == "超期自动退回"
    assert status(recent) == Status.RECEIVER


def test_one_claim_per_interval_however_many_workers_ask(db):
    now = timezone.now()
    claims = [scheduler.claim(now=now) for _ in range(5)]
    assert claims == [True, False, False, False, False]
    later = now + dt.timedelta(seconds=scheduler.INTERVAL_SECONDS - 1)
    assert scheduler.claim(now=later) is False
    next_turn = now + dt.timedelta(seconds=scheduler.INTERVAL_SECONDS)
    assert [scheduler.claim(now=next_turn) for _ in range(3)] == [True, False, False]


def test_the_next_tick_within_the_interval_runs_nothing(aged):
    _, recent = aged
    scheduler.tick()
    Process.objects.filter(pk=recent.process_id).update(updated_at=timezone.now() - dt.timedelta(days=11))
    assert scheduler.tick() is None
    assert status(recent) == Status.RECEIVER
    ScheduledRun.objects.update(last_started_at=timezone.now() - dt.timedelta(seconds=scheduler.INTERVAL_SECONDS))
    scheduler.tick()
    assert status(recent) == Status.RETURNED


def test_a_failing_job_does_not_stop_the_worker(aged, monkeypatch):
    def broken():
        raise RuntimeError("job failed")

    monkeypatch.setattr(scheduler, "run_due_jobs", broken)
    assert scheduler.tick() is None


def test_the_run_due_jobs_command_returns_an_overdue_transfer(aged):
    overdue, recent = aged
    scheduler.claim()  # the command runs whatever the workers did lately
    out = StringIO()
    call_command("run_due_jobs", stdout=out)
    assert status(overdue) == Status.RETURNED
    assert status(recent) == Status.RECEIVER
    assert "'transfers_returned': 1" in out.getvalue()


@pytest.mark.django_db(transaction=True)  # the worker process must see committed rows
def test_the_worker_process_runs_the_due_jobs(aged):
    from people.tests.test_import_worker import database_url, worker_env

    overdue, _ = aged
    finished = subprocess.run(
        [sys.executable, "manage.py", "worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0"],
        cwd=settings.BASE_DIR, env=worker_env(database_url()), capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert status(overdue) == Status.RETURNED
