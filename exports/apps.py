from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Excel 导出"

    def ready(self):
        from core.background import resume_stale
        from core.scheduler import register_job

        from .engine import purge_expired
        from .models import ExportJob
        from .tasks import run_export_job

        register_job("exports_purge", purge_expired)  # finished exports are kept EXPORT_KEEP_HOURS
        register_job("exports_resume", lambda: resume_stale(ExportJob, run_export_job))  # a worker killed mid-file
