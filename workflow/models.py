"""The approval engine's records (SPEC-2 W1–W5): a process, its steps in order, and the messages it sends.

A Step is one handler's turn: opened with its handler (an organisation, any of
whose admins may act, or one person) and no action, then closed with the action,
the actor, the time and the opinion. The open step of an open process is the one
row without an action; the closed steps are the process's timeline. A process's
workflow (which steps, who handles each, what approval does) is a definition
registered with `workflow.engine`, never a model of its own.
"""

from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    OPEN = "进行中", "进行中"
    APPROVED = "已通过", "已通过"
    REJECTED = "未通过", "未通过"
    RETURNED = "已退回", "已退回"
    WITHDRAWN = "已撤回", "已撤回"
    TERMINATED = "系统终止", "系统终止"


# The one map of legal moves of a process: only an open process moves, and it moves once.
ALLOWED: dict[str, set[str]] = {
    Status.OPEN: {Status.APPROVED, Status.REJECTED, Status.RETURNED, Status.WITHDRAWN, Status.TERMINATED},
}


class Action(models.TextChoices):
    SUBMIT = "提交", "提交"
    APPROVE = "通过", "通过"
    REJECT = "不通过", "不通过"
    RETURN = "退回修改", "退回修改"
    WITHDRAW = "撤回", "撤回"
    TERMINATE = "系统终止", "系统终止"


class Process(models.Model):
    kind = models.CharField("类型", max_length=20)
    title = models.CharField("事项", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    # The subject: a person, an organisation, or (管理员变更) a person within an organisation. `subject_key`
    # names it for the one-open-process rule (W3) whatever is deleted later; the name stays as it was.
    subject_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject_name = models.CharField("对象", max_length=200)
    subject_key = models.CharField(max_length=60)
    started_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    starting_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("发起时间")
    # When the process last moved: the open step's age, which auto-return (U3) reads.
    updated_at = models.DateTimeField("最近办理时间")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "审批流程"
        verbose_name_plural = "审批流程"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key"], condition=Q(status="进行中"), name="workflow_one_open_per_subject"
            ),
        ]
        indexes = [models.Index(fields=["status", "kind", "updated_at"], name="workflow_open_age")]

    def __str__(self):
        return f"{self.kind}：{self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    def stage(self, finals: dict[str, str], open_step: "Step | None" = None) -> str:
        """The module's name for where the process stands: "待" + the open step's name, or its closing word."""
        if self.status == Status.OPEN:
            step = open_step or next((s for s in self.steps.all() if s.is_open), None)
            return f"待{step.name}" if step else self.status
        return finals.get(self.status, self.status)

    def entries(self, finals: dict[str, str]) -> list["Entry"]:
        """The closed steps as a module's timeline shows them: what happened, by whom, and from which stage to
        which (read from the steps, loaded once: prefetch `steps__actor` for lists)."""
        steps = sorted(self.steps.all(), key=lambda s: (s.number, s.id))
        out, before = [], ""
        for i, step in enumerate(steps):
            if step.is_open:
                break
            following = steps[i + 1] if i + 1 < len(steps) else None
            after = f"待{following.name}" if following is not None else finals.get(self.status, self.status)
            out.append(Entry(step, before, after))
            before = after
        return out


class Entry:
    """One closed step in a module's words (`action` its label, `note` its opinion, `from/to_status` its stages)."""

    def __init__(self, step: "Step", from_status: str, to_status: str):
        self.step, self.from_status, self.to_status = step, from_status, to_status
        self.at, self.actor, self.actor_id, self.note = step.at, step.actor, step.actor_id, step.opinion
        self.action = step.text
        self.handler_org_id = step.handler_org_id


class Step(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField("序号")
    name = models.CharField("环节", max_length=30)
    handler_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handler_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handler_name = models.CharField("办理方", max_length=200, blank=True)
    # A step that completes the starter's own request rather than approving it (a receiving committee assigning
    # the branch of the 办理转入 it started): W1 does not keep the starter from it.
    starter_may_act = models.BooleanField(default=False)
    opened_at = models.DateTimeField("开始时间")
    action = models.CharField("操作", max_length=10, choices=Action.choices, blank=True)  # blank: still open
    # What happened in the module's own words ("转出方同意", "超期自动退回"); the action otherwise.
    label = models.CharField("办理情况", max_length=30, blank=True)
    actor = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField("办理时间", null=True, blank=True)
    opinion = models.CharField("意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "审批环节"
        verbose_name_plural = "审批环节"
        ordering = ["number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="workflow_step_order"),
            # One open step per process: two approvers racing cannot both open the next one.
            models.UniqueConstraint(fields=["process"], condition=Q(action=""), name="workflow_one_open_step"),
        ]
        indexes = [
            # 待办, counted for the menu on every page: the open steps of a few organisations or one person.
            models.Index(fields=["handler_org"], condition=Q(action=""), name="workflow_open_by_org"),
            models.Index(fields=["handler_person"], condition=Q(action=""), name="workflow_open_by_person"),
        ]

    def __str__(self):
        return f"{self.name} {self.action or '待办理'}"

    @property
    def is_open(self) -> bool:
        return not self.action

    @property
    def text(self) -> str:
        return self.label or self.action


class Message(models.Model):
    class Kind(models.TextChoices):
        TODO = "待办", "待办"
        PROGRESS = "进展", "进展"
        RESULT = "结果", "结果"

    recipient = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="workflow_messages")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    text = models.CharField("内容", max_length=300)
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="workflow_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="workflow_inbox_unread"),
        ]

    def __str__(self):
        return self.text
