from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "团组织"

    def ready(self):
        from audit.display import register_value
        from core.replicas import register_access_loader

        from . import access, codes  # noqa: F401  codes registers the 注册码状态 export kind with the export engine
        from .industries import INDUSTRY_NAMES

        register_value("industry", lambda code: f"{code} {INDUSTRY_NAMES.get(code, '')}".strip())  # 操作记录
        # Who administers what is read on the primary before a list's reads move to a standby (core.replicas).
        register_access_loader(lambda request: access.admin_orgs(getattr(request, "user", None)))
