"""The progress table as a workbook: the same selector as the page, another formatter.

A kind of the export engine (exports.engine): one row per direct subordinate, so always small enough to be
downloaded at once, but written, checked and named like every other export."""

import io

from django.utils import timezone

from core.exceptions import NotFound
from exports import engine
from exports.registry import ExportKind, register
from orgs import access

from .selectors import SORTS, progress_table

COLUMNS = (
    ("short_name", "组织简称"),
    ("orgs", "组织数"),
    ("orgs_complete", "组织信息完善数"),
    ("orgs_pct", "组织信息完善率(%)"),
    ("cadre_orgs", "团委/团工委/团总支数"),
    ("cadre_orgs_complete", "完成团干部录入数"),
    ("cadre_orgs_pct", "团干部录入完成率(%)"),
    ("branches", "团支部数"),
    ("branches_complete", "完成团员录入的团支部数"),
    ("branches_pct", "团员录入完成率(%)"),
    ("members", "团员数"),
    ("members_complete", "信息完整团员数"),
    ("members_pct", "团员信息完整率(%)"),
)


def check(actor, org, params: dict) -> dict:
    if not access.can_view(actor, org):
        raise NotFound("未找到该团组织，或您无权查看。", code="org_not_found")
    sort = params.get("sort") or ""
    return {"sort": sort if sort in SORTS else "", "descending": bool(params.get("descending"))}


def preamble(actor, org, params: dict, tally: dict) -> list[list]:
    table = tally["table"] = progress_table(org=org, sort=params["sort"], descending=params["descending"])
    as_of = timezone.localtime(table["as_of"]).strftime("%Y-%m-%d %H:%M:%S")
    return [[f"{table['org'].full_name} 录入进度（数据截至 {as_of}）"]]


def rows(actor, org, params: dict, tally: dict):
    table = tally["table"]
    for row in table["rows"]:
        yield [getattr(row, key) for key, _ in COLUMNS]
    total = table["self"]
    yield ["合计（含本级）", *[getattr(total, key) for key, _ in COLUMNS[1:]]]


def export_filename(org) -> str:
    return f"录入进度-{org.short_name}-{timezone.localdate():%Y%m%d}.xlsx"


KIND = register(
    ExportKind(
        name="progress",
        label="录入进度",
        sheet="录入进度",
        columns=tuple((label, 36 if key == "short_name" else 14) for key, label in COLUMNS),
        check=check,
        estimate=lambda actor, org, params: org.numchild + 1,  # one row per direct subordinate, and the total
        rows=rows,
        preamble=preamble,
        freeze_header=False,
        filename=lambda actor, org, params: export_filename(org),
    )
)


def progress_export(*, actor, org, sort: str = "", descending: bool = False):
    return engine.export_start(KIND.name, actor=actor, org=org, params={"sort": sort, "descending": descending})


def progress_workbook(*, org, actor=None, sort: str = "", descending: bool = False) -> bytes:
    """The workbook at once (tests, and callers that checked the reader already)."""
    params = {"sort": sort if sort in SORTS else "", "descending": descending}
    buffer = io.BytesIO()
    engine.write(KIND, actor=actor, org=org, params=params, out=buffer)
    return buffer.getvalue()
