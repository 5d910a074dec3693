"""Members of branches from the Excel template (SPEC P2, P5, P6, P10, P11)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from conftest import make_id_number
from excel import readers
from imports.importers import cadres
from imports.importers import children as batch
from imports.importers import members as member_import
from imports.importers.members import COLUMNS, TEMPLATE_NAME
from imports.tests.xlsx import make_xlsx, open_xlsx
from orgs import services as org_services
from orgs.rules import Category
from people.models import AccountState, Cadre, Person
from people.tests.member_rows import HEADER, as_table, member_rows

KEYS = [c.key for c in COLUMNS]


def row(name="新团员", id_number=None, **fields):
    values = {
        "name": name,
        "id_number": id_number or make_id_number("20000506"),
        "political_status": "团员",
        "league_join_date": "2018-05",
        "development_number": "201800000001",
        "ethnicity": "汉族",
        "education": "高中",
        "occupation": "学生",
        "mobile": "13912345678",
        "email": "",
        "position": "",
        "party_applied_on": "",
    }
    values.update(fields)
    return values


def xlsx(rows, header=HEADER):
    return make_xlsx([header] + [[r.get(k, "") for k in KEYS] for r in rows], title=member_import.SHEET)


def api_import(client, org, rows_or_bytes, *, dry_run=False, branch_id=None, fmt=None):
    data = rows_or_bytes if isinstance(rows_or_bytes, bytes) else xlsx(rows_or_bytes)
    query = f"?dry_run={'true' if dry_run else 'false'}"
    query += f"&branch_id={branch_id}" if branch_id else ""
    query += f"&format={fmt}" if fmt else ""
    return client.post(
        f"/api/v1/orgs/{org.id}/people/import{query}", {"file": SimpleUploadedFile("members.xlsx", data)}
    )


def run(tree, rows, *, dry_run=False, branch=None, actor=None):
    return member_import.member_import(
        branch=branch or tree.branch, file_or_rows=rows, actor=actor or tree.branch_admin, dry_run=dry_run
    )


# The template


def test_the_template_has_instructions_the_subordinate_sheet_and_drop_downs(tree, api_login):
    response = api_login(tree.branch_admin).get(f"/api/v1/orgs/{tree.branch.id}/people/template")
    assert response.status_code == 200
    wb = open_xlsx(response.content)
    assert wb.sheetnames[:3] == [member_import.SHEET, "填写说明", "录入下级支部成员说明"]
    ws = wb[member_import.SHEET]
    assert [c.value for c in ws[1]] == HEADER
    validated = {str(dv.sqref).split(":")[0][0] for dv in ws.data_validations.dataValidation}
    letters = {c.key: chr(65 + i) for i, c in enumerate(COLUMNS)}
    assert {letters[k] for k in ("political_status", "ethnicity", "education", "occupation", "position")} <= validated
    notes = " ".join(str(c.value) for c in wb["填写说明"]["A"])
    assert "发展团员编号" in notes and "办理转入" in notes and tree.branch.full_name in notes


def test_the_template_of_a_committee_is_the_cadre_template(tree, api_login):
    response = api_login(tree.general_admin).get(f"/api/v1/orgs/{tree.general.id}/people/template")
    assert response.status_code == 200
    assert cadres.SHEET in open_xlsx(response.content).sheetnames


# Preview and confirmation


def test_a_preview_checks_every_row_and_writes_nothing(tree, api_login):
    before = Person.objects.count()
    response = api_import(
        api_login(tree.branch_admin), tree.branch, [row(), row("坏行", id_number="123")], dry_run=True
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and body["would_create"] == 1
    assert body["failed"] == [{"row": 3, "message": body["failed"][0]["message"]}]
    assert "18位" in body["failed"][0]["message"]
    assert Person.objects.count() == before
    assert not AuditEvent.objects.filter(verb="导入团员团干部").exists()


def test_confirming_enters_the_valid_rows_and_reports_the_invalid_ones_with_their_excel_rows(tree, api_login):
    good = row("王小明", position="组织委员")
    rows = [good, row("缺政治面貌", political_status=""), row("李小红", development_number="")]
    body = api_import(api_login(tree.branch_admin), tree.branch, rows).json()
    assert body["created"] == 1
    assert [f["row"] for f in body["failed"]] == [3, 4]
    assert "政治面貌" in body["failed"][0]["message"]
    assert "发展团员编号" in body["failed"][1]["message"]
    person = Person.objects.get(name="王小明")
    assert person.branch == tree.branch and person.account_state == AccountState.INITIAL
    assert person.must_change_password and person.development_number == "201800000001"
    assert person.league_join_date == dt.date(2018, 5, 1) and person.gender and person.birth_date
    assert person.complete is True
    assert Cadre.objects.get(person=person).position == "组织委员"
    assert not Person.objects.filter(name__in=["缺政治面貌", "李小红"]).exists()
    audit = AuditEvent.objects.get(verb="导入团员团干部")
    assert audit.changes == {"rows": 3, "created": 1, "linked": 0, "skipped": 0, "failed": 2}
    assert person.id_number not in str(audit.changes)


def test_imported_people_log_in_with_the_last_8_characters_of_their_id_number(tree, client):
    id_number = make_id_number("20030303")
    run(tree, [row("初始密码", id_number=id_number)])
    response = client.post(
        "/api/v1/auth/login", {"id_number": id_number, "password": id_number[-8:]}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["must_change_password"] is True


def test_a_second_upload_of_the_same_file_skips_every_row(tree, api_login):
    client = api_login(tree.branch_admin)
    data = xlsx([row("甲"), row("乙", development_number="201800000002")])
    assert api_import(client, tree.branch, data).json()["created"] == 2
    body = api_import(client, tree.branch, data).json()
    assert body["created"] == 0 and body["skipped"] == 2 and body["failed"] == []
    assert all("已存在，跳过" in r["message"] for r in body["rows"])
    assert Person.objects.filter(branch=tree.branch).count() == 4  # admin, member, 甲, 乙


def test_the_same_id_number_twice_in_the_file_fails_the_later_row(tree):
    same = make_id_number("20010101")
    report = run(tree, [row("甲", id_number=same), row("甲", id_number=same, development_number="201800000009")])
    assert report.created == 1 and report.failed[0].row == 3 and "第2行" in report.failed[0].message


def test_an_id_number_held_in_another_branch_is_refused_naming_it_and_suggesting_the_transfer(tree, make_person):
    other = org_services.org_create_child(
        parent=tree.general, short_name="口腔2017级1班团支部", category=Category.BRANCH, actor=tree.general_admin
    )
    held = make_person("已在别处", birth="20020202", branch=other)
    # The 团总支 (the branch's direct superior) sees both branches, so it is told where; an admin who cannot
    # see the holder is not (people/tests/test_id_lookup_disclosure.py).
    report = run(tree, [row("已在别处", id_number=held.id_number)], actor=tree.general_admin)
    assert report.created == 0
    message = report.failed[0].message
    assert other.full_name in message and "组织关系转接" in message and "办理转入" in message
    assert Person.objects.get(pk=held.pk).branch == other


def test_a_cadre_on_record_without_a_branch_is_linked_not_duplicated(tree, make_person):
    cadre = make_person("总支委员", birth="19980101", mobile="")
    Cadre.objects.create(person=cadre, org=tree.general, position="委员")
    report = run(tree, [row("总支委员", id_number=cadre.id_number, mobile="13700000000", position="宣传委员")])
    assert report.created == 1 and "关联" in report.rows[0].message
    cadre.refresh_from_db()
    assert cadre.branch == tree.branch and cadre.mobile == "13700000000"
    assert set(Cadre.objects.filter(person=cadre).values_list("org_id", "position")) == {
        (tree.general.id, "委员"),
        (tree.branch.id, "宣传委员"),
    }
    assert Person.objects.filter(name="总支委员").count() == 1


def test_a_different_name_for_a_known_id_number_is_refused(tree, make_person):
    cadre = make_person("原名", birth="19980303")
    report = run(tree, [row("别名", id_number=cadre.id_number)])
    assert report.created == 0 and "不一致" in report.failed[0].message


# Whole files refused


def test_the_cadre_template_is_refused_whole_naming_the_member_template(tree, api_login):
    data = make_xlsx(
        [[c.header for c in cadres.COLUMNS], ["张三", make_id_number("20000101"), "委员", "团员", "2015-09"]],
        title=cadres.SHEET,
    )
    response = api_import(api_login(tree.branch_admin), tree.branch, data)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_file" and TEMPLATE_NAME in response.json()["message"]


def test_the_children_template_is_refused_whole_naming_the_member_template(tree):
    data = make_xlsx([[c.header for c in batch.COLUMNS], ["甲团支部", "团支部"]], title=batch.SHEET)
    with pytest.raises(readers.FileRefused, match=TEMPLATE_NAME):
        run(tree, data)


@pytest.mark.parametrize("content", [b"name,id\n", b"", b"PK\x03\x04broken"])
def test_a_file_that_is_not_a_workbook_is_refused_whole(tree, api_login, content):
    response = api_import(api_login(tree.branch_admin), tree.branch, content)
    assert response.status_code == 400 and response.json()["code"] == "bad_file"
    assert Person.objects.count() == 9


# Cells as Excel really holds them (P6)


@pytest.mark.parametrize(
    "joined",
    ["2018.05", "2018-5", "201805", 201805, 2018.05, dt.datetime(2018, 5, 17), dt.date(2018, 5, 1), " 2018年5月 ",
     "２０１８－０５", "2018/05"],
)  # fmt: skip
def test_join_months_are_accepted_in_every_spelling(tree, joined):
    report = run(tree, xlsx([row(league_join_date=joined)]))
    assert report.created == 1, report.failed[0].message if report.failed else ""
    assert Person.objects.get(name="新团员").league_join_date == dt.date(2018, 5, 1)


def test_id_numbers_and_mobiles_are_accepted_with_full_width_digits_spaces_and_as_numbers(tree):
    full_width = make_id_number("20040101")
    numeric = make_id_number("20040202")
    rows = [
        row("全角", id_number=" " + full_width[:6].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + " " + full_width[6:],
            mobile=13812345678, development_number="201800000011"),
        row("数字", id_number=numeric, mobile=" 139 1234 5678 ",  # a numeric ID is refused: imports/tests/test_numeric_id_cells.py
            development_number=201800000012),
    ]  # fmt: skip
    report = run(tree, rows)
    assert report.created == 2, [r.message for r in report.failed]
    assert Person.objects.get(name="全角").id_number == full_width
    assert Person.objects.get(name="数字").mobile == "13912345678"


def test_an_id_number_excel_cut_to_15_digits_is_refused_with_how_to_fix_it(tree):
    report = run(tree, xlsx([row(id_number=3.20102200005061e17)]))
    assert "文本" in report.failed[0].message


def test_a_realistic_generated_file_goes_in_whole(tree):
    rows = member_rows(60, seed=3, dev_base=500)
    report = run(tree, make_xlsx(as_table(rows), title=member_import.SHEET))
    assert report.created == 60, [(r.row, r.message) for r in report.failed]


# P11: 发展团员编号


@pytest.mark.parametrize(
    "joined,number,ok",
    [
        ("2016-12", "", True),  # before 2017: optional
        ("2016-12", "2016AB", True),  # if given, starts with the join year
        ("2016-12", "201700000001", False),
        ("2017-01", "", False),  # from 2017-01-01: required
        ("2017-01", "201700000001", True),
        ("2017-01", "201800000001", True),  # 2017 and 2018 stand for each other
        ("2018-03", "201700000001", True),
        ("2019-03", "201800000001", False),
        ("2019-03", "20190000001", False),  # 11 characters
        ("2019-03", "2019000000001", False),  # 13 characters
        ("2019-03", "201900000001", True),
    ],
)
def test_development_numbers_follow_p11(tree, joined, number, ok):
    report = run(tree, [row(league_join_date=joined, development_number=number)], dry_run=True)
    assert (report.would_create == 1) is ok, report.rows[0].message


def test_development_numbers_are_unique_in_the_file_and_nationwide(tree, make_person):
    holder = make_person("已有编号", birth="20000505")
    Person.objects.filter(pk=holder.pk).update(development_number="201800000077")
    report = run(
        tree,
        [
            row("甲", development_number="201800000077"),
            row("乙", development_number="201800000078"),
            row("丙", development_number="201800000078"),
        ],
    )
    assert report.created == 1
    assert "已被系统中的其他人员使用" in report.failed[0].message and report.failed[1].row == 4


def test_a_file_without_the_development_number_column_is_accepted(tree):
    header = [h for h in HEADER if not h.startswith("发展团员编号")]
    keys = [k for k in KEYS if k != "development_number"]
    data = make_xlsx([header, [row().get(k, "") for k in keys]], title=member_import.SHEET)
    assert run(tree, data).created == 1


# Who may import where (P5)


def test_the_direct_superior_imports_into_its_direct_subordinate_branch(tree, api_login):
    client = api_login(tree.general_admin)
    response = api_import(client, tree.general, [row("上级录入")], branch_id=tree.branch.id)
    assert response.status_code == 200 and response.json()["created"] == 1
    assert Person.objects.get(name="上级录入").branch == tree.branch


def test_a_deeper_superior_may_not_import_into_a_branch(tree, api_login):
    client = api_login(tree.college_admin)
    assert api_import(client, tree.college, [row()], branch_id=tree.branch.id).status_code == 403
    assert api_import(client, tree.branch, [row()]).status_code == 403
    assert not Person.objects.filter(name="新团员").exists()


def test_members_are_not_imported_into_a_committee(tree, api_login):
    client = api_login(tree.college_admin)
    response = api_import(client, tree.college, [row()], branch_id=tree.general.id)
    assert response.status_code == 422 and response.json()["code"] == "not_a_branch"


def test_outsiders_get_404(tree, api_login):
    client = api_login(tree.outsider)
    assert api_import(client, tree.branch, [row()]).status_code == 404
    assert api_import(client, tree.general, [row()], branch_id=tree.branch.id).status_code == 404
    assert client.get(f"/api/v1/orgs/{tree.branch.id}/people/template").status_code == 404


# The pages


def test_the_branch_admin_previews_and_confirms_on_the_page(tree, client):
    client.force_login(tree.branch_admin)
    page = client.get(reverse("people:member_import", args=[tree.branch.id]))
    assert page.status_code == 200 and "下载团员团干部录入模板" in page.content.decode()
    upload = SimpleUploadedFile("m.xlsx", xlsx([row("页面录入"), row("坏", id_number="1")]))
    preview = client.post(
        reverse("people:member_import_preview", args=[tree.branch.id]), {"file": upload}, HTTP_HX_REQUEST="true"
    )
    html = preview.content.decode()
    assert "检查结果（尚未录入）" in html and "第3行" in html and not Person.objects.filter(name="页面录入").exists()
    token = preview.context["token"]
    done = client.post(
        reverse("people:member_import_confirm", args=[tree.branch.id]), {"token": token}, HTTP_HX_REQUEST="true"
    )
    assert "导入结果" in done.content.decode() and Person.objects.filter(name="页面录入").exists()
    result = client.get(reverse("people:member_import_result", args=[tree.branch.id, done.context["result_token"]]))
    ws = open_xlsx(result.content).active
    assert ws.cell(row=3, column=len(HEADER) + 1).value == "失败"


def test_the_menu_offers_each_entry_only_where_it_applies(tree, client):
    client.force_login(tree.branch_admin)
    html = client.get(reverse("people:members", args=[tree.branch.id])).content.decode()
    assert "录入团员团干部" in html and "录入下级支部成员" not in html
    client.force_login(tree.general_admin)
    html = client.get(reverse("people:subordinate_members", args=[tree.general.id])).content.decode()
    assert "录入下级支部成员" in html and tree.branch.short_name in html
    client.force_login(tree.college_admin)  # its subordinate is a 团总支, not a branch
    html = client.get(reverse("people:subordinate_members", args=[tree.college.id])).content.decode()
    assert "没有直属团支部" in html
    assert f'href="/people/orgs/{tree.college.id}/subordinate-members/"' not in html


def test_pages_answer_404_to_outsiders_and_403_to_deeper_superiors(tree, client):
    client.force_login(tree.outsider)
    assert client.get(reverse("people:member_import", args=[tree.branch.id])).status_code == 404
    client.force_login(tree.college_admin)
    assert client.get(reverse("people:member_import", args=[tree.branch.id])).status_code == 403
    assert client.get(reverse("people:member_template", args=[tree.branch.id])).status_code == 403
    assert client.get(reverse("people:member_import_preview", args=[tree.branch.id])).status_code in (403, 405)
