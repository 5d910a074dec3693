from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = "组织关系转接"

    def ready(self):
        from core.scheduler import register_job

        # Importing the services registers the 组织关系转接 workflow with the approval engine.
        from . import services

        register_job("transfers_returned", services.auto_return_due)  # U3: untouched requests go back
