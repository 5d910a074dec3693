"""对标定级 (SPEC-2 DJ): a committee's yearly round and each 团支部's or 团总支's rating in it.

A round covers the opening committee's whole subtree. A committee inside a subtree that is already covered may
open its own round for the same year only to tighten the shares (DJ5); an organisation is rated in the round of
its nearest covering committee, and each reviewer's share is the tightest of the rounds covering it.
"""

from django.db import models

from core.models import TimeStampedModel


class Level(models.TextChoices):
    FIVE = "五星", "五星"
    FOUR = "四星", "四星"
    THREE = "三星", "三星"
    TWO = "二星", "二星"
    NONE = "不予定级", "不予定级"


class RatingRound(TimeStampedModel):
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="rating_rounds")
    year = models.PositiveSmallIntegerField("年度")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期")
    locks_at = models.DateTimeField("复核锁定时间")
    top_share = models.PositiveSmallIntegerField("四星及以上占比上限（%）", default=30)
    five_star_share = models.PositiveSmallIntegerField("五星占比上限（%）", null=True, blank=True)
    opened_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "对标定级工作"
        verbose_name_plural = "对标定级工作"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="rating_one_round_per_org_year")]
        indexes = [models.Index(fields=["year", "org"], name="rating_round_year")]

    def __str__(self):
        return f"{self.year}年度对标定级（{self.org}）"


class Rating(TimeStampedModel):
    """One organisation's rating of one year: its self-rating (DJ3) and its superior's review (DJ4)."""

    class Status(models.TextChoices):
        PENDING = "待复核", "待复核"
        REVIEWED = "已复核", "已复核"

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="ratings")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=4, choices=Status.choices, default=Status.PENDING)

    self_level = models.CharField("自评等级", max_length=4, choices=Level.choices)
    self_reason = models.CharField("自评理由", max_length=500)
    founded_on = models.DateField("成立时间")
    last_election_on = models.DateField("最近一次换届时间", null=True, blank=True)
    party_applicants = models.PositiveIntegerField("递交入党申请书人数", default=0)
    key_project = models.TextField("重点工作项目", blank=True)
    saves = models.PositiveSmallIntegerField("自评保存次数", default=1)
    first_level = models.CharField("首次自评等级", max_length=4, choices=Level.choices)
    changed_since_review = models.BooleanField("自评已修改", default=False)
    rerated = models.BooleanField("已整改重评", default=False)

    reviewed_level = models.CharField("复核等级", max_length=4, choices=Level.choices, blank=True)
    review_reason = models.CharField("复核意见", max_length=500, blank=True)
    reviewed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    # The 复核 step on the approval engine (SPEC-2 W1): opened by the self-rating, closed by the review.
    process = models.ForeignKey("workflow.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "对标定级"
        verbose_name_plural = "对标定级"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="rating_one_per_org_year")]
        indexes = [models.Index(fields=["year", "reviewed_level"], name="rating_year_level")]

    def __str__(self):
        return f"{self.org} {self.year}年度对标定级"
