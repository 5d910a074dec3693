from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "团组织"

    def ready(self):
        from audit.display import register_value

        from . import codes  # noqa: F401  registers the 注册码状态 export kind with the export engine
        from .industries import INDUSTRY_NAMES

        register_value("industry", lambda code: f"{code} {INDUSTRY_NAMES.get(code, '')}".strip())  # 操作记录
