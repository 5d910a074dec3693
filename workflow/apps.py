from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "审批流程"

    def ready(self):
        from . import signals

        pre_delete.connect(signals.person_deleted, sender=settings.AUTH_USER_MODEL, dispatch_uid="workflow_person")
        pre_delete.connect(signals.org_deleted, sender="orgs.Org", dispatch_uid="workflow_org")
