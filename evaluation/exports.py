"""The 两制 supervision table as a workbook (EV8/RG4): the same selector as the page, on the export engine."""

from django.utils import timezone

from core.dates import year_param
from exports import engine
from exports.registry import ExportKind, register
from orgs import access

from .selectors import supervision

COLUMNS = (("组织", 30), ("团支部数", 10), ("已提交", 8), ("已审核认证", 10), ("参评人数", 10), ("优秀", 8),
           ("合格", 8), ("基本合格", 10), ("不合格", 8), ("优秀占比", 10), ("予以注册", 10), ("暂缓注册", 10),
           ("不予注册", 10))  # fmt: skip


def check(actor, org, params: dict) -> dict:
    access.require_view(actor, org)
    return {"year": year_param(params.get("year"))}


def _values(r) -> list:
    f = r.figures
    return [r.branches, f["submitted"], f["approved"], f["participants"], f["excellent"], f["qualified"], f["basic"],
            f["unqualified"], r.excellent_share, f["registered"], f["deferred"], f["refused"]]  # fmt: skip


def preamble(actor, org, params: dict, tally: dict) -> list[list]:
    table = tally["table"] = supervision(org=org, year=params["year"])
    return [
        [f"{org.full_name} {params['year']}年度两制进度（截至 {timezone.localtime(table['as_of']):%Y-%m-%d %H:%M}）"]
    ]


def rows(actor, org, params: dict, tally: dict):
    table = tally["table"]
    for r in table["rows"]:
        yield [r.short_name, *_values(r)]
    yield ["合计（含本级）", *_values(table["total"])]


KIND = register(
    ExportKind(
        name="evaluation", label="两制进度", sheet="两制进度", columns=COLUMNS, check=check,
        estimate=lambda actor, org, params: org.numchild + 1, rows=rows, preamble=preamble, freeze_header=False,
        filename=lambda actor, org, params: f"两制进度-{org.short_name}-{params['year']}.xlsx",
    )
)  # fmt: skip


def supervision_export(*, actor, org, year: int):
    return engine.export_start(KIND.name, actor=actor, org=org, params={"year": year})
