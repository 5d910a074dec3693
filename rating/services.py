"""对标定级 (SPEC-2 DJ): opening a round, the self-rating and the review. Every change and every permission check
of the module is here; the pages and the API call these and render what `rating_view` returns.

The review is the 复核 step of a process on the approval engine (SPEC-2 W1): the self-rating opens it for the
direct superior, whose 待办 lists it, and the review closes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from core.dates import check_window
from core.exceptions import Conflict, Invalid, NotAllowed
from core.normalize import clean_text
from orgs import access
from orgs.models import Org
from workflow import engine
from workflow.models import Action, Process
from workflow.models import Status as ProcessStatus

from . import rules, selectors
from .models import Level, Rating, RatingRound

KIND = "对标定级复核"
DEFAULT_TOP_SHARE = 30


def default_locks_at(year: int) -> dt.datetime:
    """DJ6: 31 December 12:00 of the round's year."""
    return timezone.make_aware(dt.datetime(year, 12, 31, 12, 0))


def _field_error(field: str, message: str, code: str = "invalid") -> Invalid:
    return Invalid(message, code=code, errors=[{"field": field, "message": message}])


# --- rounds (DJ1, DJ5) ----------------------------------------------------------------------------------------


@transaction.atomic
def round_open(
    *,
    org: Org,
    actor,
    year: int,
    starts_on: dt.date,
    ends_on: dt.date,
    locks_at: dt.datetime | None = None,
    top_share: int | None = None,
    five_star_share: int | None = None,
) -> RatingRound:
    """A committee opens the year's round for its subtree; inside a covered subtree it only tightens the shares."""
    access.require_committee_admin(actor, org, action="开启对标定级")
    check_window(year, starts_on, ends_on)
    locks_at = locks_at or default_locks_at(year)
    if locks_at.date() < ends_on:
        raise _field_error("locks_at", "复核锁定时间不能早于自评截止日期。")
    top = DEFAULT_TOP_SHARE if top_share is None else top_share
    if not 0 <= top <= 100:
        raise _field_error("top_share", "四星及以上占比应为 0 到 100 之间的整数（30 表示 30%）。")
    if five_star_share is not None and not 0 <= five_star_share <= top:
        raise _field_error("five_star_share", "五星占比应为 0 到四星及以上占比之间的整数。")
    if RatingRound.objects.filter(org=org, year=year).exists():
        raise Conflict(f"本组织已开启{year}年度对标定级。", code="round_exists")
    above = rules.top_round(org, year)
    if above is not None:
        # A lower committee in a covered subtree: the higher round's window holds; shares may only be tightened.
        shares = rules.shares_for(org, year)
        if top > shares.top or (
            shares.five is not None and five_star_share is not None and five_star_share > shares.five
        ):
            raise Conflict(
                f"{above.org.full_name}已开启{year}年度对标定级（四星及以上不超过{shares.top}%"
                f"{f'，五星不超过{shares.five}%' if shares.five is not None else ''}），本组织只能收紧占比。",
                code="share_not_tighter",
            )
        starts_on, ends_on, locks_at = above.starts_on, above.ends_on, above.locks_at
    rnd = RatingRound.objects.create(
        org=org, year=year, starts_on=starts_on, ends_on=ends_on, locks_at=locks_at, top_share=top,
        five_star_share=five_star_share, opened_by=actor,
    )  # fmt: skip
    audit_record(actor=actor, verb="开启对标定级", target=rnd, org=org,
                 changes={"年度": year, "开始": str(starts_on), "截止": str(ends_on), "四星及以上占比": top,
                          "五星占比": five_star_share})  # fmt: skip
    return rnd


def rounds_for(*, org: Org) -> list[RatingRound]:
    """The rounds that cover `org` (any year), newest year first."""
    return rules.covering_rounds(org)


# --- reading one rating ---------------------------------------------------------------------------------------------


@dataclass
class RatingView:
    """What the page and GET /orgs/{id}/rating/{year} show of one organisation's year."""

    org: Org
    year: int
    round: RatingRound | None
    ineligible_reason: str
    rating: Rating | None
    may_self_rate: bool
    may_review: bool

    @property
    def eligible(self) -> bool:
        return not self.ineligible_reason

    @property
    def status(self) -> str:
        if not self.eligible and self.rating is None:
            return "不参评"
        return self.rating.status if self.rating else "未自评"

    @property
    def changes_left(self) -> int | None:
        return changes_left(self.rating) if self.rating else None

    def as_api(self) -> dict:
        r = self.rating
        return {
            "eligible": self.eligible, "ineligible_reason": self.ineligible_reason,
            "self_level": r.self_level if r else None, "self_reason": r.self_reason if r else "",
            "changes_left": self.changes_left, "changed_since_review": bool(r and r.changed_since_review),
            "reviewed_level": (r.reviewed_level or None) if r else None, "review_reason": r.review_reason if r else "",
            "status": self.status,
        }  # fmt: skip


def changes_left(rating: Rating) -> int:
    return max(0, rules.MAX_CHANGES - (rating.saves - 1))


def rating_view(*, org: Org, actor, year: int) -> RatingView:
    """One organisation's rating of `year` as `actor` may see it (the caller fetched `org` with VIEW)."""
    rnd = rules.top_round(org, year)
    rating = Rating.objects.filter(org=org, year=year).select_related("reviewed_by").first()
    return RatingView(
        org=org, year=year, round=rnd, ineligible_reason=rules.eligibility(org, year, rnd=rnd), rating=rating,
        may_self_rate=access.is_admin_of(actor, org), may_review=access.is_admin_of_parent(actor, org),
    )  # fmt: skip


# --- self-rating (DJ3, DJ6) ---------------------------------------------------------------------------------------


def _check_self_rating(org, rnd, *, level, reason, founded_on, last_election_on, party_applicants, key_project):
    today = timezone.localdate()
    if today < rnd.starts_on:
        raise Conflict(f"{rnd.year}年度对标定级自评从{rnd.starts_on:%Y-%m-%d}开始。", code="window_not_open")
    if today > rnd.ends_on:
        raise Conflict(
            f"{rnd.year}年度对标定级自评已于{rnd.ends_on:%Y-%m-%d}截止，不能再提交或修改。", code="window_closed"
        )
    if founded_on is None or founded_on > today:
        raise _field_error("founded_on", "请确认成立时间（不能晚于今天）。")
    if last_election_on is not None and not founded_on <= last_election_on <= today:
        raise _field_error("last_election_on", "最近一次换届时间应在成立时间和今天之间。")
    if party_applicants is None or party_applicants < 0:
        raise _field_error("party_applicants", "请确认递交入党申请书的人数（0 或正整数）。")
    if not reason:
        raise _field_error("reason", "请填写自评理由。")
    if len(reason) > 500:
        raise _field_error("reason", "自评理由最多 500 字。")
    problem = rules.eligibility(org, rnd.year, rnd=rnd, founded_on=founded_on)
    if problem:
        raise Conflict(problem, code="not_eligible")
    problem = rules.level_problem(org, level, rnd=rnd, founded_on=founded_on)
    if problem:
        raise _field_error("level", problem, "level_not_allowed")
    if level == Level.FIVE and not rules.KEY_PROJECT_MIN <= len(key_project) <= rules.KEY_PROJECT_MAX:
        raise _field_error(
            "key_project",
            f"自评五星需填写重点工作项目，{rules.KEY_PROJECT_MIN}至{rules.KEY_PROJECT_MAX}字（现为{len(key_project)}字）。",
        )


@transaction.atomic
def self_rate(
    *,
    org: Org,
    actor,
    year: int,
    level: str,
    reason: str,
    founded_on: dt.date | None,
    last_election_on: dt.date | None = None,
    party_applicants: int | None = 0,
    key_project: str = "",
) -> Rating:
    """DJ3: the organisation's own admin rates it; at most 3 changes before review; after review it is locked,
    except that a 不予定级 organisation may re-rate once after correcting (DJ6), which reopens review."""
    if not access.is_admin_of(actor, org):
        raise NotAllowed("只有本组织管理员可以填写本组织的对标定级自评。", code="forbidden")
    rnd = rules.top_round(org, year)
    if rnd is None:
        raise Conflict(f"上级团组织尚未开启{year}年度对标定级。", code="no_round")
    org = Org.objects.select_for_update().get(pk=org.pk)
    reason, key_project = clean_text(reason or ""), (key_project or "").strip()
    _check_self_rating(org, rnd, level=level, reason=reason, founded_on=founded_on, last_election_on=last_election_on,
                       party_applicants=party_applicants, key_project=key_project)  # fmt: skip
    rating = Rating.objects.select_for_update().filter(org=org, year=year).first()
    fields = {"self_level": level, "self_reason": reason, "founded_on": founded_on,
              "last_election_on": last_election_on, "party_applicants": party_applicants,
              "key_project": key_project if level == Level.FIVE else ""}  # fmt: skip
    verb = "对标定级自评"
    if rating is None:
        rating = Rating.objects.create(org=org, year=year, first_level=level, **fields)
        rating.process = _start_review(rating, actor)
    elif rating.status == Rating.Status.REVIEWED:
        if rating.reviewed_level != Level.NONE or rating.rerated:
            raise Conflict("已复核，自评已锁定；不予定级的组织整改后可重新自评一次。", code="rating_locked")
        verb = "对标定级整改后重新自评"
        rating.rerated, rating.status, rating.changed_since_review = True, Rating.Status.PENDING, True
        rating.saves += 1
        rating.process = _start_review(rating, actor)
    else:
        if changes_left(rating) == 0:
            raise Conflict(f"复核前自评最多修改{rules.MAX_CHANGES}次，已用完；请等待上级复核。", code="changes_used")
        rating.saves += 1
        rating.changed_since_review = True
    for name, value in fields.items():
        setattr(rating, name, value)
    rating.save()
    if org.founded_on != founded_on:
        Org.objects.filter(pk=org.pk).update(founded_on=founded_on)  # DJ3: the confirmed 成立时间
    audit_record(actor=actor, verb=verb, target=rating, org=org,
                 changes={"自评等级": level, "第几次保存": rating.saves})  # fmt: skip
    return rating


def _start_review(rating: Rating, actor) -> Process:
    org = rating.org
    return engine.process_start(
        kind=KIND, title=f"{org.full_name}{rating.year}年度对标定级自评：{rating.self_level}", started_by=actor,
        first=engine.Handler(name="上级复核", org=org.parent), subject_org=org, starting_org=org,
    )  # fmt: skip


# --- review (DJ2, DJ4–DJ6) -----------------------------------------------------------------------------------------


def share_counts(reviewer: Org, year: int, *, exclude_org: Org | None = None) -> dict:
    """DJ5: the reviewing committee's rated direct subordinates and the 五星 / 四星 it has given."""
    direct = Org.objects.filter(rules.eligible_q(reviewer, year), parent=reviewer)
    reviewed = Rating.objects.filter(org__in=direct, year=year, status=Rating.Status.REVIEWED)
    if exclude_org is not None:
        reviewed = reviewed.exclude(org=exclude_org)
    five = reviewed.filter(reviewed_level=Level.FIVE).count()
    four = reviewed.filter(reviewed_level=Level.FOUR).count()
    return {"base": direct.count(), "five": five, "four": four}


def _check_share(reviewer: Org, org: Org, year: int, level: str) -> None:
    if level not in rules.TOP:
        return
    shares = rules.shares_for(reviewer, year)
    counts = share_counts(reviewer, year, exclude_org=org)
    top_limit, five_limit = shares.limits(counts["base"])
    top_after = counts["five"] + counts["four"] + 1
    if top_after > top_limit:
        raise Conflict(
            f"四星及以上不能超过参评组织的{shares.top}%：本组织直属参评组织{counts['base']}个，最多{top_limit}个；"
            f"已定五星{counts['five']}个、四星{counts['four']}个，再定{level}将达{top_after}个。",
            code="share_exceeded",
        )
    if level == Level.FIVE and five_limit is not None and counts["five"] + 1 > five_limit:
        raise Conflict(
            f"五星不能超过参评组织的{shares.five}%：直属参评组织{counts['base']}个，最多{five_limit}个，已定{counts['five']}个。",
            code="share_exceeded",
        )


def _check_no_hollow(reviewer: Org) -> None:
    hollow = list(selectors.hollow_direct(reviewer)[:4])
    if hollow:
        names = "、".join(o.short_name for o in hollow[:3]) + ("等" if len(hollow) > 3 else "")
        raise Conflict(
            f"直属团支部中仍有空壳团支部（{names}，信息完整的团员少于3人），整顿或补录后才能复核。",
            code="hollow_branches",
        )


@transaction.atomic
def review(*, org: Org, actor, year: int, level: str, reason: str = "") -> Rating:
    """DJ4: the direct superior accepts or sets the level (a reason where it differs), within the share (DJ5),
    with no 空壳团支部 left under it, until the round's lock time (DJ6)."""
    reviewer = org.parent
    if reviewer is None or not access.is_admin_of(actor, reviewer):
        raise NotAllowed("只有直属上级组织的管理员可以复核对标定级。", code="forbidden")
    rnd = rules.top_round(org, year)
    rating = Rating.objects.select_for_update().filter(org=org, year=year).first()
    if rnd is None or rating is None:
        raise Conflict(f"{org.short_name}尚未填写{year}年度对标定级自评，不能复核。", code="not_self_rated")
    if timezone.now() > rnd.locks_at:
        raise Conflict(f"{year}年度对标定级已于{timezone.localtime(rnd.locks_at):%Y-%m-%d %H:%M}锁定，复核结果不能再修改。",
                       code="round_locked")  # fmt: skip
    Org.objects.select_for_update().filter(pk=reviewer.pk).first()  # one reviewer's share at a time
    reason = clean_text(reason or "")
    if level not in Level.values:
        raise _field_error("level", f"等级只能是{'、'.join(Level.values)}之一。")
    if level != rating.self_level and not reason:
        raise _field_error(
            "reason", f"复核等级（{level}）与自评（{rating.self_level}）不同，请填写理由。", "reason_required"
        )
    _check_no_hollow(reviewer)
    problem = rules.level_problem(org, level, rnd=rnd)
    if problem:
        raise _field_error("level", problem, "level_not_allowed")
    _check_share(reviewer, org, year, level)
    process = Process.objects.filter(pk=rating.process_id).first()
    if process is not None and process.is_open:
        engine.require_handler(actor, process)  # W1: never on a process one started
    previous = rating.reviewed_level
    rating.reviewed_level, rating.review_reason = level, reason
    rating.reviewed_by, rating.reviewed_at = actor, timezone.now()
    rating.status, rating.changed_since_review = Rating.Status.REVIEWED, False
    rating.save()
    if process is not None and process.is_open:
        engine.process_move(process=process, actor=actor, action=Action.APPROVE, label="复核",
                            opinion=f"复核为{level}" + (f"：{reason}" if reason else ""), status=ProcessStatus.APPROVED)  # fmt: skip
    audit_record(actor=actor, verb="对标定级复核", target=rating, org=org,
                 changes={"自评等级": rating.self_level, "复核等级": level, "原复核等级": previous or None})  # fmt: skip
    return rating


class ReviewFlow(engine.Definition):
    """The 复核 step in 待办: approving it from the generic process page accepts the self-rated level."""

    kind = KIND
    record_model = Rating
    record_gone = "该对标定级记录已不存在。"

    def reject(self, process, *, actor, opinion):
        raise Conflict("对标定级复核请在复核页面设定等级（可定为不予定级），不能驳回。", code="action_not_allowed")

    def approve(self, process, *, actor, opinion):
        rating = self.record(process)
        review(org=rating.org, actor=actor, year=rating.year, level=rating.self_level, reason=opinion)
        return Process.objects.get(pk=process.pk)

    def detail_url(self, process) -> str:
        rating = Rating.objects.filter(process=process).first()
        return reverse("rating:org", args=[rating.org_id, rating.year]) if rating else ""


engine.register(ReviewFlow())
