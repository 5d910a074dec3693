"""The rules of 对标定级 (SPEC-2 DJ1, DJ2, DJ5) in one place: who is rated, which levels an organisation may
hold, and how many 四星 and 五星 a reviewing committee may give.

Eligibility has two forms that must agree: `eligibility()` explains one organisation (its page, the API, the
self-rating check) and `eligible_q()` selects them all at once (statistics, the reviewer's share). The
statistics tests recount with the first and compare with the second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.dates import months_before
from orgs.models import Org
from orgs.rules import Category
from people.choices import PoliticalStatus
from people.models import Person

from .models import Level, Rating, RatingRound

RATED = (Category.BRANCH, Category.GENERAL)
GRADUATED = "毕业生团组织"  # SPEC-2 GR2's system category: not rated (DJ1)
PARTY = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PARTY_PROBATIONARY)
MIN_AGE_MONTHS = 6  # DJ1: founded at least 6 months before the round starts
TOP_AGE_MONTHS = 12  # DJ2: 五星 and 四星 need the organisation founded more than a year before
TOP = (Level.FIVE, Level.FOUR)
WEAK = (Level.TWO, Level.NONE)  # a 团总支 with a branch at one of these cannot be 五星 (DJ2)
KEY_PROJECT_MIN, KEY_PROJECT_MAX = 300, 800  # DJ3
MAX_CHANGES = 3  # DJ3: changes of the self-rating before review


# --- rounds ------------------------------------------------------------------------------------------------------


def covering_rounds(org: Org, year: int | None = None) -> list[RatingRound]:
    """The rounds opened by `org` or one of its superiors (of `year`, if given), newest year first, then highest."""
    rounds = RatingRound.objects.filter(org__path__in=org.lineage_paths()).select_related("org")
    return list((rounds.filter(year=year) if year else rounds).order_by("-year", "org__path"))


def top_round(org: Org, year: int) -> RatingRound | None:
    """The round `org` is rated in: the highest covering one sets the window (nested rounds only tighten shares)."""
    rounds = covering_rounds(org, year)
    return rounds[0] if rounds else None


@dataclass(frozen=True)
class Shares:
    top: int  # 五星 + 四星, whole percent
    five: int | None  # 五星 alone, where a committee set it

    def limits(self, base: int) -> tuple[int, int | None]:
        return base * self.top // 100, (base * self.five // 100 if self.five is not None else None)


def shares_for(reviewer: Org, year: int) -> Shares:
    """DJ5: the tightest shares of the rounds that cover the reviewing committee."""
    rounds = covering_rounds(reviewer, year)
    fives = [r.five_star_share for r in rounds if r.five_star_share is not None]
    return Shares(top=min((r.top_share for r in rounds), default=30), five=min(fives) if fives else None)


# --- eligibility (DJ1) ------------------------------------------------------------------------------------------


def _all_party(org: Org) -> bool:
    members = Person.objects.filter(branch=org)
    return members.exists() and not members.exclude(political_status__in=PARTY).exists()


def eligibility(org: Org, year: int, *, rnd: RatingRound | None = None, founded_on: dt.date | None = None) -> str:
    """Why `org` is not rated in `year` ("" when it is). `founded_on`: a date being confirmed (DJ3)."""
    if org.category == Category.PENDING:
        return "待接转团支部不参加对标定级。"
    if org.category == GRADUATED:
        return "毕业生团组织不参加对标定级。"
    if org.category not in RATED:
        return "只有团支部和团总支参加对标定级。"
    if org.branch_kind:
        return f"{org.branch_kind}不参加对标定级。"
    rnd = rnd or top_round(org, year)
    if rnd is None:
        return f"上级团组织尚未开启{year}年度对标定级。"
    start = founded_on or org.founded
    cutoff = months_before(rnd.starts_on, MIN_AGE_MONTHS)
    if start > cutoff:
        return (f"成立不满{MIN_AGE_MONTHS}个月（成立于{start:%Y-%m-%d}，本年度对标定级{rnd.starts_on:%Y-%m-%d}开始），"
                f"不参加本年度对标定级。")  # fmt: skip
    if _all_party(org):
        return "全体团员均为中共党员（含预备党员）的团支部不参加对标定级。"
    return ""


def _tops_within(org: Org, year: int) -> list[RatingRound]:
    """The highest rounds covering any part of `org`'s subtree: the one above it, else the topmost inside it."""
    above = top_round(org, year)
    if above is not None:
        return [above]
    tops: list[RatingRound] = []
    for rnd in (
        RatingRound.objects.filter(Org.subtree_q(org.path, "org__"), year=year)
        .select_related("org")
        .order_by("org__path")
    ):
        if not any(rnd.org.path.startswith(t.org.path) for t in tops):
            tops.append(rnd)
    return tops


def eligible_q(org: Org, year: int, prefix: str = "") -> Q:
    """The organisations of `org`'s subtree that are rated in `year`, as one filter (DJ1)."""
    tops = _tops_within(org, year)
    if not tops:
        return Q(pk__in=[])
    p = prefix
    windows = Q()
    for rnd in tops:
        cutoff = months_before(rnd.starts_on, MIN_AGE_MONTHS)
        next_day = timezone.make_aware(dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time()))
        founded_ok = Q(**{f"{p}founded_on__lte": cutoff}) | Q(
            **{f"{p}founded_on": None, f"{p}created_at__lt": next_day}
        )
        windows |= Org.subtree_q(rnd.org.path, p) & founded_ok
    members = Person.objects.filter(branch=OuterRef(f"{p}pk" if p else "pk"))
    not_all_party = Exists(members.exclude(political_status__in=PARTY)) | ~Exists(members)
    return (
        Org.subtree_q(org.path, p)
        & Q(**{f"{p}category__in": RATED, f"{p}branch_kind": ""})
        & windows
        & Q(not_all_party)
    )


# --- levels (DJ2) ---------------------------------------------------------------------------------------------------


def level_problem(org: Org, level: str, *, rnd: RatingRound, founded_on: dt.date | None = None) -> str:
    """Why `org` may not hold `level` ("" when it may)."""
    if level not in Level.values:
        return f"等级只能是{('、'.join(Level.values))}之一。"
    if level in TOP:
        start = founded_on or org.founded
        if start > months_before(rnd.starts_on, TOP_AGE_MONTHS):
            return f"{level}需要组织成立满一年（成立于{start:%Y-%m-%d}）。"
    if level == Level.FIVE and org.category == Category.GENERAL:
        weak = (
            Rating.objects.filter(org__parent=org, year=rnd.year)
            .filter(Q(reviewed_level__in=WEAK) | Q(reviewed_level="", self_level__in=WEAK))
            .select_related("org")
            .first()
        )
        if weak is not None:
            shown = weak.reviewed_level or weak.self_level
            return f"所属团支部“{weak.org.short_name}”为{shown}，团总支不能定为五星。"
    return ""
