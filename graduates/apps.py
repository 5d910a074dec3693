from django.apps import AppConfig


class GraduatesConfig(AppConfig):
    name = "graduates"
    verbose_name = "毕业生"

    def ready(self):
        from core.scheduler import register_job

        from . import exports, services  # noqa: F401  exports registers the 毕业季 export kind

        register_job("graduation_switch", services.switch_due)  # GR2: the yearly switch to 毕业生团组织
