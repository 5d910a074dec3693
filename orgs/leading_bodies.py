"""Loading the pre-set leading bodies (SPEC T4) from an operator's file.

All-or-nothing: the whole file is read and checked first, then applied in
one transaction. Idempotent: a row whose 组织全称 already exists under its
parent is left as it is (its 排序 updated), so the file can be loaded again.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from audit.services import audit_record
from core.exceptions import DomainError
from core.normalize import clean_text
from excel.readers import parse_sheet

from . import services
from .models import Org
from .rules import Category

COLUMNS = ("上级组织全称", "组织简称", "组织全称", "排序")


@dataclass
class Row:
    line: int
    parent_full_name: str
    short_name: str
    full_name: str
    sort_order: int


def read_rows(path: Path) -> list[dict]:
    if path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = parse_sheet(path.read_bytes())  # parsed in a limited child process, like every upload
        if not sheet:
            return []
        header = [clean_text(h) for h in sheet[0]]
        return [dict(zip(header, r, strict=False)) for r in sheet[1:] if any(clean_text(c) for c in r)]
    raise DomainError(f"不支持的文件类型“{path.suffix}”，请提供 .xlsx 或 .csv 文件。")


def parse(raw_rows: list[dict]) -> list[Row]:
    if raw_rows and not set(COLUMNS) <= set(raw_rows[0].keys()):
        missing = [c for c in COLUMNS if c not in raw_rows[0]]
        raise DomainError(f"文件缺少列：{'、'.join(missing)}。第一行应为：{'、'.join(COLUMNS)}。")
    rows, errors = [], []
    for i, raw in enumerate(raw_rows, start=2):
        values = {c: clean_text(raw.get(c)) for c in COLUMNS}
        if not values["组织简称"] or not values["组织全称"]:
            errors.append(f"第{i}行：组织简称和组织全称都必须填写。")
            continue
        try:
            order = int(float(values["排序"])) if values["排序"] else 0
        except ValueError:
            errors.append(f"第{i}行：排序“{values['排序']}”应为整数。")
            continue
        rows.append(Row(i, values["上级组织全称"], values["组织简称"], values["组织全称"], order))
    if errors:
        raise DomainError("文件有误，未导入任何组织：\n" + "\n".join(errors))
    return rows


@transaction.atomic
def load(rows: list[Row]) -> tuple[int, int]:
    """Create what is missing; returns (created, already present)."""
    created = existing = 0
    by_name = {}
    for row in rows:
        parent = by_name.get(row.parent_full_name) or Org.objects.filter(full_name=row.parent_full_name).first()
        if parent is None:
            raise DomainError(
                f"第{row.line}行：找不到上级组织“{row.parent_full_name}”。上级组织须已存在，或在文件中排在本行之前。"
            )
        org = Org.objects.filter(parent=parent, full_name=row.full_name).first()
        if org is None:
            org = services.org_create_child(
                parent=parent,
                short_name=row.short_name,
                category=Category.LEADING,
                full_name=row.full_name,
                sort_order=row.sort_order,
                by_operator=True,
            )
            created += 1
        else:
            if org.sort_order != row.sort_order:
                org.sort_order = row.sort_order
                org.save(update_fields=["sort_order"])
                audit_record(
                    actor=None, verb="调整排序", target=org, org=parent, changes={"sort_order": row.sort_order}
                )
            existing += 1
        by_name[row.full_name] = org
    return created, existing
