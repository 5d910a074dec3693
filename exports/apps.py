from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = "Excel 导出"

    def ready(self):
        from core.scheduler import register_job

        from .engine import purge_expired

        register_job("exports_purge", purge_expired)  # finished exports are kept EXPORT_KEEP_HOURS
