"""导出团员名单 (SPEC §7, P9): every member of a subtree in one workbook.

A province holds millions of members, so rows are read in chunks and written
with openpyxl's write-only mode (rows go to a temporary file, not a cell tree
in memory). ID numbers and mobiles are masked except in rows of a branch the
exporting person administers (P9: superiors see basic information read-only).
"""

from django.db import transaction
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from audit.services import audit_record
from core import pii
from core.exceptions import NotFound
from imports.workbooks import HEADER_FILL, HEADER_FONT, new_workbook, safe_row, to_bytes
from orgs import access as org_access
from orgs.models import Org

from .selectors import subtree_members

SHEET = "团员名单"
CHUNK_SIZE = 2000
COLUMNS = (
    ("所在团支部", 40),
    ("姓名", 12),
    ("身份证号码", 22),
    ("性别", 6),
    ("出生日期", 12),
    ("民族", 10),
    ("政治面貌", 14),
    ("入团年月", 10),
    ("学历", 14),
    ("职业", 12),
    ("手机号码", 14),
    ("信息完整", 10),
)


def members_workbook(*, actor, org: Org) -> bytes:
    """The workbook's bytes; the export is audited with its row count."""
    if not org_access.can_view(actor, org):
        raise NotFound("未找到该团组织，或您无权查看。", code="org_not_found")
    own_branches = org_access.admin_org_ids(actor)

    wb = new_workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    for index, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    header = []
    for title, _ in COLUMNS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    ws.append(header)

    count = 0
    # One transaction: on PostgreSQL the chunks come from one server-side cursor over one snapshot.
    with transaction.atomic():
        members = subtree_members(org).order_by("branch__path", "name", "id")
        for person in members.iterator(chunk_size=CHUNK_SIZE):
            full = person.branch_id in own_branches
            ws.append(safe_row(_row(person, full=full)))
            count += 1
        audit_record(actor=actor, verb="导出团员名单", target=org, org=org, changes={"count": count})

    return to_bytes(wb)


def _row(person, *, full: bool) -> list:
    return [
        person.branch.full_name,
        person.name,
        person.id_number if full else pii.mask_id_number(person.id_number),
        person.gender,
        person.birth_date.isoformat(),
        person.ethnicity,
        person.political_status,
        person.league_join_date.strftime("%Y-%m") if person.league_join_date else "",
        person.education,
        person.occupation,
        person.mobile if full else pii.mask_mobile(person.mobile),
        "是" if person.complete else "否",
    ]


def export_filename(org: Org) -> str:
    return f"团员名单-{org.short_name}-{timezone.localdate():%Y%m%d}.xlsx"
