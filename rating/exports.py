"""对标定级 in one workbook (SPEC-2 DJ7): every rated organisation of the subtree with its self-rating and
review, then the statistics per direct subordinate. A kind of the export engine, so a province's results are
written by the background worker with a progress bar, like every other big export."""

from django.utils import timezone

from core.dates import year_param
from exports import engine
from exports.registry import ExportKind, register
from orgs import access

from . import selectors
from .models import Rating

CHUNK = 2000
COLUMNS = (
    ("组织全称", 40), ("组织类别", 10), ("上级组织", 30), ("状态", 8), ("自评等级", 10), ("自评修改次数", 12),
    ("复核等级", 10), ("复核意见", 30), ("复核时间", 18),
)  # fmt: skip
STATS_COLUMNS = ("组织", "参评组织数", "已自评", "已复核", "复核率", "五星", "四星", "三星", "二星", "不予定级")


def check(actor, org, params: dict) -> dict:
    access.require_view(actor, org)
    return {"year": year_param(params.get("year"))}


def estimate(actor, org, params: dict) -> int:
    return selectors.subtree_results(org=org, year=params["year"]).count()


def rows(actor, org, params: dict, tally: dict):
    """The rated organisations in path order, their ratings read one chunk at a time."""
    orgs = selectors.subtree_results(org=org, year=params["year"])
    chunk: list = []
    for o in orgs.iterator(chunk_size=CHUNK):
        chunk.append(o)
        if len(chunk) == CHUNK:
            yield from _rows(chunk, params["year"])
            chunk = []
    yield from _rows(chunk, params["year"])


def _rows(orgs: list, year: int):
    ratings = {r.org_id: r for r in Rating.objects.filter(org__in=[o.pk for o in orgs], year=year)}
    for o in orgs:
        r = ratings.get(o.pk)
        reviewed_at = timezone.localtime(r.reviewed_at).strftime("%Y-%m-%d %H:%M") if r and r.reviewed_at else ""
        yield [
            o.full_name, o.category, o.parent.full_name if o.parent else "", r.status if r else "未自评",
            r.self_level if r else "", (r.saves - 1) if r else "", r.reviewed_level if r else "",
            r.review_reason if r else "", reviewed_at,
        ]  # fmt: skip


def finish(wb, actor, org, params: dict, count: int, tally: dict) -> None:
    """The statistics sheet: the same selector as the page."""
    engine.totals_sheet(
        wb, title=f"{org.full_name} {params['year']}年度对标定级统计（截至 {timezone.localtime():%Y-%m-%d %H:%M}）",
        columns=STATS_COLUMNS, table=selectors.stats(org=org, year=params["year"]),
        values=lambda r: [r.eligible, r.self_rated, r.reviewed, r.review_rate, *r.levels.values()],
    )  # fmt: skip


KIND = register(
    ExportKind(
        name="rating", label="对标定级结果", sheet="定级结果", columns=COLUMNS, check=check, estimate=estimate,
        rows=rows, finish=finish, filename=lambda actor, org, params: f"对标定级-{org.short_name}-{params['year']}.xlsx",
    )
)  # fmt: skip


def rating_export(*, actor, org, year: int):
    return engine.export_start(KIND.name, actor=actor, org=org, params={"year": year})
