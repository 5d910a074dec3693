"""Reads of 对标定级: the reviewer's list of its direct subordinates and the statistics of DJ7.

Statistics are counted by the database in two grouped queries whatever the size of the subtree: the rated
organisations (rules.eligible_q) and their ratings, each grouped by the direct subordinate whose subtree holds
them (a prefix of the materialised path).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from orgs.models import Org
from progress.selectors import hollow_branches

from . import rules
from .models import Level, Rating

LEVEL_KEYS = {Level.FIVE: "five", Level.FOUR: "four", Level.THREE: "three", Level.TWO: "two", Level.NONE: "none"}


@dataclass
class StatsRow:
    org_id: int
    short_name: str
    has_children: bool
    eligible: int = 0
    self_rated: int = 0
    reviewed: int = 0
    levels: dict = field(default_factory=lambda: dict.fromkeys(LEVEL_KEYS.values(), 0))

    @property
    def review_rate(self) -> str:
        """复核率: reviewed of the rated organisations."""
        return f"{self.reviewed * 100 / self.eligible:.1f}%" if self.eligible else "—"

    def as_api(self) -> dict:
        return {"org_id": self.org_id, "short_name": self.short_name, "eligible": self.eligible,
                "self_rated": self.self_rated, "reviewed": self.reviewed, **self.levels}  # fmt: skip

    def add(self, other: StatsRow) -> None:
        self.eligible += other.eligible
        self.self_rated += other.self_rated
        self.reviewed += other.reviewed
        for key in self.levels:
            self.levels[key] += other.levels[key]


def _ratings(org: Org, year: int) -> QuerySet[Rating]:
    """The ratings of the rated organisations of the subtree."""
    return Rating.objects.filter(rules.eligible_q(org, year, "org__"), year=year)


def stats(*, org: Org, year: int) -> dict:
    """DJ7: one row per direct subordinate (its whole subtree) and the organisation's own total."""
    width = org.depth * Org.steplen + Org.steplen
    children = list(Org.objects.filter(parent=org).order_by("sort_order", "path"))
    rows = {c.path: StatsRow(c.pk, c.short_name, bool(c.numchild)) for c in children}
    own = StatsRow(org.pk, org.short_name, True)

    def row_of(prefix: str) -> StatsRow:
        return rows.get(prefix, own)  # the organisation itself (a rated 团总支) counts only in the total

    eligible = (
        Org.objects.filter(rules.eligible_q(org, year))
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix")
        .annotate(n=Count("id"))
    )
    for r in eligible:
        row_of(r["prefix"]).eligible += r["n"]
    reviewed = Q(status=Rating.Status.REVIEWED)
    ratings = (
        _ratings(org, year)
        .annotate(prefix=Substr("org__path", 1, width))
        .values("prefix")
        .annotate(
            n=Count("id"),
            reviewed=Count("id", filter=reviewed),
            **{key: Count("id", filter=reviewed & Q(reviewed_level=level)) for level, key in LEVEL_KEYS.items()},
        )
    )
    for r in ratings:
        row = row_of(r["prefix"])
        row.self_rated += r["n"]
        row.reviewed += r["reviewed"]
        for key in LEVEL_KEYS.values():
            row.levels[key] += r[key]
    total = StatsRow(org.pk, org.short_name, True)
    total.add(own)
    for row in rows.values():
        total.add(row)
    return {"as_of": timezone.now(), "org": org, "year": year, "total": total, "rows": list(rows.values())}


@dataclass
class ReviewItem:
    org: Org
    rating: Rating | None
    ineligible_reason: str


def review_list(*, reviewer: Org, year: int) -> list[ReviewItem]:
    """The reviewer's direct subordinates that take part in 对标定级, with their ratings: rated ones first."""
    candidates = list(Org.objects.filter(parent=reviewer, category__in=rules.RATED).order_by("sort_order", "path"))
    eligible_ids = set(
        Org.objects.filter(rules.eligible_q(reviewer, year), parent=reviewer).values_list("id", flat=True)
    )
    ratings = {r.org_id: r for r in Rating.objects.filter(org__parent=reviewer, year=year)}
    rnd = rules.top_round(reviewer, year)
    items = []
    for org in candidates:
        reason = "" if org.pk in eligible_ids else rules.eligibility(org, year, rnd=rnd) or "不参加本年度对标定级。"
        items.append(ReviewItem(org, ratings.get(org.pk), reason))
    items.sort(key=lambda i: bool(i.ineligible_reason))
    return items


def subtree_results(*, org: Org, year: int) -> QuerySet[Org]:
    """Every organisation of the subtree that takes part, with its rating (the workbook of DJ7)."""
    return Org.objects.filter(rules.eligible_q(org, year)).select_related("parent").order_by("path")


def hollow_direct(reviewer: Org) -> QuerySet[Org]:
    """The 空壳团支部 among the reviewer's direct subordinates: while one remains it cannot review (DJ4)."""
    return hollow_branches(org=reviewer).filter(parent=reviewer)


def rectification_list(*, org: Org, year: int) -> QuerySet[Rating]:
    """重点整顿 (DJ2): the subtree's organisations reviewed 不予定级 (软弱涣散), in tree order."""
    return (
        Rating.objects.filter(Org.subtree_q(org.path, "org__"), year=year, reviewed_level=Level.NONE)
        .select_related("org", "org__parent")
        .order_by("org__path")
    )
