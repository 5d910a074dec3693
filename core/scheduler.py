"""Scheduled jobs, run by the background worker (`manage.py worker`), never inside a web request.

The embedded default has no cron: the worker that `make run` starts beside the
server (and every worker of a bigger deployment) wakes every few seconds and
asks `claim()` whether the interval has passed. The claim is one conditional
UPDATE on a ScheduledRun row, atomic on SQLite and PostgreSQL alike, so with
several workers exactly one runs the jobs per interval. Each job is idempotent
and uses conditional updates as well, so `run_due_jobs` under cron beside the
workers is harmless.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduledRun

logger = logging.getLogger(__name__)
INTERVAL_SECONDS = settings.SCHEDULER_INTERVAL_SECONDS
JOB_NAME = "due-jobs"


# name → job. Jobs live in higher apps, which register them in their AppConfig.ready(), so this
# module imports none of them (apps import downward only).
JOBS: dict[str, Callable[[], object]] = {}


def register_job(name: str, job: Callable[[], object]) -> None:
    JOBS[name] = job


def run_due_jobs() -> dict:
    return {name: job() for name, job in JOBS.items()}


def claim(name: str = JOB_NAME, interval: float = INTERVAL_SECONDS, *, now: dt.datetime | None = None) -> bool:
    """True for exactly one caller per interval, across processes."""
    now = now or timezone.now()
    due_before = now - dt.timedelta(seconds=interval)
    if not ScheduledRun.objects.filter(pk=name).exists():
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(name=name, last_started_at=now)
            return True
        except IntegrityError:  # another worker created it first: it has this turn
            return False
    return bool(ScheduledRun.objects.filter(pk=name, last_started_at__lte=due_before).update(last_started_at=now))


def tick() -> dict | None:
    """One wake-up of a worker: run the jobs if this worker claims the interval; never raise."""
    try:
        if claim():
            return run_due_jobs()
    except Exception:  # a failing job must never stop the worker from running imports
        logger.exception("scheduled jobs failed")
    return None
