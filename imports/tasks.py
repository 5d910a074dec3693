from django_tasks import task

from . import jobs


@task()
def run_import_job(job_id: int) -> None:
    jobs.job_run(job_id)
