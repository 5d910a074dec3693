"""两制 (SPEC-2 EV, RG): a committee's yearly round, each branch's 团员教育评议 with its meeting and levels, the
consequences of a level, the member's appeal, 团籍注册, and the supervision aggregates.

A round covers the opening committee's whole subtree (EV1); a branch is evaluated once a year in the round of
its highest covering committee. The branch's whole result goes to its direct superior as one process of the
approval engine (EV5), as does its registration (RG1) and a member's appeal (EV7).
"""

from django.db import models

from core.models import TimeStampedModel


class Level(models.TextChoices):
    EXCELLENT = "优秀", "优秀"
    QUALIFIED = "合格", "合格"
    BASIC = "基本合格", "基本合格"
    UNQUALIFIED = "不合格", "不合格"


class Outcome(models.TextChoices):
    REGISTERED = "予以注册", "予以注册"
    DEFERRED = "暂缓注册", "暂缓注册"
    REFUSED = "不予注册", "不予注册"


class Stage(models.TextChoices):
    """Where a branch's evaluation (or registration) stands; 未开始 is a branch with no row yet."""

    DRAFT = "草稿", "草稿"
    SUBMITTED = "已提交", "已提交"
    RETURNED = "已退回", "已退回"
    APPROVED = "已通过", "已通过"


class EvalRound(TimeStampedModel):
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="eval_rounds")
    year = models.PositiveSmallIntegerField("年度")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期")
    opened_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "两制工作"
        verbose_name_plural = "两制工作"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="evaluation_one_round_per_org_year")]

    def __str__(self):
        return f"{self.year}年度团员教育评议（{self.org}）"


class Evaluation(TimeStampedModel):
    """One branch's 团员教育评议 of one year: its meeting and its stage; the levels are its items."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="evaluations")
    year = models.PositiveSmallIntegerField("年度")
    stage = models.CharField("状态", max_length=4, choices=Stage.choices, default=Stage.DRAFT)
    held_on = models.DateField("评议会议日期", null=True, blank=True)
    due = models.PositiveIntegerField("应到人数", null=True, blank=True)
    present = models.PositiveIntegerField("实到人数", null=True, blank=True)
    process = models.ForeignKey("workflow.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField("审核认证时间", null=True, blank=True)

    class Meta:
        verbose_name = "团员教育评议"
        verbose_name_plural = "团员教育评议"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="evaluation_one_per_branch_year")]

    def __str__(self):
        return f"{self.org} {self.year}年度团员教育评议"


class Item(models.Model):
    """One member in one branch's evaluation: taking part or not (EV2), the level, its consequences (EV6)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="evaluation_items")
    participates = models.BooleanField("参评", default=True)
    excluded_reason = models.CharField("不参评原因", max_length=100, blank=True)
    proposed_level = models.CharField("评议等次", max_length=4, choices=Level.choices, blank=True)
    self_assessment = models.CharField("自我评价", max_length=500, blank=True)
    votes = models.CharField("得票情况", max_length=50, blank=True)
    approved_level = models.CharField("认证等次", max_length=4, choices=Level.choices, blank=True)
    correction_until = models.DateField("整改期至", null=True, blank=True)
    re_level = models.CharField("整改后再评议", max_length=4, choices=Level.choices, blank=True)
    talk_held_on = models.DateField("谈心谈话日期", null=True, blank=True)
    talk_note = models.CharField("谈心谈话记录", max_length=500, blank=True)

    class Meta:
        verbose_name = "评议等次"
        verbose_name_plural = "评议等次"
        constraints = [models.UniqueConstraint(fields=["evaluation", "person"], name="evaluation_item_once")]
        indexes = [models.Index(fields=["person", "evaluation"], name="evaluation_item_person")]

    def __str__(self):
        return f"{self.person} {self.proposed_level or '未评'}"


class Appeal(TimeStampedModel):
    """EV7: a member rated 不合格 appeals once; the branch's direct superior decides."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="appeal")
    reason = models.CharField("申诉理由", max_length=500)
    process = models.ForeignKey("workflow.Process", null=True, on_delete=models.SET_NULL, related_name="+")
    upheld = models.BooleanField("申诉成立", null=True)

    class Meta:
        verbose_name = "评议申诉"
        verbose_name_plural = "评议申诉"

    def __str__(self):
        return f"{self.item.person} 申诉"


class Registration(TimeStampedModel):
    """One branch's 团籍注册 of one year (RG1): registered by the branch, confirmed by its direct superior."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="registrations")
    year = models.PositiveSmallIntegerField("年度")
    stage = models.CharField("状态", max_length=4, choices=Stage.choices, default=Stage.DRAFT)
    process = models.ForeignKey("workflow.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "团籍注册"
        verbose_name_plural = "团籍注册"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="evaluation_one_registration_per_year")]

    def __str__(self):
        return f"{self.org} {self.year}年度团籍注册"


class RegistrationItem(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="registration_items")
    outcome = models.CharField("注册结果", max_length=4, choices=Outcome.choices)
    exception_reason = models.CharField("例外理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "团籍注册结果"
        verbose_name_plural = "团籍注册结果"
        constraints = [models.UniqueConstraint(fields=["registration", "person"], name="evaluation_registered_once")]
        indexes = [models.Index(fields=["person", "outcome"], name="evaluation_reg_person")]

    def __str__(self):
        return f"{self.person} {self.outcome}"


# The supervision figures (EV8/RG4): per organisation and year, its own (a branch's) and its subtree's.
FIGURES = ("submitted", "approved", "participants", "excellent", "qualified", "basic", "unqualified",
           "registered", "deferred", "refused")  # fmt: skip


class EvalStats(models.Model):
    """Live aggregates of 两制 per organisation and year, kept by evaluation.aggregates in the same transaction
    as every change (so the supervision pages read a few rows, never the items), and checked by its recount."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    year = models.PositiveSmallIntegerField()
    own = models.JSONField(default=dict)  # a branch's own figures, FIGURES -> int
    submitted = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    participants = models.IntegerField(default=0)
    excellent = models.IntegerField(default=0)
    qualified = models.IntegerField(default=0)
    basic = models.IntegerField(default=0)
    unqualified = models.IntegerField(default=0)
    registered = models.IntegerField(default=0)
    deferred = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)

    class Meta:
        verbose_name = "两制统计"
        verbose_name_plural = "两制统计"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="evaluation_stats_once")]

    def __str__(self):
        return f"两制统计 {self.org_id} {self.year}"
