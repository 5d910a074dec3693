"""The progress table as a workbook: the same selector as the page, another formatter."""

from django.utils import timezone
from openpyxl.styles import Font

from excel.workbooks import new_workbook, to_bytes

from .selectors import progress_table

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


def progress_workbook(*, org, sort: str = "", descending: bool = False) -> bytes:
    table = progress_table(org=org, sort=sort, descending=descending)
    wb = new_workbook()
    ws = wb.active
    ws.title = "录入进度"
    as_of = timezone.localtime(table["as_of"]).strftime("%Y-%m-%d %H:%M:%S")
    ws.append([f"{table['org'].full_name} 录入进度（数据截至 {as_of}）"])
    ws["A1"].font = Font(bold=True)
    ws.append([label for _, label in COLUMNS])
    for row in table["rows"]:
        ws.append([getattr(row, key) for key, _ in COLUMNS])
    total = table["self"]
    ws.append(["合计（含本级）", *[getattr(total, key) for key, _ in COLUMNS[1:]]])
    ws.column_dimensions["A"].width = 36
    return to_bytes(wb)  # neutralises every text cell (formula injection)


def export_filename(org) -> str:
    return f"录入进度-{org.short_name}-{timezone.localdate():%Y%m%d}.xlsx"
