"""导出团员名单 (SPEC §7, P9): every member of a subtree in one workbook.

A province holds millions of members: this is a kind of the export engine
(exports.engine), which streams the rows read here in chunks into a write-only
workbook, splits them into several sheets past Excel's limit, and writes a big
subtree's list in the background worker (a job page with a progress bar and the
download). ID numbers and mobiles are masked by default, for everyone
(issue 12, item 10). A full export (`full=True`) needs a reason, shows them in
full only in rows of a branch the exporting person administers (P9: superiors
see basic information read-only), is audited with its reason, and carries the
exporter's name, the time and the reason in the file (a 说明 sheet and the
document properties).
"""

from django.utils import timezone

from audit.services import audit_record
from core.exceptions import Invalid, NotAllowed, NotFound
from core.normalize import clean_text
from excel.workbooks import safe_row
from exports import engine
from exports.registry import ExportKind, register
from orgs import access as org_access
from orgs.models import Org

from . import queries
from .selectors import subtree_member_list, subtree_members

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


def check(actor, org: Org, params: dict) -> dict:
    """Who may run it: anyone who can see the organisation, masked; a full export needs a reason and a branch
    of the subtree the actor administers (the rows shown in full)."""
    if not org_access.can_view(actor, org):
        raise NotFound("未找到该团组织，或您无权查看。", code="org_not_found")
    if not params.get("full"):
        return {"full": False}
    reason = clean_reason(params.get("reason"))
    if not full_export_branches(actor, org):
        raise NotAllowed(FULL_NOT_ALLOWED, code="forbidden")
    return {"full": True, "reason": reason}


def estimate(actor, org: Org, params: dict) -> int:
    return subtree_member_list(org).count()  # the progress aggregates: no count of a province's rows


def rows(actor, org: Org, params: dict, tally: dict):
    """The subtree's members branch by branch, then by name, read in chunks (one query per chunk, the branch
    joined in); `tally["full"]` counts the rows shown in full."""
    full = params["full"]
    tally["full"] = 0
    members = subtree_members(org).order_by("branch__path", "name", "id")
    for person in members.iterator(chunk_size=CHUNK_SIZE):
        numbers = queries.export_numbers(viewer=actor, person=person) if full else queries.masked_numbers(person)
        tally["full"] += numbers.full
        yield _row(person, numbers)


def finish(wb, actor, org: Org, params: dict, count: int, tally: dict) -> None:
    """Audited with its row count (and reason); a full export carries who, when and why in the file."""
    if params["full"]:
        reason = params["reason"]
        audit_record(actor=actor, verb=FULL_VERB, target=org, org=org,
                     changes={"count": count, "full": tally["full"], "reason": reason})  # fmt: skip
        _add_notes(wb, actor=actor, org=org, reason=reason, count=count, shown_full=tally["full"])
    else:
        audit_record(actor=actor, verb="导出团员名单", target=org, org=org, changes={"count": count})


KIND = register(
    ExportKind(
        name="members",
        label="团员名单",
        sheet=SHEET,
        columns=COLUMNS,
        check=check,
        estimate=estimate,
        rows=rows,
        finish=finish,
        snapshot=True,
        filename=lambda actor, org, params: export_filename(org, full=params["full"]),
    )
)


def members_params(*, full: bool = False, reason: str = "") -> dict:
    return {"full": True, "reason": reason} if full else {}


def members_export(*, actor, org: Org, full: bool = False, reason: str = ""):
    """导出团员名单 through the export engine: the download now, or a background job for a big subtree."""
    return engine.export_start(KIND.name, actor=actor, org=org, params=members_params(full=full, reason=reason))


def members_workbook(*, actor, org: Org, full: bool = False, reason: str = "") -> bytes:
    """The workbook's bytes at once, whatever the size (masked unless `full`; audited)."""
    return engine.workbook_bytes(KIND.name, actor=actor, org=org, params=members_params(full=full, reason=reason))


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
