"""The audit trail: who did what to which object, when, and what changed.

Written by the services themselves (not by model signals) because bulk
imports bypass signals, because a league action ("注册管理员", "批准转接")
means more than a row diff, and because personal data must be redacted
before it is stored. `org` scopes an event to the organisation it concerns,
so an admin can read the trail of their own organisation.
"""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField("操作", max_length=50)
    target_type = models.CharField("对象类型", max_length=50)
    target_id = models.CharField("对象", max_length=40)
    target_label = models.CharField("对象名称", max_length=200, blank=True)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changes = models.JSONField("变更内容", default=dict, blank=True)

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        indexes = [
            models.Index(fields=["org", "-at"], name="audit_org_recent"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target_label}"
