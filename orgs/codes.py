"""管理员注册码 (SPEC C1, C2): issued by the direct superior's admin, used once by a registration.

Codes are core.onetime codes (8 characters, case-sensitive, no look-alikes,
stored only as a keyed hash). The plain code exists once: in the answer to
the admin who issued it (on the page or in the Excel file).
Reading the codes' state (GET) shows their status and expiry, never a code,
and changes nothing; issuing in bulk is a POST.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core import onetime
from core.exceptions import Conflict
from excel.workbooks import table_workbook, to_bytes
from exports import engine
from exports.registry import ExportKind, register

from . import access, rules, selectors  # selectors imports this module too: use it by module, not by name
from .models import Org, RegistrationCode

KIND = onetime.REGISTRATION
LENGTH = onetime.LENGTH
VALID_DAYS = KIND.valid.days


@dataclass
class IssuedCode:
    org: Org
    code: str
    expires_at: datetime


def code_hash(code: str) -> str:
    return onetime.code_hash(KIND, code)


def _issue(orgs: list[Org], actor) -> list[IssuedCode]:
    """A new code for each organisation, replacing its unused one: two queries however many there are."""
    codes = onetime.issue_for(KIND, RegistrationCode, "org", orgs, actor)
    return [IssuedCode(org=org, code=c.code, expires_at=c.expires_at) for org, c in zip(orgs, codes, strict=True)]


@transaction.atomic
def registration_code_issue(*, org: Org, actor) -> IssuedCode:
    """C2: one code for one direct subordinate; the unused old one stops working."""
    access.require_manage(actor, org, as_self=False, action="生成该组织的管理员注册码")
    rules.refuse_pending(org, "它不设管理员，不生成注册码。")
    [issued] = _issue([org], actor)
    audit_record(actor=actor, verb="生成管理员注册码", target=org, org=org.parent)
    return issued


def _without_admin(parent: Org) -> list[Org]:

    return [child for child in selectors.org_children(parent) if not child.admin_count and not child.is_pending]


@dataclass
class BatchPlan:
    """What 批量生成 would do now: codes for `orgs` (the direct subordinates without a registered admin),
    `replaces` of their unused, unexpired codes stopping working."""

    orgs: list[Org]
    replaces: int


def registration_codes_plan(*, parent: Org, actor) -> BatchPlan:
    """The confirm step of 批量生成 (changes nothing)."""
    access.require_manage(actor, parent, as_parent=False, action="批量生成下级组织的管理员注册码")
    orgs = _without_admin(parent)
    replaces = onetime.count_live(RegistrationCode.objects.filter(org__in=[o.pk for o in orgs]), KIND) if orgs else 0
    return BatchPlan(orgs=orgs, replaces=replaces)


@transaction.atomic
def registration_codes_issue_all(*, parent: Org, actor) -> list[IssuedCode]:
    """C2 批量生成: a fresh code for every direct subordinate of `parent` without a registered admin,
    replacing its unused one (API.md: POST /orgs/{id}/registration-codes.xlsx). Conflict if there is none."""
    access.require_manage(actor, parent, as_parent=False, action="批量生成下级组织的管理员注册码")
    orgs = _without_admin(parent)
    if not orgs:
        raise Conflict(NOTHING_TO_ISSUE, code="nothing_to_issue")
    issued = _issue(orgs, actor)
    audit_record(actor=actor, verb="批量生成管理员注册码", target=parent, org=parent, changes={"count": len(issued)})
    return issued


NOTHING_TO_ISSUE = (
    "全部直属下级组织都已注册管理员，没有需要批量生成注册码的组织。如需为某个组织增加管理员，"
    "请在“管理下级组织”中为该组织单个生成注册码。"
)


@dataclass
class CodeState:
    """One direct subordinate's current code, as far as it can be told: the code itself is stored only hashed."""

    org: Org
    admin_count: int
    status: str  # 未生成 / 有效 / 已使用 / 已过期
    expires_at: datetime | None  # of a 有效 code


def registration_codes_state(*, parent: Org, actor) -> list[CodeState]:
    """GET /orgs/{id}/registration-codes.xlsx: every direct subordinate's code status; changes nothing."""

    access.require_manage(actor, parent, as_parent=False, action="查看下级组织的管理员注册码")
    latest: dict[int, RegistrationCode] = {}
    for rc in RegistrationCode.objects.filter(org__parent=parent).order_by("org_id", "-created_at", "-id"):
        latest.setdefault(rc.org_id, rc)
    states = []
    for child in selectors.org_children(parent).exclude(category=rules.Category.PENDING):  # no admins, no codes (U2)
        rc = latest.get(child.id)
        status = code_status(child, rc)
        states.append(CodeState(child, child.admin_count, status, rc.expires_at if status == "有效" else None))
    return states


CODES_STATE_NOTES = (
    "本表列出各直属下级组织当前注册码的状态：未生成、有效至（有效期）、已使用、已过期（含已被新码替换的）。",
    "注册码只以加密摘要保存，生成后无法再次显示，因此本表不含注册码本身。",
    "需要注册码的组织：在“管理下级组织”中单个生成，或使用“批量生成注册码”"
    "（为尚无管理员的直属下级组织生成新码，未使用的旧码作废）。",
)


def _state_row(s: CodeState) -> list:
    expires = f"{timezone.localtime(s.expires_at):%Y-%m-%d %H:%M}" if s.expires_at else ""
    status = f"有效至{expires}" if s.expires_at else s.status
    admins = f"{s.admin_count}名" if s.admin_count else "未注册"
    return [s.org.full_name, s.org.short_name, admins, status, expires]


def _state_check(actor, parent: Org, params: dict) -> dict:
    access.require_manage(actor, parent, as_parent=False, action="查看下级组织的管理员注册码")
    return {}


def _state_notes(wb, actor, parent: Org, params: dict, count: int, tally: dict) -> None:
    notes = wb.create_sheet("说明")
    notes.column_dimensions["A"].width = 110
    for line in CODES_STATE_NOTES:
        notes.append([line])


CODES_STATE = register(
    ExportKind(
        name="codes_state",
        label="管理员注册码状态",
        sheet="管理员注册码状态",
        columns=(("组织全称", 48), ("组织简称", 28), ("管理员", 10), ("注册码状态", 26), ("有效期至", 20)),
        check=_state_check,
        estimate=lambda actor, parent, params: parent.numchild,  # one row per direct subordinate
        rows=lambda actor, parent, params, tally: map(_state_row, registration_codes_state(parent=parent, actor=actor)),
        finish=_state_notes,
        freeze_header=False,
        filename=lambda actor, parent, params: (
            f"管理员注册码状态_{parent.short_name}_{timezone.localdate():%Y%m%d}.xlsx"
        ),
    )
)


def codes_state_export(*, parent: Org, actor):
    """The state of every direct subordinate's code through the export engine (the download, or a job)."""
    return engine.export_start(CODES_STATE.name, actor=actor, org=parent)


def codes_workbook(issued: list[IssuedCode]) -> bytes:

    rows = ([i.org.full_name, i.org.short_name, i.code, onetime.expiry_text(i.expires_at)] for i in issued)
    columns = (("组织全称", 48), ("组织简称", 28), ("注册码", 14), ("有效期至", 20))
    return to_bytes(table_workbook("管理员注册码", columns, rows))


def code_status(org: Org, latest: RegistrationCode | None) -> str:
    """For the 管理下级组织 list: 未生成 / 有效 / 已使用 / 已过期."""
    if latest is None:
        return "未生成"
    state = onetime.state(KIND, latest)
    if state == onetime.State.USED:
        return "已使用"
    if state != onetime.State.LIVE:
        return "已过期"
    return "有效"
