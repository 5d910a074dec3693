from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "团组织"

    def ready(self):
        # Registers the 管理员变更 and 组织迁移 workflows with the approval engine.
        from . import admin_changes, migration  # noqa: F401
