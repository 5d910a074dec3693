"""The graduation season in one workbook (SPEC-2 GR5): the subtree's graduating members still in their branch with
where their transfer stands, then the counts per direct subordinate. A kind of the export engine, so a province's
season is written by the background worker like every other big export. Names only: no ID number or mobile."""

from django.utils import timezone

from core.dates import year_param
from exports import engine
from exports.registry import ExportKind, register
from orgs import access
from transfers.models import OPEN, TransferRequest

from . import rules, selectors

CHUNK = 2000
COLUMNS = (("所在团支部", 44), ("组织类别", 12), ("姓名", 12), ("毕业生标记", 14), ("转出状态", 16), ("转入组织", 44))
STATS_COLUMNS = ("组织", "毕业生", "已发起转出", "已通过", "审批中", "被退回")


def check(actor, org, params: dict) -> dict:
    access.require_view(actor, org)
    return {"year": rules.check_year(year_param(params.get("year")))}


def estimate(actor, org, params: dict) -> int:
    return selectors.graduating_members(org, params["year"]).count()


def rows(actor, org, params: dict, tally: dict):
    members = selectors.graduating_members(org, params["year"]).select_related("graduate_flag")
    chunk: list = []
    for person in members.iterator(chunk_size=CHUNK):
        chunk.append(person)
        if len(chunk) == CHUNK:
            yield from _rows(chunk)
            chunk = []
    yield from _rows(chunk)


def _rows(people: list):
    open_ = {t.person_id: t for t in TransferRequest.objects.filter(person__in=[p.pk for p in people], status__in=OPEN)}
    for p in people:
        t = open_.get(p.pk)
        flag = getattr(p, "graduate_flag", None)
        yield [p.branch.full_name, p.branch.category, p.name, flag.flag if flag else "",
               t.status if t else "未发起", t.to_name if t else ""]  # fmt: skip


def finish(wb, actor, org, params: dict, count: int, tally: dict) -> None:
    """The counts sheet: the same selector as the page."""
    engine.totals_sheet(
        wb, title=f"{org.full_name} {params['year']}年毕业季（截至 {timezone.localtime():%Y-%m-%d %H:%M}）",
        columns=STATS_COLUMNS, table=selectors.season(org=org, year=params["year"]),
        values=lambda r: [r.graduating, r.initiated, r.approved, r.pending, r.returned],
    )  # fmt: skip


KIND = register(
    ExportKind(
        name="graduation_season", label="毕业季情况", sheet="毕业生", columns=COLUMNS, check=check,
        estimate=estimate, rows=rows, finish=finish,
        filename=lambda actor, org, params: f"毕业季-{org.short_name}-{params['year']}.xlsx",
    )
)  # fmt: skip


def season_export(*, actor, org, year: int):
    return engine.export_start(KIND.name, actor=actor, org=org, params={"year": year})
