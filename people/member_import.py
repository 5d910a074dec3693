"""Members of a branch from the Excel template (SPEC P2, P5, P6, P10, P11), at any size.

录入团员团干部 (the branch admin) and 录入下级支部成员 (the direct superior's
admin, into one of its direct subordinate branches) share this import. It
works like T6: every row is checked first and nothing is written in a
preview (`dry_run`); on confirmation the valid rows go in and the invalid
ones are reported with their Excel row numbers.

Built for 20,000-row files: rows are validated without the database, then
handled in chunks of CHUNK rows; each chunk costs one look-up of its ID
numbers (by keyed hash), one of its development numbers and a few bulk
inserts, in one transaction. A chunk is written whole or not at all, so an
import that dies half-way leaves complete chunks, and uploading the same
file again skips them as already present.

An ID number already in the system is never entered twice (P6, U3): in this
branch the row is skipped; in another branch it is refused, with the
transfer to ask for (the holder is named only inside the importer's
subtree); a person on record without a branch (a cadre of a committee)
under the same name is linked to this branch.
Imported people log in with the last 8 characters of their ID number
(P7): the login backend compares it with the decrypted ID number, so no
password is hashed per row.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone

from audit.services import audit_record
from core import pii
from core.exceptions import DomainError, Invalid, NotAllowed, NotFound
from core.normalize import clean_text
from imports import jobs, readers, workbooks
from imports.readers import Column, DataRow, SheetData
from imports.report import ImportReport, RowResult, Status
from orgs import access as org_access
from orgs.models import Org
from progress.aggregates import stats_mark_dirty

from . import access, validation
from .cadres import excel_month, name_mismatch_message
from .choices import BRANCH_POSITIONS, EDUCATIONS, ETHNICITIES, OCCUPATIONS, PoliticalStatus
from .members import MEMBER_FIELDS, MEMBER_REQUIRED, held_elsewhere_message
from .models import AccountState, Cadre, Person
from .validation import clean_person_fields, parse_year_month

TEMPLATE_NAME = "团员团干部录入模板"
SHEET = "团员团干部"
SUBORDINATE_SHEET = "录入下级支部成员说明"
MAX_ROWS = 20_000
CHUNK = 1000
DEVELOPMENT_NUMBER_FROM = dt.date(2017, 1, 1)
UNUSABLE_PASSWORD = "!"  # imported people log in with the initial password (P7), checked against the ID number

# "团内职务" is required as a column (its cells may be empty): it tells this
# template apart from the 本级团干部 template, whose column is "本级团内职务" (P6).
COLUMNS = (
    Column("name", "姓名", width=12),
    Column("id_number", "身份证号码", width=24),
    Column("political_status", "政治面貌", width=14),
    Column("league_join_date", "入团年月（如2017-09）", width=20),
    Column("development_number", "发展团员编号（2017年起入团必填）", required=False, width=26),
    Column("ethnicity", "民族", required=False, width=12),
    Column("education", "学历", required=False, width=14),
    Column("occupation", "职业", required=False, width=14),
    Column("mobile", "手机号码", required=False, width=16),
    Column("email", "电子邮箱（可选）", required=False, width=26),
    Column("position", "团内职务（团干部填写，团员留空）", width=24),
    Column("party_applied_on", "递交入党申请书年月（可选）", required=False, width=24),
)


def require_member_importer(actor, branch: Org) -> None:
    """P5 (1)(2): the branch's admin, or the admin of its direct superior."""
    if not branch.is_branch:
        raise Invalid(
            f"{branch.short_name}是{branch.category}，团员只能录入到团支部：请选择一个直属团支部（录入下级支部成员）。",
            code="not_a_branch",
        )
    if not access.can_enter_members(actor, branch):
        raise NotAllowed(
            f"只有{branch.short_name}的管理员或其直属上级组织的管理员可以录入该支部的团员团干部；更上级组织只能查看。",
            code="forbidden",
        )


def member_target(*, org: Org, branch_id: int | None, actor) -> Org:
    """The branch an import goes into: `org` itself, or its direct subordinate branch `branch_id` (P5-1)."""
    if branch_id is None or branch_id == org.pk:
        target = org
    else:
        target = Org.objects.filter(pk=branch_id).first()
        if target is None or not org_access.can_view(actor, target):
            raise NotFound("未找到该团支部，或您无权查看。", code="org_not_found")
        if target.parent_id != org.pk:
            raise NotAllowed(
                f"{target.short_name}不是{org.short_name}的直属团支部：录入下级支部成员只能选择直属团支部，"
                "更下级的团支部由其直属上级组织或支部自己的管理员录入。",
                code="forbidden",
            )
    require_member_importer(actor, target)
    return target


def member_import_start(*, branch: Org, file, actor, dry_run: bool):
    """Import now (an ImportReport) or, above settings.IMPORT_BACKGROUND_ROWS rows, in the background (an ImportJob).

    The file is read here either way, so a wrong template or a file that is
    not a workbook is refused at once, before any job exists.
    """
    require_member_importer(actor, branch)
    content = readers.read_upload(file)
    sheet = read_member_file(content)
    if len(sheet.rows) > jobs.background_rows():
        return jobs.job_start(
            kind="member_import", org=branch, actor=actor, content=content, total=len(sheet.rows), dry_run=dry_run
        )
    return member_import(branch=branch, file_or_rows=sheet, actor=actor, dry_run=dry_run)


# Template


def member_template(branch: Org) -> bytes:
    """The member template of P6: 填写说明, 录入下级支部成员说明 and drop-downs for the coded columns."""
    spec = workbooks.TemplateSpec(
        title=TEMPLATE_NAME,
        sheet=SHEET,
        columns=COLUMNS,
        choices={
            "political_status": PoliticalStatus.values,
            "ethnicity": ETHNICITIES,
            "education": EDUCATIONS,
            "occupation": OCCUPATIONS,
            "position": BRANCH_POSITIONS,
        },
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
    return workbooks.template_workbook(spec)


# Import


@dataclass
class _Known:
    pk: int
    name: str
    branch_id: int | None


@dataclass
class _Row:
    result: RowResult
    clean: dict
    hash: str = ""


def member_import(
    *,
    branch: Org,
    file_or_rows,
    actor,
    dry_run: bool,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Enter the members listed in an uploaded template into `branch` (see the module docstring).

    `file_or_rows` is the upload (bytes or a file), a SheetData already
    read, or a list of dicts keyed like COLUMNS (rows numbered from 2).
    `progress(done, total)` is called after each chunk.
    """
    require_member_importer(actor, branch)
    sheet = _sheet(file_or_rows)
    has_dev_column = sheet.headers is None or any(readers.header_key(h) == "发展团员编号" for h in sheet.headers)
    report = ImportReport(dry_run=dry_run, headers=list(sheet.headers or [c.header for c in COLUMNS]))
    rows = [_check_row(row, has_dev_column) for row in sheet.rows]
    for r in rows:
        report.add(r.result)
    _mark_duplicates(rows)
    total = len(rows)
    counts = {"created": 0, "linked": 0}
    for start in range(0, total, CHUNK):
        chunk = rows[start : start + CHUNK]
        if dry_run:
            _decide(branch, chunk, actor)
        else:
            _write_chunk(branch, chunk, counts, actor)
        if progress:
            progress(min(start + CHUNK, total), total)
    if not dry_run:
        audit_record(
            actor=actor,
            verb="导入团员团干部",
            target=branch,
            org=branch,
            changes={
                "rows": total,
                "created": counts["created"],
                "linked": counts["linked"],
                "skipped": report.skipped,
                "failed": len(report.failed),
            },
        )
    return report


def _sheet(file_or_rows) -> SheetData:
    if isinstance(file_or_rows, SheetData):
        return file_or_rows
    if isinstance(file_or_rows, list):
        if len(file_or_rows) > MAX_ROWS:
            raise readers.FileRefused(f"一次最多上传{MAX_ROWS}行数据，请分成几个文件分别上传。")
        keys = [c.key for c in COLUMNS]
        return SheetData(
            headers=None,
            rows=[
                DataRow(number=n, values={k: row.get(k, "") for k in keys}, cells=[row.get(k, "") for k in keys])
                for n, row in enumerate(file_or_rows, start=2)
            ],
        )
    return read_member_file(file_or_rows)


def read_member_file(file) -> SheetData:
    """Read an upload as the member template, refusing a wrong template or a non-workbook whole (P6)."""
    return readers.read_rows(file, columns=COLUMNS, template_name=TEMPLATE_NAME, sheet_name=SHEET, max_rows=MAX_ROWS)


def count_rows(file) -> int:
    return len(read_member_file(file).rows)


def _check_row(row: DataRow, has_dev_column: bool) -> _Row:
    """Everything that needs no database: personal fields, position, P11 shape."""
    raw = row.values
    name = clean_text(raw["name"])
    result = RowResult(
        row=row.number, status=Status.FAILED, values={"name": name, "id_number": "", "position": ""}, cells=row.cells
    )
    messages: list[str] = []
    data = {k: raw.get(k, "") for k in MEMBER_FIELDS}
    data["political_status"] = "".join(clean_text(raw["political_status"]).split())
    excel_errors = {}
    for field, convert in (("id_number", readers.id_number_cell), ("league_join_date", excel_month)):
        try:
            data[field] = convert(raw[field])
        except DomainError as e:
            excel_errors[field] = e.message
    clean, errors = clean_person_fields(data, required=MEMBER_REQUIRED)
    messages += list(excel_errors.values()) + [e["message"] for e in errors if e["field"] not in excel_errors]
    if clean.get("id_number"):
        result.values["id_number"] = pii.mask_id_number(clean["id_number"])
    position = "".join(clean_text(raw.get("position")).split())
    if position and position not in BRANCH_POSITIONS:
        messages.append(
            f"团内职务“{position}”不可选，请从下拉列表中选择：{'、'.join(BRANCH_POSITIONS)}；普通团员请留空。"
        )
    clean["position"] = result.values["position"] = position
    applied = raw.get("party_applied_on")
    clean["party_applied_on"] = None
    if not _blank(applied):
        try:
            month = parse_year_month(excel_month(applied))
            if month > dt.date.today().replace(day=1):
                raise ValidationError("递交入党申请书年月不能晚于当前月份。")
            clean["party_applied_on"] = month
        except (ValidationError, DomainError) as e:
            text = e.message if isinstance(e, DomainError) else e.messages[0]
            messages.append(text.replace("入团年月", "递交入党申请书年月"))
    clean["development_number"] = None
    if has_dev_column and clean.get("league_join_date"):
        try:
            clean["development_number"] = check_development_number(
                raw.get("development_number"), clean["league_join_date"]
            )
        except Invalid as e:
            messages.append(e.message)
    if messages:
        result.message = "".join(dict.fromkeys(messages))
    else:
        result.status = Status.WILL_CREATE
    return _Row(result=result, clean=clean, hash=pii.keyed_hash(clean["id_number"]) if "id_number" in clean else "")


def check_development_number(raw: object, joined: dt.date) -> str | None:
    """P11 (people.validation.check_development_number) as an import row error."""
    try:
        return validation.check_development_number(raw, joined)
    except ValidationError as e:
        raise Invalid(e.messages[0], code="development_number") from None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _mark_duplicates(rows: list[_Row]) -> None:
    """The same ID number, or development number, twice in the file: the later rows fail."""
    ids: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for r in rows:
        if r.result.failed:
            continue
        id_number, number = r.clean["id_number"], r.clean.get("development_number")
        if id_number in ids:
            _fail(r, f"与第{ids[id_number]}行的身份证号码重复，同一人只能填写一行。请删除重复的行。")
            continue
        ids[id_number] = r.result.row
        if number:
            if number in numbers:
                _fail(r, f"发展团员编号“{number}”与第{numbers[number]}行重复，发展团员编号不能重复。请核对。")
                continue
            numbers[number] = r.result.row


def _fail(r: _Row, message: str) -> None:
    r.result.status, r.result.message = Status.FAILED, message


def _decide(branch: Org, chunk: list[_Row], actor) -> tuple[list[_Row], list[tuple[_Row, Person]]]:
    """Against the database: two queries for the chunk. Returns the rows to create and to link.

    A person held in another branch is refused; the branch is named only if `actor` can view it.
    """
    valid = [r for r in chunk if r.result.status == Status.WILL_CREATE]
    if not valid:
        return [], []
    # Only the columns needed: loading whole people would decrypt two fields per row.
    known = {
        h: _Known(pk, name, branch_id)
        for h, pk, name, branch_id in Person.objects.filter(id_hash__in=[r.hash for r in valid]).values_list(
            "id_hash", "pk", "name", "branch_id"
        )
    }
    holders = {o.pk: o for o in Org.objects.filter(pk__in={k.branch_id for k in known.values()} - {None, branch.pk})}
    numbers = [r.clean["development_number"] for r in valid if r.clean["development_number"]]
    taken = (
        dict(Person.objects.filter(development_number__in=numbers).values_list("development_number", "id_hash"))
        if numbers
        else {}
    )
    create, link = [], []
    for r in valid:
        person = known.get(r.hash)
        number = r.clean["development_number"]
        if person is not None and person.branch_id == branch.id:
            r.result.status = Status.SKIPPED
            r.result.message = f"已存在，跳过：{person.name}已是本支部成员，不会重复录入。"
        elif person is not None and person.branch_id is not None:
            _fail(r, held_elsewhere_message(Person(name=person.name, branch=holders[person.branch_id]), branch, actor))
        elif person is not None and person.name != r.clean["name"]:
            _fail(r, name_mismatch_message(r.clean["name"]))
        elif number and number in taken and taken[number] != r.hash:
            _fail(r, f"发展团员编号“{number}”已被系统中的其他人员使用（发展团员编号全国唯一），请核对。")
        elif person is not None:
            r.result.message = "系统中已有此人（尚无所在团支部），将关联为本支部成员，不重复建档。"
            link.append((r, person.pk))
        else:
            create.append(r)
    return create, link


def _write_chunk(branch: Org, chunk: list[_Row], counts: dict, actor) -> None:
    """Decide and write one chunk in one transaction; a concurrent insert of the same person re-decides once."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                create, link = _decide(branch, chunk, actor)
                _insert(branch, create, link)
        except IntegrityError:
            if attempt == 2:
                for r in chunk:
                    if r.result.status == Status.WILL_CREATE:
                        _fail(r, "该身份证号码或发展团员编号刚刚已被录入，请重新上传本文件：已录入的行会自动跳过。")
                return
            # Someone else entered one of these people meanwhile: the second attempt looks again.
        else:
            break
    for r in create:
        r.result.status, r.result.message = Status.CREATED, _created_message(r)
    for r, _ in link:
        r.result.status, r.result.message = Status.CREATED, _created_message(r) + "（关联系统中已有人员）"
    counts["created"] += len(create)
    counts["linked"] += len(link)


def _created_message(r: _Row) -> str:
    return f"已录入（{r.clean['position']}）" if r.clean["position"] else "已录入"


def _insert(branch: Org, create: list[_Row], link: list[tuple[_Row, int]]) -> None:
    now = timezone.now()
    people = []
    for r in create:
        c = r.clean
        person = _new_person(
            name=c["name"],
            id_number=c["id_number"],
            ethnicity=c.get("ethnicity", ""),
            political_status=c.get("political_status", ""),
            league_join_date=c.get("league_join_date"),
            education=c.get("education", ""),
            occupation=c.get("occupation", ""),
            mobile=c.get("mobile", ""),
            email=c.get("email", ""),
            development_number=c["development_number"],
            party_applied_on=c["party_applied_on"],
            branch_id=branch.pk,
            account_state=AccountState.INITIAL,
            must_change_password=True,
            password=UNUSABLE_PASSWORD,
            created_at=now,
            updated_at=now,
        )
        person.sync_derived_fields()
        people.append(person)
    bulk_insert_people(people)
    posted = [r for r in create if r.clean["position"]]
    ids = (
        dict(Person.objects.filter(id_hash__in=[r.hash for r in posted]).values_list("id_hash", "pk")) if posted else {}
    )
    posts = [Cadre(person_id=ids[r.hash], org=branch, position=r.clean["position"]) for r in posted]
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
    stats_mark_dirty(org_ids=[branch.pk])  # progress: bulk inserts send no signal


# Bulk inserts of people. bulk_create spends most of a large import preparing
# each of ~28 values per row through the field API; here each column's
# conversion is chosen once, and the rows go to the database in one
# executemany. Fields this module does not set get their model default.

_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.ForeignKey,
)


def _person_fields() -> list:
    return [f for f in Person._meta.concrete_fields if not f.primary_key]


def _new_person(**values) -> Person:
    """A Person built positionally (Model.__init__'s fast path) from a row's values and the defaults."""
    row = [values[f.attname] if f.attname in values else f.get_default() for f in Person._meta.concrete_fields]
    return Person(*row)


def bulk_insert_people(people: list[Person]) -> None:
    """INSERT the people as they are (sync_derived_fields already called), in one executemany."""
    if not people:
        return
    fields = _person_fields()
    connection = connections[router.db_for_write(Person)]
    converters = []
    for f in fields:
        if isinstance(f, pii.EncryptedTextField):
            converters.append(lambda v: pii.encrypt(v) if v else v)
        elif type(f) is models.DateField:
            converters.append(connection.ops.adapt_datefield_value)
        elif type(f) is models.DateTimeField:
            converters.append(connection.ops.adapt_datetimefield_value)
        elif isinstance(f, _PLAIN_FIELDS) and not isinstance(f, pii.EncryptedTextField):
            converters.append(None)
        else:
            converters.append(lambda v, f=f: f.get_db_prep_save(v, connection))
    pairs = [(f.attname, convert) for f, convert in zip(fields, converters, strict=True)]
    rows = [
        tuple(getattr(p, name) if convert is None else convert(getattr(p, name)) for name, convert in pairs)
        for p in people
    ]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(Person._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# Background jobs (imports.jobs)


def run_job(job, content: bytes, progress) -> dict:
    """The worker's entry: the job's creator imports into the job's branch, as in the page."""
    if job.org is None:
        raise DomainError("该团支部已被删除，导入未进行。", code="org_gone")
    report = member_import(
        branch=job.org, file_or_rows=content, actor=job.created_by, dry_run=job.dry_run, progress=progress
    )
    return report.as_dict()


def result_workbook_from_job(content: bytes, report: dict) -> bytes:
    """The annotated workbook of a finished job: the uploaded rows with 结果 and 说明 beside each."""
    sheet = read_member_file(content)
    outcomes = {r["row"]: r for r in report.get("rows", [])}
    rebuilt = ImportReport(dry_run=report.get("dry_run", False), headers=sheet.headers)
    for row in sheet.rows:
        outcome = outcomes.get(row.number, {})
        rebuilt.add(
            RowResult(
                row=row.number, status=outcome.get("status", ""), message=outcome.get("message", ""), cells=row.cells
            )
        )
    return workbooks.result_workbook(rebuilt)
