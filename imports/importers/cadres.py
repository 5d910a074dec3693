"""本级团干部 of a committee from the Excel template (SPEC P3, P4, P6, P10, P11).

Each row is checked by people.cadres.check_cadre and entered by people.cadres.cadre_add, the service of the
page and the API, in its own savepoint: someone on record is linked (or offered the post, issue 12), someone
new is created on the initial password (P7). A person already a cadre of this organisation, or already
offered the post, is skipped, so a second upload enters nobody twice.
"""

from core import pii
from core.normalize import clean_text
from excel import workbooks
from excel.readers import Column
from excel.report import RowResult, Status
from excel.workbooks import TemplateSpec
from imports import importer
from imports.importer import Checked, Importer, Run, Sheet, Words
from orgs.models import Org
from people import post_offers
from people.cadres import (
    PERSON_FIELDS,
    cadre_add,
    check_cadre,
    missing_for_new,
    name_mismatch_message,
    require_cadre_entry,
)
from people.choices import COMMITTEE_POSITIONS
from people.models import Cadre, Person, PostOffer

from . import PERSON_CHOICES, PERSON_UNIQUE, person_cells, person_columns, position_cell, row_message

TEMPLATE_NAME = "本级团干部录入模板"
SHEET = "本级团干部"
MAX_ROWS = 2000
# "本级团内职务" is what tells this template apart from the member template (P6).
COLUMNS = (
    *person_columns("name", "id_number"),
    Column("position", "本级团内职务", width=16),
    *person_columns(
        "political_status", "league_join_date", "ethnicity", "education", "occupation", "mobile", "email",
        "development_number",
    ),
)  # fmt: skip


# Template


def template(org: Org) -> TemplateSpec:
    """The 本级团干部 template: a 填写说明 sheet and drop-downs for every coded column."""
    return TemplateSpec(
        title=TEMPLATE_NAME,
        sheet=SHEET,
        columns=COLUMNS,
        choices={"position": COMMITTEE_POSITIONS, **PERSON_CHOICES},
        max_rows=MAX_ROWS,
        example=[
            "王小明",
            "320102199501011234",
            "副书记",
            "团员",
            "2009-09",
            "汉族",
            "大学本科",
            "在职",
            "13812345678",
            "",
            "",
        ],
        instructions=[
            f"1. 本模板用于录入“{org.full_name}”的本级团干部（不是团员，也不是下级组织的团干部）。"
            f"请在“{SHEET}”工作表中从第2行起每行填写一人，不要修改、删除或移动第1行表头。",
            "2. 必填：姓名、身份证号码（18位，最后一位可以是X）、本级团内职务、政治面貌、入团年月。"
            "民族、学历、职业、手机号码也请填写，否则该团干部的信息显示为“未完成”。",
            f"3. 本级团内职务、政治面貌、民族、学历、职业请从下拉列表中选择。本级团内职务可选：{'、'.join(COMMITTEE_POSITIONS)}。",
            "4. 入团年月填写年和月，例如 2017-09、2017.09 或 201709；手机号码为11位数字。"
            "2017年1月起入团的须填写发展团员编号（12位，前4位为入团年份，全国唯一），之前入团的可不填。",
            "5. 已在系统中登记的人员（例如是某团支部的团员，或在其他组织任职）按身份证号码关联，不会重复建档，"
            "也不会修改其已登记的信息；姓名必须与登记的一致。本组织管辖范围以外的人员，须经本人在“个人中心”"
            "确认（或其所在组织管理员确认）后任职才生效。一人可以在多个组织担任团干部，互不影响。",
            "6. 新录入的人员用身份证号码登录，初始密码为身份证号码后8位，首次登录须修改密码。",
            "7. 已是本组织团干部的人员会被跳过，不会重复录入；所以修改出错的行后，可以重新上传整个文件。"
            "变更职务请在“团干部列表”中操作。",
            f"8. 一次最多上传{MAX_ROWS}行。请保存为 Excel 工作簿（.xlsx）后上传，不支持 .xls 和 .xlsm 文件。",
            "9. 上传后系统先逐行检查并显示结果，确认后才会录入；有错误的行不会录入任何数据，请按提示修改后再上传。",
            "10. 团支部的团干部不用本模板：请在团支部的“录入团员团干部”中随团员一起录入。",
        ],
    )


# Check, decide, apply


def check(row, run: Run) -> Checked:
    data, refused = person_cells({k: row.values[k] for k in PERSON_FIELDS})
    if run.has_column("development_number"):
        data["development_number"] = row.values["development_number"]
    clean, errors = check_cadre(data, position_cell(row.values["position"]))
    values = {"name": clean_text(row.values["name"]), "id_number": "", "position": clean["position"]}
    if clean.get("id_number"):
        values["id_number"] = pii.mask_id_number(clean["id_number"])
    result = RowResult(row=row.number, status=Status.WILL_CREATE, values=values, cells=row.cells)
    checked = Checked(result=result, clean=clean, key=clean.get("id_number", ""))
    if errors or refused:
        checked.fail(row_message(refused, errors))
    return checked


def decide(run: Run, rows: list[Checked]) -> None:
    """Against the database in bulk: who is on record, which development numbers are taken, who holds a post."""
    org = run.target
    known = _known_people([r.key for r in rows])
    numbers = [r.clean["development_number"] for r in rows if r.clean.get("development_number")]
    taken = dict(Person.objects.filter(development_number__in=numbers).values_list("development_number", "id_hash"))
    people = list(known.values())
    posts = dict(Cadre.objects.filter(org=org, person__in=people).values_list("person_id", "position"))
    offered = dict(post_offers.offers_of_org(org).filter(person__in=people).values_list("person_id", "position"))
    for r in rows:
        person, number = known.get(r.key), r.clean.get("development_number")
        r.found = person
        missing = missing_for_new(r.clean) if person is None else []
        if number and number in taken and taken[number] != pii.keyed_hash(r.key):
            r.fail(f"发展团员编号“{number}”已被系统中的其他人员使用（发展团员编号全国唯一），请核对。")
        elif person is not None and person.name != r.clean["name"]:
            r.fail(name_mismatch_message(r.clean["name"]))
        elif person is not None and person.pk in posts:
            r.skip(
                f"已是{org.short_name}的团干部（{posts[person.pk]}），跳过，不会重复录入；如需变更职务请在团干部列表中操作。"
            )
        elif person is not None and person.pk in offered:
            r.skip(f"已向此人发出任职确认（{offered[person.pk]}），等待本人或其所在组织确认，跳过。")
        elif missing:
            r.fail("".join(e["message"] for e in missing))
        elif person is not None:
            r.result.message = (
                "系统中已有此人，不重复建档：在本组织管辖范围内的直接关联为本级团干部，"
                "其他人员须经本人或其所在组织确认后任职生效，已登记的信息不会被修改。"
            )


def _known_people(id_numbers: list[str]) -> dict[str, Person]:
    hashes = {pii.keyed_hash(n): n for n in id_numbers}
    return {hashes[p.id_hash]: p for p in Person.objects.filter(id_hash__in=list(hashes))}


def _enter(run: Run, r: Checked) -> str:
    data = {k: v for k, v in r.clean.items() if k != "position"}
    entered = cadre_add(org=run.target, person_data=data, position=r.clean["position"], actor=run.actor)
    if isinstance(entered, PostOffer):
        return f"已发出任职确认：{r.clean['position']}（本人或其所在组织确认后生效）"
    return f"已录入：{r.clean['position']}" + ("（关联系统中已有人员）" if r.found is not None else "")


IMPORTER = Importer(
    kind="cadre_import", sheet=Sheet(TEMPLATE_NAME, SHEET, COLUMNS, MAX_ROWS), template=template,
    require=require_cadre_entry, check=check, decide=decide, apply=importer.apply_each(_enter),
    lock_target=True, unique=PERSON_UNIQUE,
    applies=lambda org: not org.is_branch, not_here="团支部的团干部随团员一起录入，请在团员列表中查看。",
    words=Words(
        "录入", "名团干部", "已是本组织团干部跳过", "本级团干部导入结果",
        (("name", "姓名"), ("id_number", "身份证号码"), ("position", "本级团内职务")),
        "people:cadre_import", "people:cadre_new", "people:cadres", "查看团干部列表",
    ),
)  # fmt: skip


def cadre_import(*, org: Org, file, actor, dry_run: bool):
    """Import now, whatever the size (tests): see the module docstring."""
    return importer.run_import(IMPORTER, target=org, actor=actor, source=file, dry_run=dry_run)


def cadre_template(org: Org) -> bytes:
    return workbooks.template_workbook(template(org))
