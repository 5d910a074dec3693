"""导出团员名单 (SPEC §7, P9): every member of a subtree in one workbook.

A province holds millions of members, so rows are read in chunks and written
with openpyxl's write-only mode (rows go to a temporary file, not a cell tree
in memory). ID numbers and mobiles are masked by default, for everyone
(issue 12, item 10). A full export (`full=True`) needs a reason, shows them in
full only in rows of a branch the exporting person administers (P9: superiors
see basic information read-only), is audited with its reason, and carries the
exporter's name, the time and the reason in the file (a 说明 sheet and the
document properties).
"""

from django.db import transaction
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from audit.services import audit_record
from core.exceptions import Invalid, NotAllowed, NotFound
from core.normalize import clean_text
from excel.workbooks import HEADER_FILL, HEADER_FONT, new_workbook, safe_row, to_bytes
from orgs import access as org_access
from orgs.models import Org

from . import queries
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


FULL_VERB = "导出团员名单（完整身份证号码）"
REASON_MAX = 200
REASON_REQUIRED = (
    "导出完整身份证号码和手机号码须填写用途（例如：报送上级团委核对团员信息），该用途会记入操作记录并写入导出文件。"
)
FULL_NOT_ALLOWED = "只有团支部管理员可以导出本支部团员的完整身份证号码和手机号码；上级组织只能导出隐去中间位的名单（不填用途，直接导出）。"


def full_export_branches(actor, org: Org) -> list[Org]:
    """The branches in `org`'s subtree whose rows a full export shows in full: those the actor administers."""
    return [o for o in org_access.admin_orgs(actor) if o.is_branch and o.path.startswith(org.path)]


def clean_reason(reason: str | None) -> str:
    reason = clean_text(reason or "")
    if not reason:
        raise Invalid(REASON_REQUIRED, code="reason_required", errors=[{"field": "reason", "message": REASON_REQUIRED}])
    if len(reason) > REASON_MAX:
        message = f"用途最多{REASON_MAX}个字，请简要填写。"
        raise Invalid(message, code="reason_too_long", errors=[{"field": "reason", "message": message}])
    return reason


def members_workbook(*, actor, org: Org, full: bool = False, reason: str = "") -> bytes:
    """The workbook's bytes, masked unless `full`; the export is audited with its row count (and reason)."""
    if not org_access.can_view(actor, org):
        raise NotFound("未找到该团组织，或您无权查看。", code="org_not_found")
    own_branches: set[int] = set()
    if full:
        reason = clean_reason(reason)
        own_branches = {o.pk for o in full_export_branches(actor, org)}
        if not own_branches:
            raise NotAllowed(FULL_NOT_ALLOWED, code="forbidden")

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

    count = shown_full = 0
    # One transaction: on PostgreSQL the chunks come from one server-side cursor over one snapshot.
    with transaction.atomic():
        members = subtree_members(org).order_by("branch__path", "name", "id")
        for person in members.iterator(chunk_size=CHUNK_SIZE):
            numbers = queries.export_numbers(viewer=actor, person=person) if full else queries.masked_numbers(person)
            row_full = numbers.full
            ws.append(safe_row(_row(person, numbers)))
            count += 1
            shown_full += row_full
        if full:
            audit_record(actor=actor, verb=FULL_VERB, target=org, org=org,
                         changes={"count": count, "full": shown_full, "reason": reason})  # fmt: skip
        else:
            audit_record(actor=actor, verb="导出团员名单", target=org, org=org, changes={"count": count})

    if full:
        _add_notes(wb, actor=actor, org=org, reason=reason, count=count, shown_full=shown_full)
    return to_bytes(wb)


def _add_notes(wb, *, actor, org: Org, reason: str, count: int, shown_full: int) -> None:
    """Who exported the full list, when and why: a 说明 sheet and the document properties."""
    at = timezone.localtime()
    notes = wb.create_sheet("说明")
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 90
    for row in (
        ("导出人", actor.name),
        ("导出时间", f"{at:%Y-%m-%d %H:%M:%S}"),
        ("导出组织", org.full_name),
        ("用途", reason),
        ("行数", f"{count}（其中{shown_full}行为完整身份证号码和手机号码）"),
        ("注意", "本文件含团员的完整身份证号码和手机号码，属于敏感个人信息：仅限上述用途使用，不得转发、公开，用毕请删除。"
                 "本次导出已记入操作记录。"),
    ):  # fmt: skip
        notes.append(safe_row(row))
    wb.properties.creator = actor.name
    wb.properties.title = f"团员名单（完整身份证号码）-{org.short_name}"
    wb.properties.description = f"导出人：{actor.name}；导出时间：{at:%Y-%m-%d %H:%M}；用途：{reason}"


def _row(person, numbers: queries.Numbers) -> list:
    return [
        person.branch.full_name,
        person.name,
        numbers.id_number,
        person.gender,
        person.birth_date.isoformat(),
        person.ethnicity,
        person.political_status,
        person.league_join_date.strftime("%Y-%m") if person.league_join_date else "",
        person.education,
        person.occupation,
        numbers.mobile,
        "是" if person.complete else "否",
    ]


def export_filename(org: Org, *, full: bool = False) -> str:
    return f"团员名单{'（完整）' if full else ''}-{org.short_name}-{timezone.localdate():%Y%m%d}.xlsx"
