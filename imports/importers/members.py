"""Members of a branch from the Excel template (SPEC P2, P5, P6, P10, P11), at any size.

录入团员团干部 (the branch admin) and 录入下级支部成员 (the direct superior's
admin, into one of its direct subordinate branches) share this import. Each
row is checked by people.members.check_new_member, the check of entering one
member on the page and the API.

Built for 20,000-row files: each chunk of the framework costs one look-up of
its ID numbers (by keyed hash), one of its development numbers and a few bulk
inserts, in one transaction.

An ID number already in the system is never entered twice (P6, U3): in this
branch the row is skipped, unless its 团内职务 differs from the member's post
here: then the post changes (P4, 团干部职务变更; the preview says
"变更职务：团员→团支部书记"), checked for the whole file by
people.cadres.branch_post_errors (one 书记 per branch, the registered
secretary replaced in the same file, an admin keeps a post) and written by
people.cadres.branch_posts_apply, the service of the 团干部职务变更 page;
in another branch it is refused, with the
transfer to ask for (the holder is named only inside the importer's
subtree); a person on record without a branch (a cadre of a committee)
under the same name is linked to this branch.
Imported people log in with the last 8 characters of their ID number
(P7): the login backend compares it with the decrypted ID number, so no
password is hashed per row.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, models, router
from django.utils import timezone

from audit.services import audit_record
from core import pii
from core.normalize import clean_text
from core.signals import counts_changed
from excel import workbooks
from excel.readers import Column
from excel.report import ImportReport, RowResult, Status
from excel.workbooks import TemplateSpec
from imports import importer
from imports.importer import Checked, Importer, Run, Sheet, Words
from orgs.models import Org, OrgAdmin
from people.cadres import branch_post_errors, branch_post_label, branch_posts_apply, name_mismatch_message
from people.choices import BRANCH_POSITIONS, PoliticalStatus
from people.members import MEMBER_FIELDS, check_new_member, held_elsewhere_message, require_member_importer
from people.models import AccountState, Cadre, Person, derived_fields

from . import PERSON_CHOICES, PERSON_UNIQUE, person_cells, person_columns, position_cell, row_message

TEMPLATE_NAME = "团员团干部录入模板"
SHEET = "团员团干部"
SUBORDINATE_SHEET = "录入下级支部成员说明"
MAX_ROWS = 20_000
CHUNK = importer.CHUNK
UNUSABLE_PASSWORD = "!"  # imported people log in with the initial password (P7), checked against the ID number

# "团内职务" is required as a column (its cells may be empty): it tells this
# template apart from the 本级团干部 template, whose column is "本级团内职务" (P6).
COLUMNS = (
    *person_columns(
        "name", "id_number", "political_status", "league_join_date", "development_number",
        "ethnicity", "education", "occupation", "mobile", "email",
    ),
    Column("position", "团内职务（团干部填写，团员留空）", width=24),
    Column("party_applied_on", "递交入党申请书年月（可选）", required=False, width=24),
)  # fmt: skip
ROW_FIELDS = (*MEMBER_FIELDS, "party_applied_on")


# Template


def template(branch: Org) -> TemplateSpec:
    """The member template of P6: 填写说明, 录入下级支部成员说明 and drop-downs for the coded columns."""
    return TemplateSpec(
        title=TEMPLATE_NAME,
        sheet=SHEET,
        columns=COLUMNS,
        choices={**PERSON_CHOICES, "position": BRANCH_POSITIONS},
        max_rows=MAX_ROWS,
        example=[
            "李小红",
            "320102200301012345",
            "团员",
            "2016-05",
            "",
            "汉族",
            "大学本科",
            "学生",
            "13812345678",
            "",
            "组织委员",
            "",
        ],
        instructions=[
            f"1. 本模板用于向“{branch.full_name}”录入团员和本支部团干部。请在“{SHEET}”工作表中从第2行起每行填写一人，"
            "不要修改、删除或移动第1行表头。",
            "2. 必填：姓名、身份证号码（18位，最后一位可以是X）、政治面貌、入团年月。"
            "民族、学历、职业、手机号码也请填写，否则该团员的信息显示为“未完成”，不计入录入进度。",
            "3. 政治面貌、民族、学历、职业、团内职务请从下拉列表中选择。政治面貌可选："
            f"{'、'.join(PoliticalStatus.values)}。",
            "4. 入团年月填写年和月，例如 2017-09、2017.09、2017年9月 或 201709，也可以是日期；不能晚于当前月份。"
            "2016年9月1日以后入团须年满13周岁，之前须年满12周岁。",
            "5. 发展团员编号：2017年1月1日起入团的必须填写，为12位，前4位是入团年份（2017年和2018年入团的可互用）；"
            "2017年以前入团的可以不填，填写的须以入团年份开头。发展团员编号全国唯一，不能与他人重复。",
            f"6. 团内职务：本支部的团干部填写其在本支部的职务（可选：{'、'.join(BRANCH_POSITIONS)}），普通团员留空。",
            "7. 身份证号码必须按文本填写（本模板的“身份证号码”列已设为“文本”格式）：被Excel存成数字的号码"
            "（例如显示为 3.20102E+17）只保留了前15位，系统会拒绝该行，请把该列设为“文本”格式后重新输入完整号码。"
            "手机号码按文本或数字填写均可，全角数字和多余空格会自动处理。",
            "8. 同一身份证号码在系统中只有一条记录：已是本支部团员的会被跳过，不会重复录入，所以修改出错的行后可以重新上传整个文件；"
            "已是本支部团员、但团内职务与系统中不同的，按本文件变更其职务（换届后可用来更新团干部，检查结果逐行列出变更，确认后才生效；"
            "普通团员的团内职务留空；一个团支部只有一名书记，更换书记时请同时改原书记的职务）；"
            "已是其他团支部团员的不能在这里录入，请通过“组织关系转接 → 办理转入”申请转入；"
            "已登记为上级组织团干部（尚无所在团支部）的人员，会按身份证号码关联为本支部团员，不重复建档。",
            "9. 新录入的人员用身份证号码登录，初始密码为身份证号码后8位，首次登录须修改密码。",
            f"10. 一次最多上传{MAX_ROWS}行，较大的文件会在后台导入并显示进度，关闭页面不影响导入。"
            "请保存为 Excel 工作簿（.xlsx）后上传，不支持 .xls 和 .xlsm 文件。",
            "11. 上传后系统先逐行检查并显示结果，确认后才会录入；有错误的行不会录入任何数据，请按提示修改后再上传。",
        ],
        extra_sheets={
            SUBORDINATE_SHEET: [
                "1. 团委、团工委、团总支的管理员可以为直属团支部录入成员：在“团员管理 → 录入下级支部成员”中选择一个直属团支部，"
                "下载本模板，填好后上传。没有直属团支部的组织没有此功能。",
                "2. 只能录入到直属团支部；更下级的团支部（例如下属团总支的团支部）请由其直属上级组织或团支部自己的管理员录入。",
                "3. 每个文件只录入一个团支部的成员：每个团支部请分别下载模板、分别上传。上传前请核对页面上显示的团支部名称。",
                "4. 录入后团员由所在团支部的管理员管理（删除团员、重置密码只能由团支部管理员办理）；上级组织可以查看。",
                "5. 团支部尚无管理员时，可以先由上级录入团员，再为该支部生成管理员注册码，由支部书记注册为管理员。",
            ]
        },
    )


# Check, decide, apply


@dataclass
class _Known:
    pk: int
    name: str
    branch_id: int | None


# A created person's fields from the row (with the value when the row has none); the rest are `_insert`'s
# common values or the model's defaults.
_ROW_FIELDS = {
    "name": "", "id_number": "", "ethnicity": "", "political_status": "", "league_join_date": None,
    "education": "", "occupation": "", "mobile": "", "email": "", "development_number": None,
    "party_applied_on": None,
}  # fmt: skip


def check(row, run: Run) -> Checked:
    """One row through people.members.check_new_member; nothing from the database."""
    data, refused = person_cells(row.values)
    position = position_cell(row.values.get("position"))
    fields = (*ROW_FIELDS, "development_number") if run.has_column("development_number") else ROW_FIELDS
    clean, errors = check_new_member(run.target, data, position, fields=fields)
    clean.setdefault("development_number", None)
    clean.setdefault("party_applied_on", None)
    clean["position"] = position
    values = {"name": clean_text(row.values["name"]), "id_number": "", "position": position}
    if clean.get("id_number"):
        values["id_number"] = pii.mask_id_number(clean["id_number"])
    result = RowResult(row=row.number, status=Status.WILL_CREATE, values=values, cells=row.cells)
    if errors or refused:
        checked = Checked(
            result=result, clean=clean, key=pii.keyed_hash(clean["id_number"]) if "id_number" in clean else ""
        )
        checked.fail(row_message(refused, errors))
        return checked
    # The person this row would create, derived fields included: its keyed hash is the look-up key.
    person = {f: clean.get(f, default) for f, default in _ROW_FIELDS.items()}
    person.update(derived_fields(person))
    checked = Checked(result=result, clean=clean, key=person["id_hash"], made=person)
    # The file's posts, for the rules over the whole file (_post_rules).
    run.state.setdefault("file_posts", {}).setdefault(checked.key, (position, clean["name"]))
    return checked


def _post_rules(run: Run) -> tuple[dict, dict]:
    """(post by ID-number hash before the import, refusals by hash): the branch's posts after the whole file,
    through people.cadres.branch_post_errors; computed once, at the first chunk."""
    if "post_errors" not in run.state:
        branch = run.target
        before, names = {}, {}
        for key, name, position in Cadre.objects.filter(org=branch).values_list(
            "person__id_hash", "person__name", "position"
        ):
            before[key], names[key] = position, name
        admins = set(OrgAdmin.objects.filter(org=branch).values_list("person__id_hash", flat=True))
        registered = Org.objects.filter(pk=branch.pk).values_list("secretary__id_hash", flat=True).first()
        after = dict(before)
        for key, (position, name) in run.state.get("file_posts", {}).items():
            names.setdefault(key, name)
            if key in before or position:
                after[key] = position
        run.state["posts_before"] = before
        run.state["post_errors"] = branch_post_errors(
            before=before, after=after, registered=registered, admins=admins, names=names
        )
    return run.state["posts_before"], run.state["post_errors"]


def decide(run: Run, rows: list[Checked]) -> None:
    """Against the database: two queries for the chunk. Rows to link get the person's pk in `found`.

    A person held in another branch is refused; the branch is named only if the actor can view it.
    """
    branch = run.target
    if not rows:
        return
    posts_before, post_errors = _post_rules(run)
    # Only the columns needed: loading whole people would decrypt two fields per row.
    known = {
        h: _Known(pk, name, branch_id)
        for h, pk, name, branch_id in Person.objects.filter(id_hash__in=[r.key for r in rows]).values_list(
            "id_hash", "pk", "name", "branch_id"
        )
    }
    holders = {o.pk: o for o in Org.objects.filter(pk__in={k.branch_id for k in known.values()} - {None, branch.pk})}
    numbers = [r.clean["development_number"] for r in rows if r.clean["development_number"]]
    taken = (
        dict(Person.objects.filter(development_number__in=numbers).values_list("development_number", "id_hash"))
        if numbers
        else {}
    )
    for r in rows:
        person = known.get(r.key)
        number = r.clean["development_number"]
        r.found = None
        old, new = posts_before.get(r.key, ""), r.clean["position"]
        here = person is not None and person.branch_id == branch.id
        if here and old == new:
            r.skip(f"已存在，跳过：{person.name}已是本支部成员，不会重复录入。")
        elif here and person.name != r.clean["name"]:
            r.fail(name_mismatch_message(r.clean["name"]))
        elif here and r.key in post_errors:
            r.fail(post_errors[r.key])
        elif here:
            r.change(f"变更职务：{branch_post_label(old)}→{branch_post_label(new)}（已是本支部成员，其他信息不变）")
            r.found = person.pk
        elif person is not None and person.branch_id is not None:
            r.fail(
                held_elsewhere_message(Person(name=person.name, branch=holders[person.branch_id]), branch, run.actor)
            )
        elif person is not None and person.name != r.clean["name"]:
            r.fail(name_mismatch_message(r.clean["name"]))
        elif r.key in post_errors:
            r.fail(post_errors[r.key])
        elif number and number in taken and taken[number] != r.key:
            r.fail(f"发展团员编号“{number}”已被系统中的其他人员使用（发展团员编号全国唯一），请核对。")
        elif person is not None:
            r.result.message = "系统中已有此人（尚无所在团支部），将关联为本支部成员，不重复建档。"
            r.found = person.pk


def apply(run: Run, rows: list[Checked]) -> None:
    changing = [r for r in rows if r.changing]
    rows = [r for r in rows if not r.changing]
    create = [r for r in rows if r.found is None]
    link = [(r, r.found) for r in rows if r.found is not None]
    _insert(run.target, create, link)
    if changing:
        _change_posts(run, changing)
    for r in create:
        r.done(_created_message(r))
    for r, _ in link:
        r.done(_created_message(r) + "（关联系统中已有人员）")
    run.state["created"] = run.state.get("created", 0) + len(create)
    run.state["linked"] = run.state.get("linked", 0) + len(link)


def _change_posts(run: Run, rows: list[Checked]) -> None:
    """团干部职务变更 of members already here, through the page's service (people.cadres.branch_posts_apply)."""
    branch = Org.objects.select_for_update().get(pk=run.target.pk)
    before = dict(Cadre.objects.select_for_update().filter(org=branch).values_list("person_id", "position"))
    changes = {r.found: r.clean["position"] for r in rows}
    names = {r.found: r.clean["name"] for r in rows}
    branch_posts_apply(branch=branch, changes=changes, before=before, names=names, actor=run.actor)
    for r in rows:
        r.changed(r.result.message.replace("变更职务：", "已变更职务：", 1))
    run.state["changed"] = run.state.get("changed", 0) + len(rows)


def finish(run: Run, report: ImportReport) -> None:
    audit_record(
        actor=run.actor,
        verb="导入团员团干部",
        target=run.target,
        org=run.target,
        changes={
            "rows": len(report.rows),
            "created": run.state.get("created", 0),
            "linked": run.state.get("linked", 0),
            "skipped": report.skipped,
            "failed": len(report.failed),
        },
    )


def _created_message(r: Checked) -> str:
    return f"已录入（{r.clean['position']}）" if r.clean["position"] else "已录入"


def _insert(branch: Org, create: list[Checked], link: list[tuple[Checked, int]]) -> None:
    now = timezone.now()
    bulk_insert_people(
        [r.made for r in create],
        common={
            "branch_id": branch.pk,
            "account_state": AccountState.INITIAL,
            "must_change_password": True,
            "password": UNUSABLE_PASSWORD,
            "created_at": now,
            "updated_at": now,
        },
    )
    posted = [r for r in create if r.clean["position"]]
    ids = (
        dict(Person.objects.filter(id_hash__in=[r.key for r in posted]).values_list("id_hash", "pk")) if posted else {}
    )
    posts = [Cadre(person_id=ids[r.key], org=branch, position=r.clean["position"]) for r in posted]
    for r, pk in link:
        person = Person.objects.select_for_update().get(pk=pk)
        person.branch = branch
        for field, value in r.clean.items():
            if (
                field not in ("name", "id_number", "position")
                and value not in (None, "")
                and not getattr(person, field)
            ):
                setattr(person, field, value)
        person.save()
        if r.clean["position"]:
            posts.append(Cadre(person=person, org=branch, position=r.clean["position"]))
    Cadre.objects.bulk_create(posts, ignore_conflicts=True)
    counts_changed.send(sender=Person, org_ids=[branch.pk])  # bulk inserts send no model signal


# Bulk inserts of people. bulk_create spends most of a large import building a
# Person per row and preparing each of ~28 values through the field API; here
# the rows stay dicts, the values every row shares (and the model defaults) are
# prepared once, each row's own values by a conversion chosen once per column,
# and the rows go to the database in one executemany.


def bulk_insert_people(people: list[dict], *, common: dict) -> None:
    """INSERT one person per dict of `people` (its fields and derived_fields), `common` holding what every
    row shares; any other field takes its default. One executemany."""
    if not people:
        return
    connection = connections[router.db_for_write(Person)]
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    row = []  # the values every row shares, prepared; None where the row's own value goes
    own = []  # (position, field name, conversion or None)
    for i, f in enumerate(fields):
        if f.attname in people[0]:
            row.append(None)
            if isinstance(f, pii.EncryptedTextField):
                own.append((i, f.attname, pii.encrypt))
            elif isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
                own.append((i, f.attname, connection.ops.adapt_datefield_value))
            else:
                own.append((i, f.attname, None))
        else:
            value = common[f.attname] if f.attname in common else f.get_default()
            row.append(f.get_db_prep_save(value, connection))
    rows = []
    for person in people:
        values = row.copy()
        for i, name, convert in own:
            value = person[name]
            values[i] = convert(value) if convert is not None and value not in (None, "") else value
        rows.append(values)
    quote = connection.ops.quote_name
    table, columns = quote(Person._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(connection, cursor, f"COPY {table} ({columns}) FROM STDIN", rows)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", rows)


def _copy(connection, cursor, sql: str, rows: list) -> None:
    """PostgreSQL: the rows in one COPY, 3-4 times faster than executemany (a statement per row) into
    people_person (bench/import_members.py measures both). Like cursor.execute, it goes through the
    connection's execute wrappers and its errors become Django's (a unique violation is an IntegrityError,
    which the import framework retries once)."""

    def copy(sql, params, many, context):
        with context["cursor"].cursor.copy(sql) as stream:
            for row in rows:
                stream.write_row(row)

    executor = copy
    for wrapper in reversed(connection.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    with connection.wrap_database_errors:
        executor(sql, None, False, {"connection": connection, "cursor": cursor})


IMPORTER = Importer(
    kind="member_import", sheet=Sheet(TEMPLATE_NAME, SHEET, COLUMNS, MAX_ROWS), template=template,
    require=require_member_importer, check=check, decide=decide, apply=apply, finish=finish,
    unique=PERSON_UNIQUE, applies=lambda org: org.is_branch, not_here="只有团支部可以录入团员。",
    words=Words(
        "录入", "人", "已存在跳过", "团员团干部导入结果",
        (("name", "姓名"), ("id_number", "身份证号码"), ("position", "团内职务")),
        "people:member_import", "people:member_import",
        "people:members", "查看团员列表",
    ),
)  # fmt: skip


def member_import(
    *, branch: Org, file_or_rows, actor, dry_run: bool, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Import now, whatever the size (the worker, tests, benchmarks): `file_or_rows` is an upload, bytes,
    a SheetData or a list of dicts keyed like COLUMNS."""
    return importer.run_import(
        IMPORTER, target=branch, actor=actor, source=file_or_rows, dry_run=dry_run, progress=progress
    )


def member_import_start(*, branch: Org, file, actor, dry_run: bool):
    """An ImportReport now, or an ImportJob above settings.IMPORT_BACKGROUND_ROWS rows."""
    return importer.import_start(IMPORTER, target=branch, actor=actor, file=file, dry_run=dry_run)


def member_template(branch: Org) -> bytes:
    return workbooks.template_workbook(template(branch))
