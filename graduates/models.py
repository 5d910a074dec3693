"""毕业生 (SPEC-2 GR): a school branch's expected graduation, the yearly switch to 毕业生团组织, members' flags.

The organisation and person models belong to orgs and people; what graduation adds to them lives here, keyed
by the organisation or the person, so that nothing of it changes their tables.
"""

from django.db import models

from core.models import TimeStampedModel


class NoDateReason(models.TextChoices):
    """GR1: why a school branch has no graduation date."""

    TEACHERS = "教师支部", "教师支部"
    MIXED = "混合支部", "混合支部"


class GraduationMark(TimeStampedModel):
    """GR1: a school branch's expected graduation (year and month), or the reason it has none."""

    org = models.OneToOneField("orgs.Org", on_delete=models.CASCADE, related_name="graduation")
    expected_year = models.PositiveSmallIntegerField("预计毕业年份", null=True, blank=True)
    expected_month = models.PositiveSmallIntegerField("预计毕业月份", null=True, blank=True)
    no_date_reason = models.CharField("无毕业时间原因", max_length=10, choices=NoDateReason.choices, blank=True)
    marked_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "毕业时间标记"
        verbose_name_plural = "毕业时间标记"
        constraints = [
            # Either a date (year and month) or a reason, never both nor neither.
            models.CheckConstraint(
                condition=(
                    models.Q(expected_year__isnull=False, expected_month__isnull=False, no_date_reason="")
                    | models.Q(expected_year__isnull=True, expected_month__isnull=True) & ~models.Q(no_date_reason="")
                ),
                name="graduates_mark_date_or_reason",
            )
        ]
        indexes = [models.Index(fields=["expected_year"], name="graduates_mark_year")]

    def __str__(self):
        return f"{self.org} {self.expected or self.no_date_reason}"

    @property
    def expected(self) -> str:
        """ "YYYY-MM" as API.md writes it, or "" for a branch without a date."""
        if self.expected_year is None:
            return ""
        return f"{self.expected_year:04d}-{self.expected_month:02d}"


class GraduationSwitch(TimeStampedModel):
    """GR2: one branch switched to 毕业生团组织 in one year; the row makes the yearly job run once per branch."""

    org = models.ForeignKey("orgs.Org", null=True, on_delete=models.SET_NULL, related_name="graduation_switches")
    year = models.PositiveSmallIntegerField("毕业年份")
    org_name = models.CharField("组织全称", max_length=200)  # kept when the emptied organisation is deleted (GR6)
    members = models.PositiveIntegerField("转换时团员数", default=0)

    class Meta:
        verbose_name = "毕业生团组织转换"
        verbose_name_plural = "毕业生团组织转换"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="graduates_one_switch_per_org_year")]

    def __str__(self):
        return f"{self.year} {self.org_name}"


class Flag(models.TextChoices):
    """GR3: a member's graduation flag (API.md's words, verbatim)."""

    DELAYED = "延迟毕业", "延迟毕业"
    TEACHER = "教师", "教师"
    FLOATING = "毕业学生流动团员", "毕业学生流动团员"
    THIS_YEAR = "本届毕业生", "本届毕业生"


class GraduateFlag(TimeStampedModel):
    """GR3: one flag per member; clearing it deletes the row."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="graduate_flag")
    flag = models.CharField("毕业生标记", max_length=10, choices=Flag.choices)
    set_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "毕业生标记"
        verbose_name_plural = "毕业生标记"

    def __str__(self):
        return f"{self.person} {self.flag}"
