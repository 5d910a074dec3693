from django.apps import AppConfig


class OrgChangesConfig(AppConfig):
    """Changes to an organisation that involve its people and the approval engine: 管理员变更 (C6),
    组织迁移 (O2/U1) and 删除组织 (U2). Their models stay in orgs (the tree's own tables); the rules that
    need people, transfers and processes live here, above those apps, so orgs never imports them."""

    name = "orgchanges"
    verbose_name = "组织变更"

    def ready(self):
        # Registers the 管理员变更 and 组织迁移 workflows with the approval engine.
        from . import admin_changes, migration  # noqa: F401
