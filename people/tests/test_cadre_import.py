"""本级团干部 from the Excel template (SPEC P3, P6, P10): template, row-by-row report, cells as Excel holds them."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_id_number
from core.exceptions import NotAllowed
from core.validators import id_check_char
from excel import readers
from excel.report import Status
from imports.importers import cadres
from imports.importers import members as member_import
from imports.tests.xlsx import make_xlsx, open_xlsx
from people.choices import COMMITTEE_POSITIONS
from people.models import AccountState, Cadre, Person

HEADER = [c.header for c in cadres.COLUMNS]


def row(name, id_number, position="委员", *, status="团员", joined="2012-09", mobile="13912345678", **extra):
    return [
        name,
        id_number,
        position,
        status,
        joined,
        extra.get("ethnicity", "汉族"),
        extra.get("education", "大学本科"),
        extra.get("occupation", "在职"),
        mobile,
        extra.get("email", ""),
        extra.get("number", ""),
    ]


def xlsx(rows, header=HEADER, title=cadres.SHEET) -> bytes:
    return make_xlsx([header, *rows], title=title)


def run(tree, rows, *, org=None, actor=None, dry_run=False):
    data = rows if isinstance(rows, bytes) else xlsx(rows)
    return cadres.cadre_import(org=org or tree.college, file=data, actor=actor or tree.college_admin, dry_run=dry_run)


def counts():
    return Person.objects.count(), Cadre.objects.count()


def id_with_15_significant_digits() -> str:
    """A valid ID number ending in 000: it survives being stored as a number in Excel (15 digits)."""
    for day in range(1, 366):
        birth = dt.date(1996, 1, 1) + dt.timedelta(days=day)
        for serial in range(0, 1000, 100):
            first17 = f"320102{birth:%Y%m%d}{serial:03d}"
            if id_check_char(first17) == "0":
                return first17 + "0"
    raise AssertionError("none found")


# The template


def test_the_template_has_instructions_and_drop_downs_from_the_choice_lists(tree, client):
    client.force_login(tree.college_admin)
    response = client.get(reverse("people:cadre_template", args=[tree.college.id]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = open_xlsx(response.content)
    assert wb.sheetnames[:2] == [cadres.SHEET, "填写说明"]
    ws = wb[cadres.SHEET]
    assert [c.value for c in ws[1]] == HEADER
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["C"] == '"' + ",".join(COMMITTEE_POSITIONS) + '"'
    assert lists["D"] == '"团员,中共预备党员,中共党员"'
    assert set(lists) == {"C", "D", "F", "G", "H"}  # 职务, 政治面貌, 民族, 学历, 职业
    assert lists["F"].startswith('"汉族,蒙古族,回族') and "外国血统中国籍人士" in lists["F"]
    notes = "\n".join(str(c.value) for c in wb["填写说明"]["A"] if c.value)
    assert tree.college.full_name in notes and "后8位" in notes and "下拉列表" in notes


def test_only_managers_download_the_template(tree, client):
    client.force_login(tree.province_admin)
    assert client.get(reverse("people:cadre_template", args=[tree.college.id])).status_code == 403
    client.force_login(tree.outsider)
    assert client.get(reverse("people:cadre_template", args=[tree.college.id])).status_code == 404


# Preview, import, second upload


def test_the_preview_writes_nothing(tree):
    before = counts()
    report = run(tree, [row("甲", make_id_number("19970101")), row("乙", make_id_number("19970202"))], dry_run=True)
    assert [r.status for r in report.rows] == [Status.WILL_CREATE, Status.WILL_CREATE]
    assert report.would_create == 2 and counts() == before


def test_valid_rows_are_entered_and_a_second_upload_skips_them(tree):
    rows = [row("甲", make_id_number("19970101"), "副书记"), row("乙", make_id_number("19970202"), "常委")]
    report = run(tree, rows)
    assert (report.created, report.skipped, len(report.failed)) == (2, 0, 0)
    posts = dict(Cadre.objects.filter(org=tree.college).values_list("person__name", "position"))
    assert posts["甲"] == "副书记" and posts["乙"] == "常委"
    assert Person.objects.get(name="甲").account_state == AccountState.INITIAL
    before = counts()
    again = run(tree, rows)
    assert (again.created, again.skipped) == (0, 2) and counts() == before
    assert "已是第一临床医学院团委的团干部（副书记）" in again.rows[0].message


def test_bad_rows_are_reported_with_excel_row_numbers_and_write_nothing(tree):
    good = make_id_number("19970303")
    wrong_checksum = good[:17] + ("1" if good[17] != "1" else "2")
    rows = [
        row("丙", make_id_number("19970101")),  # row 2
        row("丁", wrong_checksum),  # row 3
        [None] * 10,  # row 4, empty: skipped, numbering stays Excel's
        row("戊", make_id_number("19970404"), "组织委员"),  # row 5: a branch position
        row("己", make_id_number("19970505"), joined="2030-01"),  # row 6: in the future
        row("庚", make_id_number("19970606"), status="群众"),  # row 7
        row("辛", make_id_number("19970707"), joined=""),  # row 8: a new person needs 入团年月
    ]
    before = counts()
    report = run(tree, rows)
    assert [(r.row, r.status) for r in report.rows] == [
        (2, Status.CREATED),
        (3, Status.FAILED),
        (5, Status.FAILED),
        (6, Status.FAILED),
        (7, Status.FAILED),
        (8, Status.FAILED),
    ]
    messages = {r.row: r.message for r in report.rows}
    assert "校验位" in messages[3] and "组织委员" in messages[5] and "不能晚于" in messages[6]
    assert "政治面貌" in messages[7] and "入团年月" in messages[8]
    assert counts() == (before[0] + 1, before[1] + 1)
    assert report.as_dict()["failed"][0] == {"row": 3, "message": messages[3]}


def test_the_same_id_twice_in_a_file_fails_the_second_row(tree):
    id_number = make_id_number("19970808")
    report = run(tree, [row("壬", id_number), row("壬", id_number, "常委")])
    assert [r.status for r in report.rows] == [Status.CREATED, Status.FAILED]
    assert "第2行" in report.rows[1].message
    assert Cadre.objects.get(person__name="壬").position == "委员"


# 发展团员编号 (P11)


def test_the_template_has_the_development_number_column_and_says_when_it_is_required(tree):
    assert HEADER[-1] == "发展团员编号（2017年起入团必填）"
    notes = "\n".join(str(c.value) for c in open_xlsx(cadres.cadre_template(tree.college))["填写说明"]["A"] if c.value)
    assert "2017年1月起入团的须填写发展团员编号" in notes


def test_development_numbers_follow_p11_and_are_unique_in_the_file_and_nationwide(tree):
    Person.objects.filter(pk=tree.member.pk).update(development_number="201700000077")
    ids = [make_id_number("19990101") for _ in range(6)]
    rows = [
        row("有编号", ids[0], joined="2017-09", number="201700000070"),  # row 2
        row("缺编号", ids[1], joined="2017-09"),  # row 3
        row("年份不符", ids[2], joined="2017-09", number="201900000071"),  # row 4
        row("文件内重复", ids[3], joined="2017-09", number="201700000070"),  # row 5
        row("已被占用", ids[4], joined="2017-09", number="201700000077"),  # row 6
        row("2017年前", ids[5], joined="2012-09"),  # row 7: optional
    ]
    for dry_run in (True, False):
        report = run(tree, rows, dry_run=dry_run)
        messages = {r.row: r.message for r in report.failed}
        assert set(messages) == {3, 4, 5, 6}
        assert "须填写发展团员编号" in messages[3] and "前4位应为入团年份2017" in messages[4]
        assert "与第2行重复" in messages[5] and "已被系统中的其他人员使用" in messages[6]
    assert Person.objects.get(name="有编号").development_number == "201700000070"
    assert Person.objects.get(name="2017年前").development_number is None
    assert not Person.objects.filter(name__in=["缺编号", "年份不符", "文件内重复", "已被占用"]).exists()


def test_a_template_from_before_the_development_number_column_is_still_accepted(tree):
    old_header = HEADER[:-1]
    data = xlsx([row("旧模板", make_id_number("19990101"), joined="2017-09")[:-1]], header=old_header)
    report = run(tree, data)
    assert report.created == 1 and Person.objects.get(name="旧模板").development_number is None


def test_a_person_in_the_system_is_linked_and_a_different_name_is_refused(tree):
    member = tree.member
    before = counts()
    report = run(
        tree,
        [row(member.name, member.id_number), row("冒名", tree.branch_admin.id_number)],
        org=tree.general,
        actor=tree.general_admin,
        dry_run=True,
    )
    assert report.rows[0].status == Status.WILL_CREATE and "不重复建档" in report.rows[0].message
    assert report.rows[1].status == Status.FAILED and "姓名“冒名”" in report.rows[1].message
    report = run(tree, [row(member.name, member.id_number)], org=tree.general, actor=tree.general_admin)
    assert report.rows[0].status == Status.CREATED and "关联" in report.rows[0].message
    assert counts() == (before[0], before[1] + 1)
    assert Cadre.objects.get(org=tree.general, person=member).position == "委员"


def test_only_managers_import(tree):
    with pytest.raises(NotAllowed):
        run(tree, [row("甲", make_id_number("19970101"))], actor=tree.province_admin)


# Cells as Excel really holds them (P6)


def test_cells_as_excel_holds_them_are_accepted(tree):
    numeric_id = id_with_15_significant_digits()
    ids = [make_id_number("19960101") for _ in range(6)]
    rows = [
        row("数字号码", numeric_id, joined="2017.09", mobile=13912345678, number=201700000001),  # IDs: text only
        row("全角号码", "".join(chr(ord(c) + 0xFEE0) for c in ids[0]), joined="2017-9", number="201700000002"),
        row(" 空格 ", f" {ids[1][:6]} {ids[1][6:]} ", joined="201709", number=" 201700000003 "),
        row("日期", ids[2], joined=dt.date(2017, 9, 1), number="201800000004"),
        row("数字年月", ids[3], joined=201709, number="201700000005"),
        row("小数年月", ids[4], joined=2017.09, position=" 常委 ", number="201700000006"),
        row("年月", ids[5], joined="2017年9月", status=" 中共党员 ", number="201700000007"),
    ]
    report = run(tree, rows)
    assert [r.message for r in report.failed] == []
    assert report.created == 7
    people = {p.name: p for p in Person.objects.filter(cadre_posts__org=tree.college)}
    assert people["数字号码"].id_number == numeric_id and people["数字号码"].mobile == "13912345678"
    assert people["全角号码"].id_number == ids[0] and "空格" in people
    assert {p.league_join_date for p in people.values() if p.name != "分团委管理员"} == {dt.date(2017, 9, 1)}


def test_an_id_number_excel_cut_to_15_digits_is_explained(tree):
    id_number = make_id_number("19960202", serial=123)
    report = run(tree, [row("截断", float(id_number))])
    assert report.rows[0].status == Status.FAILED
    assert "存成了数字" in report.rows[0].message and "文本" in report.rows[0].message


def test_a_numeric_year_month_that_may_be_january_or_october_is_refused(tree):
    report = run(tree, [row("十月", make_id_number("19960303"), joined=2016.1)])
    assert report.rows[0].status == Status.FAILED and "1月还是10月" in report.rows[0].message


# Wrong files are refused whole


def filled_member_template(tree) -> bytes:
    """The real member template of a branch, with one row filled in."""
    wb = open_xlsx(member_import.member_template(tree.branch))
    ws = wb[member_import.SHEET]
    values = {
        "姓名": "张三",
        "身份证号码": make_id_number(),
        "政治面貌": "团员",
        "入团年月": "2012-09",
        "团内职务": "委员",
    }
    for cell in ws[1]:
        ws.cell(row=2, column=cell.column, value=values.get(readers.header_key(cell.value), ""))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(filled_member_template, id="member"),
        pytest.param(
            lambda tree: make_xlsx([["组织简称", "组织类别"], ["某团支部", "团支部"]], title="下级组织"), id="children"
        ),
    ],
)
def test_another_template_is_refused_whole_naming_the_right_one(tree, content):
    before = counts()
    with pytest.raises(readers.FileRefused) as e:
        run(tree, content(tree))
    assert "本级团干部录入模板" in e.value.message and "本级团内职务" in e.value.message
    assert counts() == before


# Through the page: preview, confirm, result workbook


def test_the_page_previews_confirms_and_offers_the_result_workbook(tree, client):
    client.force_login(tree.college_admin)
    rows = [row("页面甲", make_id_number("19950101")), row("页面乙", "123")]
    upload = SimpleUploadedFile("cadres.xlsx", xlsx(rows))
    before = counts()
    response = client.post(
        reverse("people:cadre_import_preview", args=[tree.college.id]), {"file": upload}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "检查结果（尚未录入）" in page and "第3行" in page
    assert counts() == before
    token = response.context["token"]
    response = client.post(
        reverse("people:cadre_import_confirm", args=[tree.college.id]), {"token": token}, headers={"HX-Request": "true"}
    )
    assert "已录入 <strong>1</strong> 行" in response.content.decode()
    assert Cadre.objects.filter(org=tree.college, person__name="页面甲").exists()
    result = client.get(reverse("people:cadre_import_result", args=[tree.college.id, response.context["result_token"]]))
    ws = open_xlsx(result.content).active
    assert ws["L1"].value == "结果" and ws["L2"].value == "创建" and ws["L3"].value == "失败"


def test_the_page_shows_a_wrong_template_as_one_message(tree, client):
    client.force_login(tree.college_admin)
    upload = SimpleUploadedFile("x.xlsx", make_xlsx([["组织简称", "组织类别"], ["甲团支部", "团支部"]]))
    response = client.post(reverse("people:cadre_import_preview", args=[tree.college.id]), {"file": upload})
    assert response.status_code == 200 and "本级团干部录入模板" in response.content.decode()


def test_a_deeper_superior_cannot_upload(tree, client):
    client.force_login(tree.province_admin)
    upload = SimpleUploadedFile("cadres.xlsx", xlsx([row("甲", make_id_number("19950101"))]))
    response = client.post(reverse("people:cadre_import_preview", args=[tree.college.id]), {"file": upload})
    assert response.status_code == 403
