"""批量创建 of direct subordinates from an Excel template (SPEC T6, with T3 and T7 checked per row)."""

from django.db import transaction

from core.exceptions import DomainError
from core.normalize import clean_text
from imports import readers, workbooks
from imports.readers import Column
from imports.report import ImportReport, RowResult, Status

from . import access, rules, services
from .models import Org

TEMPLATE_NAME = "批量创建下级组织模板"
SHEET = "下级组织"
MAX_ROWS = 2000
COLUMNS = (
    Column("short_name", "组织简称", width=36),
    Column("category", "组织类别", width=16),
    Column("full_name", "组织全称（可选，留空则自动生成）", required=False, width=60),
)
EXAMPLES = {
    rules.Category.PRIMARY: "建国门街道团委",
    rules.Category.WORKING: "北控集团团工委",
    rules.Category.GENERAL: "临床医学院2017级团总支",
    rules.Category.BRANCH: "五年制临床医学2017级3班团支部",
}


def _require_creatable(parent: Org, actor) -> list[str]:
    access.require_manage(actor, parent, as_parent=False, action="创建直属下级组织")
    categories = rules.creatable_categories(parent.category)
    if not categories:
        raise DomainError(f"{parent.category}是最末级组织，不能设立下级组织。", code="placement")
    return categories


def children_template(parent: Org, *, actor) -> bytes:
    """The template for `parent`: its 类别 drop-down offers only what may be created under it (T3)."""
    categories = _require_creatable(parent, actor)
    example = categories[-1]
    spec = workbooks.TemplateSpec(
        title=TEMPLATE_NAME,
        sheet=SHEET,
        columns=COLUMNS,
        choices={"category": categories},
        max_rows=MAX_ROWS,
        example=[EXAMPLES[example], example, ""],
        instructions=[
            f"1. 本模板用于在“{parent.full_name}”下批量创建直属下级组织。请在“{SHEET}”工作表中从第2行起每行填写一个组织，"
            "不要修改、删除或移动第1行表头。",
            "2. 组织简称（必填）：单位或地名＋团委/团工委/团总支/团支部，例如“建国门街道团委”“北控集团团工委”“包装车间团支部”；"
            "学校班级团支部为“专业＋入学年份＋级＋班号＋班团支部”，例如“五年制临床医学2017级3班团支部”。",
            "3. 简称的结尾必须与组织类别一致：基层团委以“团委”结尾，团工委以“团工委”结尾，团总支以“团总支”结尾，团支部以“团支部”结尾。",
            f"4. 组织类别（必填）：请从下拉列表中选择。在{parent.category}下可以创建：{'、'.join(categories)}。",
            f"5. 组织全称（可选）：留空时系统自动生成为“上级组织全称＋简称”，例如“{parent.full_name}{EXAMPLES[example]}”；"
            "如不准确可在此填写正确的全称。",
            "6. 同一上级组织下的组织简称不能重复。表中与已有组织同名同类别的行会被跳过，不会重复创建；"
            "所以修改出错的行后，可以重新上传整个文件。",
            f"7. 一次最多上传{MAX_ROWS}行。请保存为 Excel 工作簿（.xlsx）后上传，不支持 .xls 和 .xlsm 文件。",
            "8. 上传后系统先逐行检查并显示结果，确认后才会创建；有错误的行不会创建任何数据，请按提示修改后再上传。",
        ],
    )
    return workbooks.template_workbook(spec)


def children_import(*, parent: Org, file, actor, dry_run: bool) -> ImportReport:
    """Create the direct subordinates listed in an uploaded template, row by row.

    Every row is checked first (T3 placement, T7 name, duplicates in the
    file, existing siblings). A row naming an existing sibling of the same
    category is skipped, so a second upload of the same file creates
    nothing twice. Each valid row is created in its own savepoint, so a row
    that fails leaves nothing behind while the others are kept. `dry_run`
    reports what would happen and writes nothing.
    """
    categories = _require_creatable(parent, actor)
    sheet = readers.read_rows(file, columns=COLUMNS, template_name=TEMPLATE_NAME, sheet_name=SHEET, max_rows=MAX_ROWS)
    report = ImportReport(dry_run=dry_run, headers=sheet.headers)
    with transaction.atomic():
        if not dry_run:
            # One import into one organisation at a time: a double-clicked confirmation skips, not fails.
            parent = Org.objects.select_for_update().get(pk=parent.pk)
        siblings = dict(Org.objects.filter(parent=parent).values_list("short_name", "category"))
        seen: dict[str, int] = {}
        for row in sheet.rows:
            result = report.add(_check_row(parent, row, categories, siblings, seen))
            if result.status == Status.WILL_CREATE and not dry_run:
                _create(parent, result, actor)
    return report


def _check_row(parent: Org, row, categories: list[str], siblings: dict, seen: dict) -> RowResult:
    short_name = clean_text(row.values["short_name"])
    category = "".join(clean_text(row.values["category"]).split())
    full_name = clean_text(row.values["full_name"])
    values = {
        "short_name": short_name,
        "category": category,
        "full_name": full_name or (services.proposed_full_name(parent, short_name) if short_name else ""),
    }
    result = RowResult(row=row.number, status=Status.FAILED, values=values, cells=row.cells)
    errors = _row_errors(parent, short_name, category, full_name, categories)
    if not errors and short_name in seen:
        errors.append(
            f"与第{seen[short_name]}行的组织简称“{short_name}”重复，同一上级下的组织不能重名。请删除重复的行，或修改其中一行的简称。"
        )
    if short_name and short_name not in seen:
        seen[short_name] = row.number
    if not errors and short_name in siblings:
        if siblings[short_name] == category:
            result.status = Status.SKIPPED
            result.message = f"已存在，跳过：{parent.short_name}下已有{category}“{short_name}”，不会重复创建。"
            return result
        errors.append(
            f"{parent.short_name}下已有名为“{short_name}”的{siblings[short_name]}，同级组织不能重名。"
            "请修改简称（例如加上单位或地名加以区分），或删除这一行。"
        )
    if errors:
        result.message = "".join(errors)
        return result
    result.status = Status.WILL_CREATE
    return result


def _row_errors(parent: Org, short_name: str, category: str, full_name: str, categories: list[str]) -> list[str]:
    errors = []
    allowed = "、".join(categories)
    if not category:
        errors.append(f"请填写组织类别：请从下拉列表中选择（可选：{allowed}）。")
    elif category in rules.SYSTEM_CATEGORIES and category in rules.Category.values:
        errors.append(f"{category}不能由管理员创建。请把组织类别改为：{allowed}中的一项。")
    else:
        try:
            rules.check_placement(parent.category, category)
        except DomainError as e:
            errors.append(e.message)
    try:
        rules.check_short_name(short_name, category if category in categories else "")
    except DomainError as e:
        errors.append(e.message)
    if len(full_name) > 200:
        errors.append("组织全称不能超过200个字，请缩短后再上传。")
    return errors


def _create(parent: Org, result: RowResult, actor) -> None:
    values = result.values
    try:
        with transaction.atomic():
            services.org_create_child(
                parent=parent,
                short_name=values["short_name"],
                category=values["category"],
                full_name=values["full_name"],
                actor=actor,
            )
    except DomainError as e:
        result.status, result.message = Status.FAILED, e.message
    else:
        result.status, result.message = Status.CREATED, f"已创建：{values['full_name']}"
