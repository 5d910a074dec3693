"""团籍状态 (SPEC-2 ST): a request to change a member's 团籍 status (ST1, ST2) or to restore it (ST3).

The approval is a process of the engine (SPEC-2 W): the branch (or its direct superior) asks, the direct
superior committee approves. The person's status itself lives on people.Person (`league_status`, with
`pending_status` mirroring an open request and `left_org` the branch a member left), so every figure and every
read-only check sees it without this app.
"""

from django.db import models

from core.models import ProcessRecord
from people.choices import LeagueStatus


class LapseReason(models.TextChoices):
    """ST1: 自行脱团 needs one of these."""

    DUES = "连续6个月不交纳团费", "连续6个月不交纳团费"
    LIFE = "连续6个月不参加团的组织生活", "连续6个月不参加团的组织生活"
    WORK = "连续6个月不做团组织分配的工作", "连续6个月不做团组织分配的工作"


class Kind(models.TextChoices):
    CHANGE = "团籍状态变更", "团籍状态变更"
    RESTORE = "恢复团籍", "恢复团籍"


class State(models.TextChoices):
    PENDING = "待审核", "待审核"
    APPROVED = "已通过", "已通过"
    REJECTED = "未通过", "未通过"
    WITHDRAWN = "已撤回", "已撤回"
    TERMINATED = "系统终止", "系统终止"


LEFT_STATUSES = [s for s in LeagueStatus.values if s != LeagueStatus.NORMAL]


class StatusChange(ProcessRecord):
    """One request: the status asked for (正常 for a restore), why, and the branch concerned (the member's for a
    change, the chosen one for a restore). `status` mirrors the process for the lists."""

    OPEN = (State.PENDING,)
    FINAL = {"已通过": State.APPROVED, "未通过": State.REJECTED, "已撤回": State.WITHDRAWN, "已退回": State.REJECTED,
             "系统终止": State.TERMINATED}  # fmt: skip

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="status_changes")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    to_status = models.CharField("申请的团籍状态", max_length=10, choices=LeagueStatus.choices)
    status_before = models.CharField("原团籍状态", max_length=10, choices=LeagueStatus.choices)
    reason = models.CharField("原因", max_length=200)
    explanation = models.TextField("情况说明", blank=True)
    branch = models.ForeignKey("orgs.Org", null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name="团支部")  # fmt: skip
    branch_name = models.CharField("团支部名称", max_length=200)
    status = models.CharField("审核状态", max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    process = models.OneToOneField("workflow.Process", on_delete=models.PROTECT, related_name="status_change")

    class Meta:
        verbose_name = "团籍状态变更"
        verbose_name_plural = "团籍状态变更"
        indexes = [models.Index(fields=["person", "-created_at"], name="standing_person_recent")]

    def __str__(self):
        return f"{self.person} {self.status_before} → {self.to_status}（{self.status}）"
