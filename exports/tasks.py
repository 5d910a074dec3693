from django_tasks import task

from . import engine


@task()
def run_export_job(job_id: int) -> None:
    engine.job_run(job_id)
