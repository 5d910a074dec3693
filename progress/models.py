"""Aggregates behind 进度监督 (SPEC S1–S5): one row per organisation.

`own_*` are the organisation's own contributions (1 if it is an organisation
that counts, 1 if its information is complete, its members …); the unprefixed
fields are the sums of `own_*` over its whole subtree, itself included.
`progress.aggregates` keeps them equal to a full recount.
"""

from django.db import models

# total field -> the own field summed into it
TOTALS = {
    "orgs": "own_orgs",
    "orgs_complete": "own_orgs_complete",
    "cadre_orgs": "own_cadre_orgs",
    "cadre_orgs_complete": "own_cadre_orgs_complete",
    "branches": "own_branches",
    "branches_complete": "own_branches_complete",
    "members": "own_members",
    "members_complete": "own_members_complete",
}
OWN_FIELDS = (*TOTALS.values(), "cadre_complete_count", "entered_count")


class OrgStats(models.Model):
    # No database-level foreign key: its deferred check would make a refresh's COMMIT wait for a KEY SHARE
    # lock on organisation rows that services hold FOR UPDATE (a deadlock with org deletion on PostgreSQL).
    # Django still cascades the delete; `progress_recount` reports any orphan row.
    org = models.OneToOneField(
        "orgs.Org", primary_key=True, on_delete=models.CASCADE, related_name="stats", db_constraint=False
    )

    own_orgs = models.PositiveSmallIntegerField(default=0)
    own_orgs_complete = models.PositiveSmallIntegerField(default=0)
    own_cadre_orgs = models.PositiveSmallIntegerField(default=0)
    own_cadre_orgs_complete = models.PositiveSmallIntegerField(default=0)
    own_branches = models.PositiveSmallIntegerField(default=0)
    own_branches_complete = models.PositiveSmallIntegerField(default=0)
    own_members = models.PositiveIntegerField(default=0)
    own_members_complete = models.PositiveIntegerField(default=0)
    cadre_complete_count = models.PositiveIntegerField("信息完整的团干部数", default=0)  # S2
    entered_count = models.PositiveIntegerField("信息完整的团员团干部数", default=0)  # S3

    orgs = models.IntegerField("组织数", default=0)
    orgs_complete = models.IntegerField("组织信息完善数", default=0)
    cadre_orgs = models.IntegerField("团委/团工委/团总支数", default=0)
    cadre_orgs_complete = models.IntegerField("完成团干部录入数", default=0)
    branches = models.IntegerField("团支部数", default=0)
    branches_complete = models.IntegerField("完成团员录入的团支部数", default=0)
    members = models.BigIntegerField("团员数", default=0)
    members_complete = models.BigIntegerField("信息完整团员数", default=0)

    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "组织录入进度统计"
        verbose_name_plural = "组织录入进度统计"

    def __str__(self):
        return f"进度统计 {self.org_id}"


class StatsBacklog(models.Model):
    """Changes whose refresh failed after commit; the scheduler retries them.

    `org_id` null means "recount everything" (a removal that could not be applied).
    """

    org_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "待刷新的进度统计"
        verbose_name_plural = "待刷新的进度统计"

    def __str__(self):
        return f"待刷新 {self.org_id}"
