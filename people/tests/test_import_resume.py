"""A worker killed mid-import: the next scheduler run queues the job again and the file is finished (issue 15).

The killed worker left whole chunks behind (each chunk is its own transaction). The job, still marked
running, stops reporting progress; `core.background.resume_stale` (a scheduled job of the imports app)
queues it again, and the run skips the rows already imported: every row ends up in the branch once.
"""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from core import background
from imports import jobs
from imports.importers.members import member_import
from imports.models import ImportJob
from imports.tasks import run_import_job
from people.models import Person
from people.tests.member_rows import member_rows, write_xlsx

ROWS = 30


@override_settings(STALE_JOB_SECONDS=60)
@pytest.mark.django_db
def test_a_job_whose_worker_died_is_finished_by_another(tree):
    rows = member_rows(ROWS, seed=33, dev_base=8100)
    before = Person.objects.filter(branch=tree.branch).count()
    # What the killed worker got done: the first half, committed.
    member_import(branch=tree.branch, file_or_rows=write_xlsx(rows[:15]), actor=tree.branch_admin, dry_run=False)
    job = ImportJob.objects.create(
        kind="member_import", org=tree.branch, created_by=tree.branch_admin, total=ROWS, done=15,
        status=ImportJob.Status.RUNNING, file_token=jobs.store_file(write_xlsx(rows)),
    )  # fmt: skip
    silent_since = timezone.now() - dt.timedelta(seconds=30)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=silent_since)
    assert background.resume_stale(ImportJob, run_import_job) == 0  # still within its time: the worker may live

    ImportJob.objects.filter(pk=job.pk).update(updated_at=silent_since - dt.timedelta(seconds=60))
    assert background.resume_stale(ImportJob, run_import_job) == 1  # the immediate backend runs it here

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    assert Person.objects.filter(branch=tree.branch).count() == before + ROWS  # every row once
    assert background.resume_stale(ImportJob, run_import_job) == 0  # finished jobs are left alone
