from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = "组织关系转接"

    def ready(self):
        # Registers the 组织关系转接 workflow with the approval engine.
        from . import services  # noqa: F401
