"""The two Excel imports of 毕业生 on the import framework (imports.importer).

- marks (GR1): a committee marks the branches of its subtree, named by 组织全称, with a 预计毕业年月 or a
  无毕业时间原因; each row goes through services.mark_set, the service of the page and the API.
- 毕业转出 (GR4): a branch's sheet of its own members (ID numbers masked, as every reader sees them: a row is
  matched to the member by name and number, masked or full), each with a 转入组织全称 and a 转接原因. One 办理转出
  request per person through transfers.services.transfer_submit, the service of the single 办理转出, and nothing
  half-done: a sheet with any failed row submits nothing, and a request refused while submitting takes back
  those already submitted from it.
"""

from __future__ import annotations

import io

from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from audit.services import audit_record
from core.exceptions import DomainError, NotAllowed
from core.normalize import clean_text
from excel import readers
from excel.readers import Column
from excel.report import RowResult, Status
from excel.workbooks import TemplateSpec, safe_value, template_workbook, to_bytes
from imports import importer
from imports.importer import Checked, Importer, Run, Sheet, Unique, Words
from orgs import access
from orgs.models import Org, OrgAdmin
from orgs.rules import Category
from people.models import Person
from people.services import left_message
from transfers import services as transfer_services
from transfers.models import OPEN, Reason, TransferRequest

from . import rules, services
from .models import NoDateReason

# --- GR1: marks from Excel -----------------------------------------------------------------------------------------

MARKS_TITLE = "批量标记毕业时间模板"
MARKS_SHEET = "毕业时间"
MARKS_MAX = 2000
MARK_COLUMNS = (
    Column("full_name", "组织全称", width=60),
    Column("expected", "预计毕业年月", required=False, width=18),
    Column("no_date_reason", "无毕业时间原因", required=False, width=18),
)


def require_marks(actor, org: Org) -> None:
    """GR1: a committee's admin (or an admin above it) marks the branches of the committee's subtree."""
    if org.is_branch:
        raise NotAllowed(services.BRANCH_ADMIN_REFUSED, code="forbidden")
    if not (access.is_admin_of(actor, org) or access.is_admin_of_ancestor(actor, org)):
        raise NotAllowed(services.MARKER_ONLY, code="forbidden")


def marks_template(org: Org) -> TemplateSpec:
    year = timezone.localdate().year
    return TemplateSpec(
        title=MARKS_TITLE, sheet=MARKS_SHEET, columns=MARK_COLUMNS, max_rows=MARKS_MAX,
        choices={"no_date_reason": NoDateReason.values},
        example=[f"{org.full_name}五年制临床医学{year - 4}级3班团支部", f"{year + 1}-06", ""],
        instructions=[
            f"1. 本模板用于标记“{org.full_name}”下属学校团支部的预计毕业时间。请在“{MARKS_SHEET}”工作表中从第2行起每行填写一个团支部，"
            "不要修改、删除或移动第1行表头。",
            "2. 组织全称（必填）：与系统中登记的团支部全称完全一致，只能是本组织下属的团支部。",
            f"3. 预计毕业年月：按“{year + 1}-06”的格式填写年和月。到毕业当年的转换日，该团支部自动转为毕业生团组织，团员保留在其中。",
            "4. 无毕业时间原因：没有毕业时间的团支部（教师支部、混合支部）不填年月，从下拉列表中选择原因。年月和原因只填一项。",
            "5. 已标记的团支部可以重新上传修改；与现有标记相同的行会跳过。已转为毕业生团组织的不能再修改。",
            f"6. 一次最多上传{MARKS_MAX}行，请保存为 Excel 工作簿（.xlsx）后上传。上传后先逐行检查，确认后才保存；有错误的行不会保存。",
        ],
    )  # fmt: skip


def marks_check(row, run: Run) -> Checked:
    full_name = clean_text(row.values["full_name"])
    expected, reason = row.values["expected"], "".join(clean_text(row.values["no_date_reason"]).split())
    values = {"full_name": full_name, "expected": clean_text(expected), "no_date_reason": reason}
    checked = Checked(result=RowResult(row=row.number, status=Status.WILL_CREATE, values=values, cells=row.cells))
    if not full_name:
        checked.fail("请填写团支部的组织全称。")
        return checked
    try:
        year, month, reason = rules.check_mark(
            readers.month_cell(expected, label="预计毕业年月"), reason, today=timezone.localdate()
        )
    except DomainError as e:
        checked.fail(e.message)
        return checked
    checked.clean = {"full_name": full_name, "year": year, "month": month, "reason": reason}
    checked.key = full_name
    if year:
        values["expected"] = f"{year:04d}-{month:02d}"
    return checked


def marks_decide(run: Run, rows: list[Checked]) -> None:
    names = {r.key for r in rows}
    found: dict[str, list[Org]] = {}
    for org in Org.objects.filter(Org.subtree_q(run.target.path), full_name__in=names).select_related("graduation"):
        found.setdefault(org.full_name, []).append(org)
    for r in rows:
        orgs = found.get(r.key, [])
        if not orgs:
            r.fail(f"在{run.target.short_name}下未找到组织“{r.key}”：请核对组织全称（须与系统中登记的完全一致）。")
            continue
        if len(orgs) > 1:
            r.fail(
                f"{run.target.short_name}下有{len(orgs)}个组织全称为“{r.key}”，无法确定是哪一个：请在系统中逐个标记。"
            )
            continue
        org = r.found = orgs[0]
        if org.category == Category.GRADUATED:
            r.fail(f"{org.short_name}已转为毕业生团组织，毕业时间不能再修改。")
        elif org.category != Category.BRANCH:
            r.fail(f"{org.short_name}是{org.category}：只有团支部标记毕业时间。")
        else:
            mark = getattr(org, "graduation", None)
            c = r.clean
            if mark and (mark.expected_year, mark.expected_month, mark.no_date_reason) == (
                c["year"],
                c["month"],
                c["reason"],
            ):
                r.skip("与现有标记相同，跳过。")
            elif mark:
                r.change(
                    f"将修改标记：{mark.expected or mark.no_date_reason} → {r.result.values['expected'] or c['reason']}"
                )


def _mark(run: Run, r: Checked) -> str:
    c = r.clean
    mark = services.mark_set(org=r.found, actor=run.actor, expected=r.result.values["expected"] or None,
                             no_date_reason=c["reason"] or None)  # fmt: skip
    return f"已标记：{mark.expected or mark.no_date_reason}"


MARKS = Importer(
    kind="graduation_marks", sheet=Sheet(MARKS_TITLE, MARKS_SHEET, MARK_COLUMNS, MARKS_MAX), template=marks_template,
    require=require_marks, check=marks_check, decide=marks_decide, apply=importer.apply_each(_mark),
    name_key="full_name",
    unique=(Unique("full_name", "与第{row}行的组织全称重复，每个团支部只填写一行。请删除重复的行。"),),
    words=Words(
        "标记", "个团支部", "未变化跳过", "批量标记毕业时间结果",
        (("full_name", "组织全称"), ("expected", "预计毕业年月"), ("no_date_reason", "无毕业时间原因")),
        "graduates:marks_import", "graduates:home",
    ),
)  # fmt: skip


# --- GR4: bulk 毕业转出 ------------------------------------------------------------------------------------------------

TRANSFERS_TITLE = "毕业转出模板"
TRANSFERS_SHEET = "毕业转出"
TRANSFERS_MAX = 1000  # one chunk: the whole sheet is decided and applied in one transaction
TRANSFER_COLUMNS = (
    Column("name", "姓名", width=12),
    Column("id_number", "身份证号码", width=24),
    Column("destination", "转入组织全称", required=False, width=60),
    Column("reason", "转接原因", required=False, width=28),
)
ALL_OR_NOTHING = "本行无误，但表中有错误的行（见第{rows}行）：毕业转出整表办理，请更正后重新上传，届时一并提交。"


def require_transfers(actor, branch: Org) -> None:
    """GR4: the branch's admin or its direct superior's admin (who may submit a 办理转出 for its members)."""
    if not branch.is_branch or access.acting_org(actor, branch) is None:
        raise NotAllowed("只有本支部管理员或直属上级组织管理员可以办理本支部的毕业转出。", code="forbidden")


def transfers_template(branch: Org) -> TemplateSpec:
    return TemplateSpec(
        title=TRANSFERS_TITLE, sheet=TRANSFERS_SHEET, columns=TRANSFER_COLUMNS, max_rows=TRANSFERS_MAX,
        choices={"reason": Reason.values},
        instructions=[
            f"1. 本表列出“{branch.full_name}”的全部团员，用于毕业转出。不要修改、删除或移动第1行表头，也不要修改姓名和身份证号码。",
            "2. 身份证号码按查看权限隐去中间位，系统按姓名和身份证号码（隐去中间位的或完整的均可）找到本支部的团员。",
            "3. 转入组织全称：与系统中登记的团组织全称完全一致（团支部或团委均可，不能是待接转团支部或毕业生团组织）。"
            "不填转入组织的行跳过，不办理转出。",
            f"4. 转接原因：从下拉列表中选择（{'、'.join(Reason.values)}）。",
            "5. 上传后先逐行检查，确认后为每人提交一份“办理转出”申请，由转入方审批。表中有任何错误的行时，整表都不提交，"
            "请按提示更正后重新上传。",
            "6. 已有未办结转接申请的团员、本支部的管理员（请先办理管理员变更）不能办理转出。",
        ],
    )  # fmt: skip


def transfers_template_bytes(branch: Org, *, actor) -> bytes:
    """The template with one row per member of the branch (name and masked ID number), destinations to fill in."""
    require_transfers(actor, branch)
    wb = load_workbook(io.BytesIO(template_workbook(transfers_template(branch))))
    ws = wb[TRANSFERS_SHEET]
    members = Person.objects.filter(branch=branch).order_by("name", "pk")
    for n, person in enumerate(members, start=2):
        ws.cell(row=n, column=1, value=safe_value(person.name))
        ws.cell(row=n, column=2, value=safe_value(person.id_number_masked))
    return to_bytes(wb)


def transfers_check(row, run: Run) -> Checked:
    name = clean_text(row.values["name"])
    destination = clean_text(row.values["destination"])
    reason = "".join(clean_text(row.values["reason"]).split())
    values = {"name": name, "id_number": "", "destination": destination, "reason": reason}
    checked = Checked(result=RowResult(row=row.number, status=Status.WILL_CREATE, values=values, cells=row.cells))
    run.state.setdefault("rows", []).append(checked)  # the all-or-nothing rule looks at every row
    try:
        number = readers.id_number_cell(row.values["id_number"]).upper()
    except DomainError as e:
        checked.fail(e.message)
        return checked
    values["id_number"] = number if "*" in number else (number[:6] + "*" * 8 + number[-4:] if len(number) == 18 else "")
    if not destination:
        checked.skip("未填写转入组织全称，跳过（不办理转出）。")
        return checked
    problems = []
    if not name or not number:
        problems.append("请保留姓名和身份证号码。")
    if reason not in Reason.values:
        problems.append(f"请从下拉列表中选择转接原因（{'、'.join(Reason.values)}）。")
    if problems:
        checked.fail("".join(problems))
    checked.clean = {"name": name, "id_number": number, "destination": destination, "reason": reason}
    return checked


def _member_for(members: list[Person], name: str, number: str) -> list[Person]:
    return [p for p in members if p.name == name and number in (p.id_number.upper(), p.id_number_masked.upper())]


def transfers_decide(run: Run, rows: list[Checked]) -> None:
    branch = run.target
    members = list(Person.objects.filter(branch=branch))
    busy = set(
        TransferRequest.objects.filter(person__branch=branch, status__in=OPEN).values_list("person_id", flat=True)
    )
    admins = set(OrgAdmin.objects.filter(org=branch).values_list("person_id", flat=True))
    names = {r.clean["destination"] for r in rows}
    found: dict[str, list[Org]] = {}
    for org in Org.objects.filter(full_name__in=names):
        found.setdefault(org.full_name, []).append(org)
    for r in rows:
        c = r.clean
        people = _member_for(members, c["name"], c["id_number"])
        orgs = found.get(c["destination"], [])
        if len(people) != 1:
            r.fail(f"{branch.short_name}没有姓名为“{c['name']}”、身份证号码为该号码的团员：请不要修改表中的姓名和身份证号码。"
                   if not people else f"{branch.short_name}有{len(people)}名同名且号码相近的团员：请在这一行填写完整的身份证号码。")  # fmt: skip
        elif not orgs:
            r.fail(f"转入组织“{c['destination']}”不存在：请核对组织全称（须与系统中登记的完全一致）。")
        elif len(orgs) > 1:
            r.fail(f"全称为“{c['destination']}”的组织有{len(orgs)}个，无法确定转入哪一个：请改为单个办理转出。")
        elif orgs[0].category in (Category.PENDING, Category.GRADUATED):
            r.fail(f"不能转入{orgs[0].category}“{c['destination']}”：请填写一个团支部或团委。")
        elif orgs[0].pk == branch.pk:
            r.fail(f"{c['name']}已在{branch.short_name}，请填写其他转入组织。")
        elif people[0].pk in busy:
            r.fail(f"{c['name']}已有未办结的组织关系转接申请，请等待办结或撤回后再办理。")
        elif people[0].has_left:
            r.fail(left_message(people[0], "办理组织关系转接"))
        elif people[0].pk in admins:
            r.fail(f"{c['name']}是{branch.short_name}的管理员，转出前请先通过“管理员变更”移交管理员。")
        else:
            r.found = (people[0], orgs[0])
    _all_or_nothing(run, rows)


def _all_or_nothing(run: Run, rows: list[Checked]) -> None:
    failed = [r.result.row for r in run.state.get("rows", []) if r.result.failed]
    if failed:
        shown = "、".join(str(n) for n in failed[:5]) + ("等" if len(failed) > 5 else "")
        for r in rows:
            if r.pending:
                r.fail(ALL_OR_NOTHING.format(rows=shown))


def transfers_apply(run: Run, rows: list[Checked]) -> None:
    """One 办理转出 per row in one savepoint: a request the transfer service refuses takes back the others."""
    done: list[Checked] = []
    try:
        with transaction.atomic():
            for r in rows:
                person, to_org = r.found
                t = transfer_services.transfer_submit(
                    actor=run.actor, person=person, to_org=to_org, reason=r.clean["reason"]
                )
                r.done(f"已提交办理转出（{t.status}）：转入{to_org.full_name}")
                done.append(r)
    except DomainError as e:
        bad = rows[len(done)]
        bad.fail(e.message)
        for r in rows:
            if r is not bad:
                r.fail(ALL_OR_NOTHING.format(rows=bad.result.row))


def transfers_finish(run: Run, report) -> None:
    if report.created:
        audit_record(actor=run.actor, verb="批量毕业转出", target=run.target, org=run.target,
                     changes={"人数": report.created})  # fmt: skip


TRANSFERS = Importer(
    kind="graduation_transfers", sheet=Sheet(TRANSFERS_TITLE, TRANSFERS_SHEET, TRANSFER_COLUMNS, TRANSFERS_MAX),
    template=transfers_template, require=require_transfers, check=transfers_check, decide=transfers_decide,
    apply=transfers_apply, finish=transfers_finish, chunk=TRANSFERS_MAX, lock_target=True, background=False,
    applies=lambda org: org.is_branch, not_here="只有团支部和毕业生团组织办理毕业转出。",
    unique=(Unique("id_number", "与第{row}行的团员重复，每人只填写一行。请删除重复的行。"),),
    words=Words(
        "办理转出", "人", "未填转入组织跳过", "毕业转出结果",
        (("name", "姓名"), ("id_number", "身份证号码"), ("destination", "转入组织全称"), ("reason", "转接原因")),
        "graduates:transfers_import", "graduates:branch",
    ),
)  # fmt: skip


def marks_import(*, org: Org, file, actor, dry_run: bool):
    return importer.run_import(MARKS, target=org, actor=actor, source=file, dry_run=dry_run)


def transfers_import(*, branch: Org, file, actor, dry_run: bool):
    return importer.run_import(TRANSFERS, target=branch, actor=actor, source=file, dry_run=dry_run)
