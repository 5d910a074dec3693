from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Excel 导入"

    def ready(self):
        from core.background import resume_stale
        from core.scheduler import register_job

        from .models import ImportJob
        from .tasks import run_import_job

        # A worker killed mid-import: another worker finishes the file (core.background.resume_stale).
        register_job("imports_resume", lambda: resume_stale(ImportJob, run_import_job))
