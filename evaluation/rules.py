"""The rules of 两制 (SPEC-2 EV1–EV4, EV6, RG2, RG3) that need no transaction: who takes part, the 优秀 limit,
the meeting quorum, which registration outcomes a member may have, and when a registration is overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from core.dates import months_after, months_before
from orgs.models import Org
from orgs.rules import Category
from people.choices import PoliticalStatus
from people.models import Person

from .models import EvalRound, Level, Outcome

PARTY = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PARTY_PROBATIONARY)
EXCELLENT_SHARE = 30  # EV3: 优秀 at most floor(30 % × participants)
PASSING = (Level.EXCELLENT, Level.QUALIFIED, Level.BASIC)  # RG2: at least 基本合格
CORRECTION_MONTHS = (3, 6)  # EV6
OVERDUE_MONTHS = 15  # RG3


def rounds_covering(org: Org, year: int | None = None):
    """The rounds opened by `org` or a superior (of `year`, if given), highest first."""
    rounds = EvalRound.objects.filter(org__path__in=org.lineage_paths()).select_related("org")
    return rounds.filter(year=year) if year else rounds


def round_for(org: Org, year: int) -> EvalRound | None:
    """EV1: a branch is evaluated in the round of its highest covering committee."""
    return rounds_covering(org, year).order_by("org__path").first()


def is_evaluated(org: Org) -> bool:
    """EV1: 团支部, and 团总支 for the members registered directly in it."""
    return org.category in (Category.BRANCH, Category.GENERAL)


def excellent_limit(participants: int) -> int:
    """EV3: 32 participants → 9."""
    return participants * EXCELLENT_SHARE // 100


def meeting_problem(held_on, due, present) -> str:
    """EV4: valid only when more than 2/3 of those due attended ("" when valid)."""
    if not held_on or due is None or present is None:
        return "请填写评议会议的日期、应到人数和实到人数。"
    if held_on > timezone.localdate():
        return "评议会议日期不能晚于今天。"
    if due <= 0 or present > due:
        return "实到人数不能多于应到人数，应到人数应大于0。"
    if present * 3 <= due * 2:
        return f"评议会议应到{due}人、实到{present}人，未超过应到人数的三分之二，会议无效，请重新召开。"
    return ""


def exclusion(person: Person, rnd: EvalRound) -> str:
    """EV2: why the settings leave a member out of the evaluation ("" when they take part)."""
    if person.political_status in PARTY and not settings.EVAL_PARTY_MEMBERS:
        return "中共党员（保留团籍），不参加评议"
    joined = person.league_join_date
    months = settings.EVAL_NEW_MEMBER_MONTHS
    if joined and joined > months_before(rnd.starts_on, months):
        return f"入团不满{months}个月，不参加本年度评议"
    return ""


def members(branch: Org):
    """The branch's members (those registered directly in it, for a 团总支), in name order."""
    return Person.objects.filter(branch=branch).order_by("name", "id")


def correction_window(approved_on: dt.date) -> tuple[dt.date, dt.date]:
    """EV6: the correction period ends 3 to 6 months after the result was approved."""
    low, high = CORRECTION_MONTHS
    return months_after(approved_on, low), months_after(approved_on, high)


@dataclass(frozen=True)
class Allowed:
    """RG2: the outcomes a member may be given this year, the one proposed, and why."""

    outcomes: tuple[str, ...]
    proposed: str
    why: str
    needs_exception: bool = False  # not registered the year before: 予以注册 needs the superior's exception


def allowed_outcomes(
    *, person: Person, level: str, excluded_reason: str, re_level: str, registered_before: bool | None
):
    """RG2 for one member: `level` is the approved level of the year ("" if not evaluated), `registered_before`
    whether the previous year's confirmed registration registered them (None: no registration on record)."""
    party = person.political_status in PARTY
    if level in PASSING or re_level in PASSING:
        allowed = Allowed(tuple(Outcome.values), Outcome.REGISTERED, f"评议等次：{re_level or level}")
    elif level == Level.UNQUALIFIED:
        allowed = Allowed((Outcome.DEFERRED, Outcome.REFUSED), Outcome.DEFERRED, "评议不合格，整改期结束前暂缓注册")
    elif party and not settings.EVAL_PARTY_MEMBERS:
        if settings.REGISTER_PARTY_MEMBERS:
            allowed = Allowed(tuple(Outcome.values), Outcome.REGISTERED, "中共党员（保留团籍），不评议、予以注册")
        else:
            allowed = Allowed((Outcome.DEFERRED, Outcome.REFUSED), Outcome.DEFERRED, "中共党员（保留团籍）不注册")
    elif excluded_reason.startswith("入团不满"):
        allowed = Allowed(tuple(Outcome.values), Outcome.REGISTERED, excluded_reason)
    else:
        why = f"不参评：{excluded_reason}" if excluded_reason else "本年度评议尚未审核认证"
        allowed = Allowed((Outcome.DEFERRED, Outcome.REFUSED), Outcome.DEFERRED, why)
    if registered_before is False and Outcome.REGISTERED in allowed.outcomes:
        return Allowed(allowed.outcomes, Outcome.REFUSED, "上一年度未注册：予以注册须填写例外理由，由上级确认", True)
    return allowed


def overdue_since(today: dt.date | None = None) -> dt.date:
    """RG3: a member whose last registration (or, never registered, whose joining) is before this is overdue."""
    return months_before(today or timezone.localdate(), OVERDUE_MONTHS)
