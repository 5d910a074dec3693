"""组织关系转接 (SPEC U3) as an explicit state machine with every step recorded."""

from django.conf import settings
from django.db import models

from core.models import ProcessRecord


class Reason(models.TextChoices):
    FURTHER_STUDY = "升学", "升学"
    EMPLOYED = "已落实工作单位（含自主创业）", "已落实工作单位（含自主创业）"
    ENLISTED = "参军入伍", "参军入伍"
    UNPLACED = "未升学或未落实就业去向", "未升学或未落实就业去向"
    ABROAD = "出国（境）学习生活", "出国（境）学习生活"
    DELAYED = "延迟毕业", "延迟毕业"
    JOB_CHANGE = "工作调动", "工作调动"
    OTHER = "其他", "其他"


class Kind(models.TextChoices):
    BATCH = "批量接转", "批量接转"
    IN = "办理转入", "办理转入"
    OUT = "办理转出", "办理转出"
    SELF = "本人申请", "本人申请"


class Status(models.TextChoices):
    SENDER = "待转出方审批", "待转出方审批"
    RECEIVER = "待转入方审批", "待转入方审批"
    ASSIGN = "待分配团支部", "待分配团支部"
    DONE = "已完成", "已完成"
    REJECTED = "已驳回", "已驳回"
    WITHDRAWN = "已撤回", "已撤回"
    RETURNED = "已退回", "已退回"  # left unreviewed too long (auto-return)
    TERMINATED = "系统终止", "系统终止"  # SPEC-2 W4: its member was deleted or moved by 批量接转


OPEN = (Status.SENDER, Status.RECEIVER, Status.ASSIGN)
CLOSED = (Status.DONE, Status.REJECTED, Status.WITHDRAWN, Status.RETURNED, Status.TERMINATED)
# Its process's closing status -> its own. An open one reads 待 + the open step (待转出方审批, 待转入方审批, 待分配团支部);
# which moves are legal is the engine's (workflow.models.ALLOWED) and the steps transfers.services opens.
FINAL = {"已通过": Status.DONE, "未通过": Status.REJECTED, "已撤回": Status.WITHDRAWN, "已退回": Status.RETURNED,
         "系统终止": Status.TERMINATED}  # fmt: skip


class TransferRequest(ProcessRecord):
    """The domain record of a 组织关系转接 process: who moves, from where, to where, why. The approval (steps,
    timeline, status) is the process of the engine (SPEC-2 W); `status` mirrors where it stands, for the lists."""

    OPEN, FINAL = OPEN, FINAL

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transfers")
    kind = models.CharField("方式", max_length=10, choices=Kind.choices)
    reason = models.CharField("转接原因", max_length=30, choices=Reason.choices)
    status = models.CharField("处理状态", max_length=10, choices=Status.choices)
    # Organisations may be deleted while a request is open (U2): keep the names as they were.
    from_branch = models.ForeignKey(
        "orgs.Org", null=True, on_delete=models.SET_NULL, related_name="transfers_out", verbose_name="转出团组织"
    )
    from_name = models.CharField(max_length=200)
    to_org = models.ForeignKey(
        "orgs.Org", null=True, on_delete=models.SET_NULL, related_name="transfers_in", verbose_name="转入团组织"
    )
    to_name = models.CharField(max_length=200)
    to_branch = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="落实团支部"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    reviewed = models.BooleanField("已有审批", default=False)
    process = models.OneToOneField("workflow.Process", on_delete=models.PROTECT, related_name="transfer")

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        # One open request per member: the process's workflow_one_open_per_subject (W3).
        indexes = [
            # transfers_todo, counted for the menu on every page: one index range per step
            models.Index(fields=["status", "from_branch"], name="transfers_status_from"),
            models.Index(fields=["status", "to_org"], name="transfers_status_to"),
            models.Index(fields=["status", "updated_at"], name="transfers_status_age"),
            models.Index(fields=["-created_at"], name="transfers_recent"),
        ]

    def __str__(self):
        return f"{self.person} {self.from_name} → {self.to_name}"
