from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "进度监督"

    def ready(self):
        from core.scheduler import register_job

        from . import signals  # noqa: F401  connects the change trackers
        from .aggregates import stats_backlog_run

        register_job("progress_backlog", stats_backlog_run)  # refreshes whose after-commit run failed
