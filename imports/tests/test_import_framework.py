"""One import framework (issue 13 item 4): the same row rules as the services, errors grouped by reason.

Every importer (members, cadres, child organisations) answers the same way: the page, the API answer
and the result workbook group the failed rows by their reason, each with its rows and names.
"""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_id_number
from imports.tests.xlsx import make_xlsx, open_xlsx
from people.models import Person
from people.tests.member_rows import HEADER as MEMBER_HEADER

MEMBER_KEYS = [
    "name", "id_number", "political_status", "league_join_date", "development_number", "ethnicity",
    "education", "occupation", "mobile", "email", "position", "party_applied_on",
]  # fmt: skip


def member_row(name, birth="20000506", **fields):
    values = {
        "name": name,
        "id_number": make_id_number(birth),
        "political_status": "团员",
        "league_join_date": "2015-09",
        "ethnicity": "汉族",
        "education": "高中",
        "occupation": "学生",
        "mobile": "13912345678",
        **fields,
    }
    return [values.get(k, "") for k in MEMBER_KEYS]


def members_xlsx(rows) -> bytes:
    return make_xlsx([MEMBER_HEADER, *rows], title="团员团干部")


def api_import(client, org, data, *, dry_run=False, fmt=None):
    query = f"?dry_run={'true' if dry_run else 'false'}" + (f"&format={fmt}" if fmt else "")
    return client.post(f"/api/v1/orgs/{org.id}/people/import{query}", {"file": SimpleUploadedFile("m.xlsx", data)})


# The drift: a Party-application date before the person's birth


def test_the_member_import_refuses_a_party_application_before_birth_as_the_profile_page_does(tree, api_login, client):
    early = member_row("早申请", birth="20000506", party_applied_on="1999-01")
    fine = member_row("正常申请", birth="20000506", party_applied_on="2019-03")
    body = api_import(api_login(tree.branch_admin), tree.branch, members_xlsx([early, fine])).json()
    assert body["created"] == 1, body
    assert [f["row"] for f in body["failed"]] == [2]
    assert "递交入党申请书年月不能早于出生年月" in body["failed"][0]["message"]
    assert not Person.objects.filter(name="早申请").exists()
    assert Person.objects.get(name="正常申请").party_applied_on == dt.date(2019, 3, 1)

    # The member's own page refuses the same date with the same words.
    member = Person.objects.get(name="正常申请")
    member.set_password("Zz-Strong-Pass-2026!")
    member.must_change_password = False
    member.save()
    client.force_login(member)
    response = client.patch(
        "/api/v1/me", {"party_applied": True, "party_applied_on": "1999-01"}, content_type="application/json"
    )
    assert response.status_code == 422 and "递交入党申请书年月不能早于出生年月" in response.json()["message"]


# Errors grouped by reason


def test_the_api_answer_groups_the_failures_by_reason_with_rows_and_names(tree, api_login):
    rows = [member_row(f"缺面貌{i}", political_status="") for i in range(5)]
    rows.insert(2, member_row("坏号码", id_number="123"))
    body = api_import(api_login(tree.branch_admin), tree.branch, members_xlsx(rows), dry_run=True).json()
    assert len(body["failed"]) == 6  # the existing field stays, one entry a row
    groups = body["failed_by_reason"]
    assert len(groups) == 2
    missing = next(g for g in groups if "政治面貌" in g["message"])
    assert missing["rows"] == [2, 3, 5, 6, 7]
    assert missing["names"] == [f"缺面貌{i}" for i in range(5)]
    bad = next(g for g in groups if g is not missing)
    assert bad["rows"] == [4] and bad["names"] == ["坏号码"]


def test_the_page_shows_each_reason_once_with_its_rows(tree, client):
    client.force_login(tree.branch_admin)
    rows = [member_row(f"缺面貌{i}", political_status="") for i in range(30)]
    upload = SimpleUploadedFile("m.xlsx", members_xlsx(rows))
    html = client.post(
        reverse("people:member_import_preview", args=[tree.branch.id]), {"file": upload}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert html.count('class="reason-message"') == 1
    assert "30 行" in html and "缺面貌0" in html and "缺面貌29" in html
    assert html.count("import-失败") == 30  # the row table stays


def test_the_result_workbook_has_a_sheet_of_reasons(tree, api_login):
    rows = [member_row(f"缺面貌{i}", political_status="") for i in range(3)] + [member_row("好人")]
    response = api_import(api_login(tree.branch_admin), tree.branch, members_xlsx(rows), fmt="xlsx")
    wb = open_xlsx(response.content)
    assert wb.sheetnames == ["导入结果", "错误汇总"]
    summary = wb["错误汇总"]
    assert [c.value for c in summary[1]] == ["错误说明", "行数", "行号", "姓名/名称"]
    assert summary["B2"].value == 3 and summary["C2"].value == "2、3、4" and "缺面貌0" in summary["D2"].value


def test_the_cadre_and_children_answers_group_too(tree, api_login):
    cadres = make_xlsx(
        [
            ["姓名", "身份证号码", "本级团内职务", "政治面貌", "入团年月（如2017-09）"],
            ["甲", make_id_number("19950101"), "组织委员", "团员", "2013-09"],
            ["乙", make_id_number("19950102"), "组织委员", "团员", "2013-09"],
        ],
        title="本级团干部",
    )
    body = api_import(api_login(tree.college_admin), tree.college, cadres, dry_run=True).json()
    assert len(body["failed_by_reason"]) == 1 and body["failed_by_reason"][0]["names"] == ["甲", "乙"]

    children = make_xlsx([["组织简称", "组织类别"], ["坏名字一", "团支部"], ["坏名字二", "团支部"]], title="下级组织")
    response = api_login(tree.general_admin).post(
        f"/api/v1/orgs/{tree.general.id}/children/import?dry_run=true",
        {"file": SimpleUploadedFile("c.xlsx", children)},
    )
    groups = response.json()["failed_by_reason"]
    assert len(groups) == 1 and groups[0]["rows"] == [2, 3] and groups[0]["names"] == ["坏名字一", "坏名字二"]
