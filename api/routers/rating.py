"""对标定级 (SPEC-2 DJ, API.md's 对标定级 table): the same services and selectors as the pages."""

import datetime as dt
from typing import Literal

from ninja import Router, Schema
from ninja.responses import Status

from api.routers import exports as exports_api
from api.schemas import ERRORS
from core.replicas import replica_view
from orgs import access
from rating import exports, selectors, services

router = Router(tags=["对标定级"])

LevelIn = Literal["五星", "四星", "三星", "二星", "不予定级"]


class RoundIn(Schema):
    year: int
    starts_on: dt.date
    ends_on: dt.date
    locks_at: dt.datetime | None = None
    top_share: int | None = None  # whole percent; default 30
    five_star_share: int | None = None


class RoundOut(Schema):
    id: int
    org_id: int
    year: int
    starts_on: dt.date
    ends_on: dt.date
    locks_at: dt.datetime
    top_share: int
    five_star_share: int | None


class RatingOut(Schema):
    eligible: bool
    ineligible_reason: str
    self_level: str | None
    self_reason: str
    changes_left: int | None
    changed_since_review: bool
    reviewed_level: str | None
    review_reason: str
    status: str


class SelfRatingIn(Schema):
    level: LevelIn
    reason: str
    founded_on: dt.date
    last_election_on: dt.date | None = None
    party_applicants: int
    key_project: str = ""


class ReviewIn(Schema):
    level: LevelIn
    reason: str = ""


class StatsRowOut(Schema):
    org_id: int
    short_name: str
    eligible: int
    self_rated: int
    reviewed: int
    five: int
    four: int
    three: int
    two: int
    none: int


class StatsOut(Schema):
    as_of: dt.datetime
    rows: list[StatsRowOut]


def _rating(request, org, year: int) -> dict:
    return services.rating_view(org=org, actor=request.auth, year=year).as_api()


@router.post("/{int:id}/rating-rounds", response={201: RoundOut, **ERRORS}, summary="开启对标定级（DJ1）")
def round_open(request, id: int, payload: RoundIn):
    """A committee's own admin opens the year's round for its subtree. Defaults: lock 31 December 12:00,
    四星及以上 30 %, no separate 五星 share. Inside a subtree already covered it may only tighten the shares."""
    org = access.fetch_org(request.auth, id, access.MANAGE)
    return Status(201, services.round_open(org=org, actor=request.auth, **payload.dict()))


@router.get("/{int:id}/rating-rounds", response={200: list[RoundOut], **ERRORS}, summary="覆盖本组织的对标定级")
def rounds(request, id: int):
    return services.rounds_for(org=access.fetch_org(request.auth, id))


@router.get("/{int:id}/rating/{int:year}", response={200: RatingOut, **ERRORS}, summary="本组织的对标定级")
def rating_get(request, id: int, year: int):
    """`changes_left` is 3 after the first save (DJ3); `status` is 不参评, 未自评, 待复核 or 已复核."""
    return _rating(request, access.fetch_org(request.auth, id), year)


@router.put("/{int:id}/rating/{int:year}", response={200: RatingOut, **ERRORS}, summary="对标定级自评（DJ3）")
def rating_self(request, id: int, year: int, payload: SelfRatingIn):
    org = access.fetch_org(request.auth, id, access.MANAGE)
    services.self_rate(org=org, actor=request.auth, year=year, **payload.dict())
    return _rating(request, org, year)


@router.post("/{int:id}/rating/{int:year}/review", response={200: RatingOut, **ERRORS}, summary="对标定级复核（DJ4）")
def rating_review(request, id: int, year: int, payload: ReviewIn):
    """The direct superior's admin; 409 over the share (of the rated organisations under the reviewer) or while
    空壳团支部 remain among its direct subordinates (DJ4, DJ5)."""
    org = access.fetch_org(request.auth, id, access.MANAGE_AS_SUPERIOR)
    services.review(org=org, actor=request.auth, year=year, **payload.dict())
    return _rating(request, org, year)


@router.get("/{int:id}/rating-stats/{int:year}", response={200: StatsOut, **ERRORS}, summary="对标定级统计（DJ7）")
@replica_view
def rating_stats(request, id: int, year: int):
    table = selectors.stats(org=access.fetch_org(request.auth, id), year=year)
    return {"as_of": table["as_of"], "rows": [r.as_api() for r in table["rows"]]}


@router.get(
    "/{int:id}/rating-stats/{int:year}.xlsx",
    response={**exports_api.ACCEPTED, **ERRORS},
    openapi_extra=exports_api.EXPORT_OPENAPI,
    summary="对标定级结果 Excel（DJ7）",
)
@replica_view
def rating_stats_xlsx(request, id: int, year: int):
    """Every rated organisation of the subtree with its self-rating and review, and the statistics sheet; a large
    subtree answers 202 with the export job."""
    org = access.fetch_org(request.auth, id)
    return exports_api.answer(exports.rating_export(actor=request.auth, org=org, year=year))
