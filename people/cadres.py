"""本级团干部 of a committee (SPEC P1–P4, P6, P7, P10): entering, deleting, changing positions, Excel import.

Only a 团的领导机关, 团委, 团工委 or 团总支 has cadres of its own here; a
branch's cadres are entered with its members (P3, P5). The organisation's
admin and its direct superior's admin act (P4, §8). A person is found by ID
number and linked if known (a person may hold posts in several committees,
P2), else created on the initial password (P7); a name that differs from the
record is refused, never used to rename the record (P1).
"""

from django.db import IntegrityError, transaction

from audit.services import audit_record
from core import pii
from core.exceptions import Conflict, DomainError, Invalid, NotAllowed, NotFound
from core.normalize import clean_code, clean_text
from imports import readers, workbooks
from imports.readers import Column
from imports.report import ImportReport, RowResult, Status
from orgs.models import Org, OrgAdmin

from . import access, post_offers, services
from .choices import COMMITTEE_POSITIONS, EDUCATIONS, ETHNICITIES, OCCUPATIONS, SECRETARY, PoliticalStatus
from .models import Cadre, Person, PostOffer
from .validation import FIELD_LABELS, clean_person_fields

PERSON_FIELDS = (
    "name", "id_number", "ethnicity", "political_status", "league_join_date",
    "education", "occupation", "mobile", "email",
)  # fmt: skip
# P10: what a new person's record must have when it is entered (import-mandatory).
REQUIRED_NEW = ("political_status", "league_join_date")

TEMPLATE_NAME = "本级团干部录入模板"
SHEET = "本级团干部"
MAX_ROWS = 2000
# "本级团内职务" is what tells this template apart from the member template (P6).
COLUMNS = (
    Column("name", "姓名", width=12),
    Column("id_number", "身份证号码", width=24),
    Column("position", "本级团内职务", width=16),
    Column("political_status", "政治面貌", width=14),
    Column("league_join_date", "入团年月（如2017-09）", width=20),
    Column("ethnicity", "民族", required=False, width=12),
    Column("education", "学历", required=False, width=14),
    Column("occupation", "职业", required=False, width=14),
    Column("mobile", "手机号码", required=False, width=16),
    Column("email", "电子邮箱（可选）", required=False, width=26),
    Column("development_number", "发展团员编号（2017年起入团必填）", required=False, width=26),
)


# Who may act


def check_cadre_org(org: Org) -> None:
    if org.is_branch:
        raise DomainError(
            f"{org.short_name}是{org.category}：团支部的团干部随团员一起录入（录入团员团干部），"
            "其团内职务即在本支部的职务；这里只录入团委、团工委、团总支和团的领导机关的本级团干部。",
            code="branch_cadres",
        )


def require_cadre_manager(actor, org: Org) -> None:
    """P3, P4: committees only; the organisation's own admin or its direct superior's admin."""
    check_cadre_org(org)
    if not access.can_manage_cadres(actor, org):
        raise NotAllowed(
            f"只有{org.short_name}的管理员或其直属上级组织的管理员可以录入、删除和变更其团干部；更上级组织只能查看。",
            code="forbidden",
        )


def check_position(position: str) -> str:
    position = clean_text(position)
    if position not in COMMITTEE_POSITIONS:
        shown = f"“{position}”" if position else ""
        raise Invalid(
            f"团内职务{shown}不可选，请从以下职务中选择：{'、'.join(COMMITTEE_POSITIONS)}。",
            code="bad_position",
            errors=[{"field": "position", "message": "请从列表中选择团内职务。"}],
        )
    return position


# Services


def _clean_person(person_data: dict) -> tuple[dict, Person | None]:
    """Clean values and the existing person with that ID number (None if new); raises Invalid.

    发展团员编号 (P11) is checked against the 入团年月 entered with it whenever the input has the field:
    the page and the API always do; a cadre template from before the column existed does not.
    """
    fields = (*PERSON_FIELDS, "development_number")
    clean, errors = clean_person_fields({k: person_data.get(k) for k in fields if k in person_data})
    person = services.person_find(clean["id_number"]) if not errors else None
    if not errors and person is not None and person.name != clean["name"]:
        errors.append({"field": "name", "message": name_mismatch_message(clean["name"])})
    if not errors and person is None:
        for field in REQUIRED_NEW:
            if not clean.get(field):
                errors.append({"field": field, "message": f"请填写{FIELD_LABELS[field]}（新录入人员必填）。"})
    if errors:
        code = "name_mismatch" if any(e["field"] == "name" for e in errors) and person else "invalid_person"
        raise Invalid("人员信息有误：" + "；".join(e["message"] for e in errors), code=code, errors=errors)
    return clean, person


def name_mismatch_message(name: str) -> str:
    return (
        f"填写的姓名“{name}”与系统中该身份证号码登记的姓名不一致。同一身份证号码只对应一个人："
        "如果是更换团干部，请先删除原团干部，再录入新任团干部本人的姓名和身份证号码；"
        "如果登记的姓名有误，请联系其所在组织管理员更正。"
    )


@transaction.atomic
def cadre_add(*, org: Org, person_data: dict, position: str, actor) -> Cadre | PostOffer:
    """录入本级团干部: create the person (initial password, P7), or link one already on record.

    Someone the actor can already see (a member or cadre of its subtree) is linked at once;
    anyone else gets a PostOffer and holds the post only once they (or the admin responsible
    for their record) accept it (issue 12). A link never writes the person's own fields.
    """
    require_cadre_manager(actor, org)
    position = check_position(position)
    clean, person = _clean_person(person_data)
    if person is not None:
        existing = Cadre.objects.filter(org=org, person=person).first()
        if existing is not None:
            raise already_cadre(person, org, existing.position)
        if not access.can_view_person(actor, person):
            return post_offers.post_offer_make(org=org, person=person, position=position, actor=actor)
    else:
        try:
            with transaction.atomic():
                person = services.person_create(data=clean, actor=actor, org=org)
        except IntegrityError:
            raise Conflict("该身份证号码刚刚已被录入，请刷新页面后重试。", code="person_exists") from None
    try:
        with transaction.atomic():
            post = Cadre.objects.create(person=person, org=org, position=position)
    except IntegrityError:
        raise already_cadre(person, org, position) from None
    audit_record(
        actor=actor,
        verb="录入本级团干部",
        target=person,
        org=org,
        changes={"person": person.name, "position": position},
    )
    return post


def already_cadre(person: Person, org: Org, position: str) -> Conflict:
    return Conflict(
        f"{person.name}已是{org.short_name}的团干部（{position}），不能重复录入；"
        "如需变更职务，请在团干部列表中使用“职务变更”。",
        code="cadre_exists",
    )


def _post_or_404(org: Org, person: Person) -> Cadre:
    post = Cadre.objects.select_for_update().filter(org=org, person=person).first()
    if post is None:
        raise NotFound(f"{person.name}不是{org.short_name}的团干部。", code="cadre_not_found")
    return post


@transaction.atomic
def cadre_remove(*, org: Org, person: Person, actor) -> None:
    """删除 a cadre who left. The person's record stays: they may be a member or cadre elsewhere.

    The organisation row is locked, as `org_admin_add` locks it, so a cadre
    cannot be deleted while being made admin.
    """
    require_cadre_manager(actor, org)
    org = Org.objects.select_for_update().get(pk=org.pk)
    post = _post_or_404(org, person)
    if OrgAdmin.objects.filter(org=org, person=person).exists():
        raise Conflict(
            f"{person.name}是{org.short_name}的管理员，不能直接删除：请先在“管理员变更”中撤销其管理员，再删除该团干部。",
            code="cadre_is_admin",
        )
    if org.secretary_id == person.pk:
        raise Conflict(
            f"{person.name}是{org.short_name}组织信息中登记的团组织书记，不能直接删除：请先在“组织信息”中填写新任书记，再删除。",
            code="cadre_is_secretary",
        )
    post.delete()
    audit_record(
        actor=actor,
        verb="删除本级团干部",
        target=person,
        org=org,
        changes={"person": person.name, "position": post.position},
    )


@transaction.atomic
def cadre_change_position(*, org: Org, person: Person, position: str, actor) -> Cadre:
    """团干部职务变更."""
    require_cadre_manager(actor, org)
    position = check_position(position)
    org = Org.objects.select_for_update().get(pk=org.pk)
    post = _post_or_404(org, person)
    if post.position == position:
        return post
    if org.secretary_id == person.pk and position != SECRETARY:
        raise Conflict(
            f"{person.name}是{org.short_name}组织信息中登记的团组织书记，职务须为书记：请先在“组织信息”中填写新任书记，再变更其职务。",
            code="cadre_is_secretary",
        )
    old = post.position
    post.position = position
    post.save(update_fields=["position", "updated_at"])
    audit_record(
        actor=actor,
        verb="变更团干部职务",
        target=person,
        org=org,
        changes={"person": person.name, "position": [old, position]},
    )
    return post


# Excel template and import


def cadre_template(org: Org) -> bytes:
    """The 本级团干部 template: a 填写说明 sheet and drop-downs for every coded column."""
    spec = workbooks.TemplateSpec(
        title=TEMPLATE_NAME,
        sheet=SHEET,
        columns=COLUMNS,
        choices={
            "position": COMMITTEE_POSITIONS,
            "political_status": PoliticalStatus.values,
            "ethnicity": ETHNICITIES,
            "education": EDUCATIONS,
            "occupation": OCCUPATIONS,
        },
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
    return workbooks.template_workbook(spec)


def cadre_import(*, org: Org, file, actor, dry_run: bool) -> ImportReport:
    """Enter the cadres listed in an uploaded template, row by row.

    Every row is checked first (personal fields, position, duplicates in
    the file, name against an existing record). A person already a cadre of
    this organisation is skipped, so a second upload enters nobody twice.
    Each valid row is entered in its own savepoint by `cadre_add`, so a row
    that fails leaves nothing behind while the others are kept. `dry_run`
    reports what would happen and writes nothing.
    """
    require_cadre_manager(actor, org)
    sheet = readers.read_rows(file, columns=COLUMNS, template_name=TEMPLATE_NAME, sheet_name=SHEET, max_rows=MAX_ROWS)
    report = ImportReport(dry_run=dry_run, headers=sheet.headers)
    with transaction.atomic():
        if not dry_run:
            # One import into one organisation at a time: a double-clicked confirmation skips, not fails.
            org = Org.objects.select_for_update().get(pk=org.pk)
        has_number = any(readers.header_key(h) == "发展团员编号" for h in sheet.headers or ())
        checked = [_check_row(row, has_number) for row in sheet.rows]
        known = _known_people([c[1]["id_number"] for c in checked if not c[0].failed])
        numbers = _numbers_taken([c[1]["development_number"] for c in checked if c[1].get("development_number")])
        posts = dict(
            Cadre.objects.filter(org=org, person__in=list(known.values())).values_list("person_id", "position")
        )
        offered = dict(
            post_offers.offers_of_org(org).filter(person__in=list(known.values())).values_list("person_id", "position")
        )
        seen: dict[str, int] = {}
        for result, clean in checked:
            report.add(result)
            if not result.failed:
                _decide(org, result, clean, known, posts, seen, numbers, offered)
            if result.status == Status.WILL_CREATE and not dry_run:
                _enter(org, result, clean, actor, linked=clean["id_number"] in known)
    return report


def _known_people(id_numbers: list[str]) -> dict[str, Person]:
    hashes = {pii.keyed_hash(n): n for n in id_numbers}
    found: dict[str, Person] = {}
    keys = list(hashes)
    for start in range(0, len(keys), 500):
        for person in Person.objects.filter(id_hash__in=keys[start : start + 500]):
            found[hashes[person.id_hash]] = person
    return found


def _numbers_taken(numbers: list[str]) -> dict[str, str]:
    """{development number: the ID-number hash of its holder} for the numbers already in the system."""
    return dict(Person.objects.filter(development_number__in=numbers).values_list("development_number", "id_hash"))


def _check_row(row, has_number: bool) -> tuple[RowResult, dict]:
    raw = row.values
    values = {"name": clean_text(raw["name"]), "id_number": clean_code(raw["id_number"]), "position": ""}
    result = RowResult(row=row.number, status=Status.FAILED, values=values, cells=row.cells)
    messages: list[str] = []
    position = "".join(clean_text(raw["position"]).split())
    if not position:
        messages.append(f"请填写本级团内职务（从下拉列表中选择：{'、'.join(COMMITTEE_POSITIONS)}）。")
    else:
        try:
            values["position"] = check_position(position)
        except DomainError as e:
            messages.append(e.message)
    data = {k: raw[k] for k in PERSON_FIELDS}
    data["political_status"] = "".join(clean_text(raw["political_status"]).split())
    excel_errors = {}
    for field, convert in (("id_number", readers.id_number_cell), ("league_join_date", excel_month)):
        try:
            data[field] = convert(raw[field])
        except DomainError as e:
            excel_errors[field] = e.message
    if has_number:
        data["development_number"] = raw["development_number"]
    clean, errors = clean_person_fields(data)
    messages += list(excel_errors.values()) + [e["message"] for e in errors if e["field"] not in excel_errors]
    values["id_number"] = clean.get("id_number", values["id_number"])
    if messages:
        result.message = "".join(dict.fromkeys(messages))
    else:
        result.status = Status.WILL_CREATE
    return result, {**clean, "position": values["position"]}


def _decide(
    org: Org, result: RowResult, clean: dict, known: dict, posts: dict, seen: dict, numbers: dict, offered: dict
) -> None:
    id_number, number = clean["id_number"], clean.get("development_number")
    person = known.get(id_number)
    missing = [FIELD_LABELS[f] for f in REQUIRED_NEW if not clean.get(f)] if person is None else []
    if id_number in seen:
        result.status = Status.FAILED
        result.message = f"与第{seen[id_number]}行的身份证号码重复，同一人只能填写一行。请删除重复的行。"
        return
    seen[id_number] = result.row
    number_key = f"发展团员编号:{number}"  # `seen` holds the file's development numbers beside its ID numbers
    if number and number_key in seen:
        result.status = Status.FAILED
        result.message = f"发展团员编号“{number}”与第{seen[number_key]}行重复，发展团员编号不能重复。请核对。"
        return
    if number:
        seen[number_key] = result.row
    if number and number in numbers and numbers[number] != pii.keyed_hash(id_number):
        result.status = Status.FAILED
        result.message = f"发展团员编号“{number}”已被系统中的其他人员使用（发展团员编号全国唯一），请核对。"
    elif person is not None and person.name != clean["name"]:
        result.status, result.message = Status.FAILED, name_mismatch_message(clean["name"])
    elif person is not None and person.pk in posts:
        result.status = Status.SKIPPED
        result.message = f"已是{org.short_name}的团干部（{posts[person.pk]}），跳过，不会重复录入；如需变更职务请在团干部列表中操作。"
    elif person is not None and person.pk in offered:
        result.status = Status.SKIPPED
        result.message = f"已向此人发出任职确认（{offered[person.pk]}），等待本人或其所在组织确认，跳过。"
    elif missing:
        result.status = Status.FAILED
        result.message = f"请填写{'、'.join(missing)}（新录入人员必填）。"
    elif person is not None:
        result.message = (
            "系统中已有此人，不重复建档：在本组织管辖范围内的直接关联为本级团干部，"
            "其他人员须经本人或其所在组织确认后任职生效，已登记的信息不会被修改。"
        )


def _enter(org: Org, result: RowResult, clean: dict, actor, *, linked: bool) -> None:
    data = {k: v for k, v in clean.items() if k != "position"}
    try:
        with transaction.atomic():
            entered = cadre_add(org=org, person_data=data, position=clean["position"], actor=actor)
    except DomainError as e:
        result.status, result.message = Status.FAILED, e.message
    else:
        result.status = Status.CREATED
        if isinstance(entered, PostOffer):
            result.message = f"已发出任职确认：{clean['position']}（本人或其所在组织确认后生效）"
        else:
            result.message = f"已录入：{clean['position']}" + ("（关联系统中已有人员）" if linked else "")


def excel_month(value: object) -> object:
    """入团年月 as Excel holds it; a number like 2017.1 may be January or October, so it is refused."""
    if isinstance(value, float) and not value.is_integer():
        year, _, fraction = repr(value).partition(".")
        if fraction == "1":
            raise Invalid(
                f"入团年月“{year}.1”无法确定是1月还是10月（Excel把2017.10存成了2017.1）："
                f"请填写为“{year}-01”或“{year}-10”。",
                code="ambiguous_month",
            )
        return f"{year}.{fraction.ljust(2, '0')}"
    return value
