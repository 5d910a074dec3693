"""批量创建 of direct subordinates from the Excel template (SPEC T6, with T3 and T7 per row)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from audit.models import AuditEvent
from excel import readers
from imports.importers import children as batch
from imports.tests.xlsx import make_xlsx, open_xlsx
from orgs import services as org_services
from orgs.models import Org

HEADER = ["组织简称", "组织类别", "组织全称（可选，留空则自动生成）"]


def upload(client, org, rows, *, dry_run=False, fmt=None, header=HEADER):
    data = rows if isinstance(rows, bytes) else make_xlsx([header, *rows], title=batch.SHEET)
    query = f"?dry_run={'true' if dry_run else 'false'}" + (f"&format={fmt}" if fmt else "")
    return client.post(f"/api/v1/orgs/{org.id}/children/import{query}", {"file": SimpleUploadedFile("orgs.xlsx", data)})


def names(org):
    return sorted(org.children().values_list("short_name", flat=True))


# The template


def template_validations(content: bytes):
    wb = open_xlsx(content)
    ws = wb[batch.SHEET]
    return wb, ws, [(dv.formula1, str(dv.sqref)) for dv in ws.data_validations.dataValidation]


def test_the_template_has_instructions_and_a_category_list_of_exactly_the_creatable_categories(tree, api_login):
    response = api_login(tree.province_admin).get(f"/api/v1/orgs/{tree.province.id}/children/template")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb, ws, validations = template_validations(response.content)
    assert wb.sheetnames[:2] == [batch.SHEET, "填写说明"]
    assert [c.value for c in ws[1]] == HEADER
    assert "团的领导机关" not in validations[0][0]
    assert validations == [('"基层团委,团工委,团总支,团支部"', f"B2:B{batch.MAX_ROWS + 1}")]
    text = "\n".join(str(c.value) for c in wb["填写说明"]["A"] if c.value)
    assert "团支部" in text and "下拉列表" in text and tree.province.full_name in text


def test_under_a_general_branch_the_list_offers_only_branches(tree, api_login):
    response = api_login(tree.general_admin).get(f"/api/v1/orgs/{tree.general.id}/children/template")
    assert template_validations(response.content)[2][0][0] == '"团支部"'


def test_a_branch_has_no_template(tree, api_login):
    response = api_login(tree.branch_admin).get(f"/api/v1/orgs/{tree.branch.id}/children/template")
    assert response.status_code == 400
    assert "最末级组织" in response.json()["message"]


# The import


def test_valid_rows_are_created_and_invalid_rows_create_nothing(tree, api_login):
    client = api_login(tree.college_admin)
    response = upload(
        client,
        tree.college,
        [
            ["临床医学2018级团总支", "团总支", ""],
            ["临床医学2019级", "团总支", ""],  # T7: wrong suffix
            ["口腔医学院团委", "基层团委", "共青团南京医科大学口腔医学院委员会"],
            ["某某团支部", "团的领导机关", ""],  # T4: not creatable by admins
        ],
    )
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["created"], body["skipped"]) == (2, 0)
    assert [f["row"] for f in body["failed"]] == [3, 5]
    assert "应以“团总支”结尾" in body["failed"][0]["message"]
    assert "不能由管理员创建" in body["failed"][1]["message"]
    assert [r["status"] for r in body["rows"]] == ["创建", "失败", "创建", "失败"]
    assert names(tree.college) == ["临床医学2017级团总支", "临床医学2018级团总支", "口腔医学院团委"]
    assert Org.objects.get(short_name="口腔医学院团委").full_name == "共青团南京医科大学口腔医学院委员会"
    assert (
        Org.objects.get(short_name="临床医学2018级团总支").full_name == tree.college.full_name + "临床医学2018级团总支"
    )


def test_a_wrong_category_under_a_general_branch_is_reported_with_what_is_allowed(tree, api_login):
    body = upload(api_login(tree.general_admin), tree.general, [["口腔医学院团委", "基层团委"]]).json()
    assert body["failed"] == [{"row": 2, "message": "团总支下不能设立基层团委。团总支下只能设立：团支部。"}]
    assert tree.general.children().count() == 1


def test_a_duplicate_in_the_file_is_refused_and_the_first_is_created(tree, api_login):
    body = upload(
        api_login(tree.general_admin),
        tree.general,
        [["口腔2018级1班团支部", "团支部"], ["口腔2018级2班团支部", "团支部"], ["口腔2018级1班团支部", "团支部"]],
    ).json()
    assert body["created"] == 2
    assert body["failed"][0]["row"] == 4
    assert "与第2行的组织简称“口腔2018级1班团支部”重复" in body["failed"][0]["message"]
    assert tree.general.children().filter(short_name="口腔2018级1班团支部").count() == 1


def test_a_dry_run_writes_nothing(tree, api_login):
    orgs_before, audit_before = Org.objects.count(), AuditEvent.objects.count()
    body = upload(
        api_login(tree.general_admin),
        tree.general,
        [["口腔2018级1班团支部", "团支部"], ["错的", "团支部"]],
        dry_run=True,
    ).json()
    assert body["dry_run"] is True
    assert (body["created"], body["would_create"], len(body["failed"])) == (0, 1, 1)
    assert body["rows"][0]["status"] == "将创建"
    assert body["rows"][0]["full_name"] == tree.general.full_name + "口腔2018级1班团支部"
    assert (Org.objects.count(), AuditEvent.objects.count()) == (orgs_before, audit_before)


def test_a_second_upload_of_the_same_file_skips_what_was_created(tree, api_login):
    client = api_login(tree.general_admin)
    rows = [["口腔2018级1班团支部", "团支部"], ["口腔2018级2班团支部", "团支部"], ["坏的名字", "团支部"]]
    first = upload(client, tree.general, rows).json()
    assert first["created"] == 2
    second = upload(client, tree.general, rows).json()
    assert (second["created"], second["skipped"], len(second["failed"])) == (0, 2, 1)
    assert second["rows"][0]["message"].startswith("已存在，跳过")
    assert tree.general.children().count() == 3  # the class branch of the fixture + the two


def test_a_same_name_sibling_of_another_category_is_an_error(tree, api_login):
    # A leading body loaded by the operator may carry a name that is also a valid 基层团委 name.
    org_services.org_create_child(
        parent=tree.province, short_name="江北新区团委", category="团的领导机关", by_operator=True
    )
    body = upload(api_login(tree.province_admin), tree.province, [["江北新区团委", "基层团委"]]).json()
    assert body["skipped"] == 0
    assert "已有名为“江北新区团委”的团的领导机关，同级组织不能重名" in body["failed"][0]["message"]


def test_a_row_failing_while_being_created_leaves_nothing_behind(tree, api_login, monkeypatch):
    """The audit row is written after the organisation: its failure must roll the organisation back."""
    real_audit = org_services.audit_record

    def failing_audit(**kwargs):
        if kwargs.get("changes", {}).get("short_name") == "口腔2018级2班团支部":
            raise org_services.DomainError("模拟的写入失败。")
        return real_audit(**kwargs)

    monkeypatch.setattr(org_services, "audit_record", failing_audit)
    body = upload(
        api_login(tree.general_admin),
        tree.general,
        [["口腔2018级1班团支部", "团支部"], ["口腔2018级2班团支部", "团支部"], ["口腔2018级3班团支部", "团支部"]],
    ).json()
    assert [r["status"] for r in body["rows"]] == ["创建", "失败", "创建"]
    assert not Org.objects.filter(short_name="口腔2018级2班团支部").exists()
    assert tree.general.children().count() == 3


def test_a_wrong_template_is_refused_whole(tree, api_login):
    response = upload(
        api_login(tree.general_admin), tree.general, [["张三", "110101200001011234"]], header=["姓名", "身份证号码"]
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_file"
    assert "批量创建下级组织模板" in response.json()["message"]
    assert tree.general.children().count() == 1


def test_a_file_that_is_not_xlsx_is_refused(tree, api_login):
    response = upload(api_login(tree.general_admin), tree.general, "组织简称,组织类别\n甲团支部,团支部\n".encode())
    assert response.status_code == 400
    assert "不是 Excel 文件" in response.json()["message"]


def test_a_too_large_upload_gets_413(tree, api_login, monkeypatch):
    monkeypatch.setattr(readers, "MAX_UPLOAD_BYTES", 2000)
    response = upload(api_login(tree.general_admin), tree.general, [["口腔2018级1班团支部", "团支部"]])
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"


def test_the_result_workbook_has_messages_beside_rows_and_no_formulas(tree, api_login):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["口腔2018级1班团支部", "团支部"])
    # Text cells (as Excel stores a typed '=...), not formulas: they reach the reader as strings.
    for ref, text in {"A3": '=HYPERLINK("http://evil.example","点我")', "B3": "团支部", "C3": "@SUM(1+1)"}.items():
        ws[ref] = text
        ws[ref].data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    response = upload(api_login(tree.general_admin), tree.general, buffer.getvalue(), fmt="xlsx")
    assert response.status_code == 200
    ws = open_xlsx(response.content).active
    assert [c.value for c in ws[1]] == HEADER + ["结果", "说明"]
    assert ws["D2"].value == "创建" and ws["D3"].value == "失败"
    assert "团支部" in ws["E3"].value
    assert ws["A3"].value == '=HYPERLINK("http://evil.example","点我")'  # a text cell, value as uploaded
    assert ws["C3"].value == "@SUM(1+1)" and ws["C3"].data_type == "s" and ws["C3"].quotePrefix
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)


@pytest.mark.parametrize(
    "who,status",
    [("outsider", 404), ("general_admin", 404), ("uni_admin", 403)],
    ids=["outsider", "subordinate-admin", "superior-viewer"],
)
def test_only_the_organisations_own_admin_may_import(tree, api_login, who, status):
    client = api_login(getattr(tree, who))
    response = upload(client, tree.college, [["临床医学2018级团总支", "团总支"]])
    assert response.status_code == status
    assert client.get(f"/api/v1/orgs/{tree.college.id}/children/template").status_code == status
    assert tree.college.children().count() == 1


def test_the_openapi_document_declares_the_new_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    children = paths["/api/v1/orgs/{org_id}/children"]
    assert {"get", "post"} <= set(children)
    assert "413" in paths["/api/v1/orgs/{org_id}/children/import"]["post"]["responses"]
    assert "/api/v1/orgs/{org_id}/children/template" in paths


# The page: upload, preview, confirm, download


def test_the_page_previews_confirms_and_offers_the_result_workbook(tree, client):
    client.force_login(tree.general_admin)
    data = make_xlsx([HEADER, ["口腔2018级1班团支部", "团支部"], ["坏的名字", "团支部"]], title=batch.SHEET)
    preview = client.post(
        reverse("orgs:children_import_preview", args=[tree.general.id]),
        {"file": SimpleUploadedFile("a.xlsx", data)},
        headers={"HX-Request": "true"},
    )
    assert preview.status_code == 200
    assert [r.status for r in preview.context["report"].rows] == ["将创建", "失败"]
    assert tree.general.children().count() == 1  # nothing written yet
    token = preview.context["token"]

    done = client.post(
        reverse("orgs:children_import_confirm", args=[tree.general.id]),
        {"token": token},
        headers={"HX-Request": "true"},
    )
    assert [r.status for r in done.context["report"].rows] == ["创建", "失败"]
    assert tree.general.children().filter(short_name="口腔2018级1班团支部").exists()

    result = client.get(reverse("orgs:children_import_result", args=[tree.general.id, done.context["result_token"]]))
    assert result.status_code == 200
    assert open_xlsx(result.content).active["E3"].value.startswith("团支部的简称应以")

    # The upload token was used up; another session cannot use tokens at all.
    again = client.post(reverse("orgs:children_import_confirm", args=[tree.general.id]), {"token": token})
    assert "已过期" in again.context["import_error"]


def test_a_token_from_another_session_is_useless(tree, client):
    client.force_login(tree.general_admin)
    data = make_xlsx([HEADER, ["口腔2018级1班团支部", "团支部"]], title=batch.SHEET)
    preview = client.post(
        reverse("orgs:children_import_preview", args=[tree.general.id]), {"file": SimpleUploadedFile("a.xlsx", data)}
    )
    token = preview.context["token"]
    from django.test import Client

    other = Client()
    other.force_login(tree.general_admin)
    response = other.post(reverse("orgs:children_import_confirm", args=[tree.general.id]), {"token": token})
    assert "已过期" in response.context["import_error"]
    assert tree.general.children().count() == 1


def test_the_page_reports_a_refused_file_in_the_import_area(tree, client):
    client.force_login(tree.general_admin)
    response = client.post(
        reverse("orgs:children_import_preview", args=[tree.general.id]),
        {"file": SimpleUploadedFile("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Excel 97-2003" in response.content.decode()
