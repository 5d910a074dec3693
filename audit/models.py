"""The audit trail: who did what to which object, when, and what changed.

Written by the services themselves (not by model signals) because bulk
imports bypass signals, because a league action ("注册管理员", "批准转接")
means more than a row diff, and because personal data must be redacted
before it is stored. `org` scopes an event to the organisation it concerns,
so an admin can read the trail of their own organisation.

Each event carries the client address and request id of the request that
caused it (audit.context, set by audit.middleware) and its outcome: 成功, or
拒绝 for a refused request (audit.middleware records those). The table is
append-only: database triggers refuse every UPDATE and DELETE (audit.append_only),
so `actor` and `org` keep the ids of people and organisations deleted later
(no database constraint, nothing cascades into the trail).
"""

from django.conf import settings
from django.db import models


class Outcome(models.TextChoices):
    SUCCESS = "成功", "成功"
    REFUSED = "拒绝", "拒绝"


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    # DO_NOTHING without a database constraint: the trail is never updated, not even to forget a deleted actor.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    verb = models.CharField("操作", max_length=50)
    target_type = models.CharField("对象类型", max_length=50)
    target_id = models.CharField("对象", max_length=40)
    target_label = models.CharField("对象名称", max_length=200, blank=True)
    org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    changes = models.JSONField("变更内容", default=dict, blank=True)
    outcome = models.CharField("结果", max_length=4, choices=Outcome.choices, default=Outcome.SUCCESS)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    request_id = models.CharField("请求编号", max_length=32, blank=True)

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        indexes = [
            models.Index(fields=["org", "-at"], name="audit_org_recent"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target_label}"
