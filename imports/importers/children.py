"""批量创建 of direct subordinates from an Excel template (SPEC T6, with T3 and T7 checked per row).

Each row is checked by orgs.services.new_child_errors and created by orgs.services.org_create_child, the
service of 单个创建 on the page and the API, in its own savepoint. A row naming an existing sibling of the
same category is skipped, so a second upload of the same file creates nothing twice.
"""

from core.exceptions import DomainError
from core.normalize import clean_text
from excel.readers import Column
from excel.report import RowResult, Status
from excel.workbooks import TemplateSpec
from imports import importer
from imports.importer import Checked, Importer, Run, Sheet, Unique, Words
from orgs import access, rules, services
from orgs.models import Org

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


def require_creatable(actor, parent: Org) -> None:
    access.require_manage(actor, parent, as_parent=False, action="创建直属下级组织")
    if not rules.creatable_categories(parent.category):
        raise DomainError(f"{parent.category}是最末级组织，不能设立下级组织。", code="placement")


# Template


def template(parent: Org) -> TemplateSpec:
    """The template for `parent`: its 类别 drop-down offers only what may be created under it (T3)."""
    categories = rules.creatable_categories(parent.category)
    example = categories[-1]
    return TemplateSpec(
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


# Check, decide, apply


def check(row, run: Run) -> Checked:
    parent = run.target
    short_name = clean_text(row.values["short_name"])
    category = "".join(clean_text(row.values["category"]).split())
    given = clean_text(row.values["full_name"])
    full_name = given or (services.proposed_full_name(parent, short_name) if short_name else "")
    values = {"short_name": short_name, "category": category, "full_name": full_name}
    checked = Checked(
        result=RowResult(row=row.number, status=Status.WILL_CREATE, values=values, cells=row.cells), clean=values
    )
    errors = services.new_child_errors(parent, short_name=short_name, category=category, full_name=full_name)
    if errors:
        checked.fail("".join(e.message for e in errors))
    return checked


def decide(run: Run, rows: list[Checked]) -> None:
    parent = run.target
    siblings = dict(Org.objects.filter(parent=parent).values_list("short_name", "category"))
    for r in rows:
        short_name, category = r.clean["short_name"], r.clean["category"]
        if short_name not in siblings:
            continue
        if siblings[short_name] == category:
            r.skip(f"已存在，跳过：{parent.short_name}下已有{category}“{short_name}”，不会重复创建。")
        else:
            r.fail(
                f"{parent.short_name}下已有名为“{short_name}”的{siblings[short_name]}，同级组织不能重名。"
                "请修改简称（例如加上单位或地名加以区分），或删除这一行。"
            )


def _create(run: Run, r: Checked) -> str:
    services.org_create_child(parent=run.target, actor=run.actor, **r.clean)
    return f"已创建：{r.clean['full_name']}"


IMPORTER = Importer(
    kind="children_import", sheet=Sheet(TEMPLATE_NAME, SHEET, COLUMNS, MAX_ROWS), template=template,
    require=require_creatable, check=check, decide=decide, apply=importer.apply_each(_create),
    lock_target=True, name_key="short_name",
    unique=(Unique(
        "short_name",
        "与第{row}行的组织简称“{value}”重复，同一上级下的组织不能重名。请删除重复的行，或修改其中一行的简称。",
        count_failed=True,
    ),),
    words=Words(
        "创建", "个组织", "已存在跳过", "批量创建下级组织结果",
        (("short_name", "组织简称"), ("category", "组织类别"), ("full_name", "组织全称")),
        "orgs:children_import", "orgs:children_create",
    ),
)  # fmt: skip


def children_template(parent: Org, *, actor) -> bytes:
    return importer.template_bytes(IMPORTER, parent, actor=actor)


def children_import(*, parent: Org, file, actor, dry_run: bool):
    """Import now, whatever the size (tests): see the module docstring."""
    return importer.run_import(IMPORTER, target=parent, actor=actor, source=file, dry_run=dry_run)
