"""The embedded scheduler (core.scheduler) and `run_due_jobs` really run the due jobs (SPEC U3 auto-return)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from core import scheduler
from transfers import services
from transfers.models import Status, TransferRequest

LOCK = "core:due-jobs-lock"


@pytest.fixture
def aged(tree, settings, make_person):
    """Two open requests: one untouched for longer than TRANSFER_AUTO_RETURN_DAYS, one for less."""
    settings.TRANSFER_AUTO_RETURN_DAYS = 10
    cache.delete(LOCK)  # an earlier test's request may have taken this interval's turn

    def submit(person, days):
        t = services.transfer_submit(actor=tree.branch_admin, person=person, to_org=tree.general, reason="升学")
        TransferRequest.objects.filter(pk=t.pk).update(updated_at=timezone.now() - dt.timedelta(days=days))
        return t

    other = make_person("另一团员", birth="20010203", branch=tree.branch)
    yield submit(tree.member, 11), submit(other, 9)
    cache.delete(LOCK)


def status(t):
    return TransferRequest.objects.get(pk=t.pk).status


def test_a_web_request_returns_an_overdue_transfer_to_its_maker(client, aged):
    overdue, recent = aged
    assert client.get("/accounts/login/").status_code == 200  # any request, even anonymous
    assert status(overdue) == Status.RETURNED
    assert TransferRequest.objects.get(pk=overdue.pk).events.last().action == "超期自动退回"
    assert status(recent) == Status.RECEIVER


def test_the_web_process_runs_the_jobs_at_most_once_per_interval(client, aged):
    _, recent = aged
    client.get("/accounts/login/")
    TransferRequest.objects.filter(pk=recent.pk).update(updated_at=timezone.now() - dt.timedelta(days=11))
    client.get("/accounts/login/")
    assert status(recent) == Status.RECEIVER  # the next turn comes after INTERVAL_SECONDS
    cache.delete(LOCK)  # the interval has passed
    client.get("/accounts/login/")
    assert status(recent) == Status.RETURNED


def test_a_failing_job_does_not_break_the_page(client, aged, monkeypatch):
    def broken():
        raise RuntimeError("job failed")

    monkeypatch.setattr(scheduler, "run_due_jobs", broken)
    assert client.get("/accounts/login/").status_code == 200


def test_the_run_due_jobs_command_returns_an_overdue_transfer(aged):
    overdue, recent = aged
    cache.add(LOCK, 1, 300)  # the command runs whatever the web process did lately
    out = StringIO()
    call_command("run_due_jobs", stdout=out)
    assert status(overdue) == Status.RETURNED
    assert status(recent) == Status.RECEIVER
    assert "'transfers_returned': 1" in out.getvalue()
