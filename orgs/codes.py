"""管理员注册码 (SPEC C1, C2): issued by the direct superior's admin, used once by a registration.

Codes come from `secrets` (a cryptographic source) and are stored only as a
keyed hash, so a database dump reveals none. The plain code exists once: in
the answer to the admin who issued it (on the page or in the Excel file).
"""

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core import pii

from . import access
from .models import Org, RegistrationCode

ALPHABET = string.ascii_letters + string.digits
LENGTH = 8
VALID_DAYS = 20


@dataclass
class IssuedCode:
    org: Org
    code: str
    expires_at: datetime


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_hash(code: str) -> str:
    return pii.keyed_hash("regcode:" + code)


def _issue(orgs: list[Org], actor) -> list[IssuedCode]:
    """A new code for each organisation, replacing its unused one: two queries however many there are."""
    now = timezone.now()
    RegistrationCode.objects.filter(
        org__in=[o.pk for o in orgs], used_at__isnull=True, replaced_at__isnull=True
    ).update(replaced_at=now)
    expires = now + timedelta(days=VALID_DAYS)
    issued = [IssuedCode(org=org, code=_new_code(), expires_at=expires) for org in orgs]
    RegistrationCode.objects.bulk_create(
        RegistrationCode(org=i.org, code_hash=code_hash(i.code), expires_at=expires, created_by=actor) for i in issued
    )
    return issued


@transaction.atomic
def registration_code_issue(*, org: Org, actor) -> IssuedCode:
    """C2: one code for one direct subordinate; the unused old one stops working."""
    access.require_manage(actor, org, as_self=False, action="生成该组织的管理员注册码")
    [issued] = _issue([org], actor)
    audit_record(actor=actor, verb="生成管理员注册码", target=org, org=org.parent)
    return issued


@transaction.atomic
def registration_codes_issue_all(*, parent: Org, actor) -> list[IssuedCode]:
    """C2 批量生成: a fresh code for every direct subordinate of `parent`."""
    access.require_manage(actor, parent, as_parent=False, action="批量生成下级组织的管理员注册码")
    issued = _issue(list(parent.children()), actor)
    audit_record(actor=actor, verb="批量生成管理员注册码", target=parent, org=parent, changes={"count": len(issued)})
    return issued


def codes_workbook(issued: list[IssuedCode]) -> bytes:
    from imports.workbooks import new_workbook, to_bytes

    wb = new_workbook()
    ws = wb.active
    ws.title = "管理员注册码"
    ws.append(["组织全称", "组织简称", "注册码", "有效期至"])
    for item in issued:
        local = timezone.localtime(item.expires_at)
        ws.append([item.org.full_name, item.org.short_name, item.code, f"{local:%Y-%m-%d %H:%M}"])
    for col, width in zip("ABCD", (48, 28, 14, 20), strict=True):
        ws.column_dimensions[col].width = width
    return to_bytes(wb)


def code_status(org: Org, latest: RegistrationCode | None) -> str:
    """For the 管理下级组织 list: 未生成 / 有效 / 已使用 / 已过期."""
    if latest is None:
        return "未生成"
    if latest.used_at:
        return "已使用"
    if latest.replaced_at or latest.expires_at <= timezone.now():
        return "已过期"
    return "有效"
