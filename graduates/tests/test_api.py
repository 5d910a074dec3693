"""API.md's graduates table, as written, and its refusals in Chinese with nothing changed (issue 18 item 6)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from excel.workbooks import table_workbook, to_bytes
from graduates.models import GraduateFlag, GraduationMark
from transfers.models import TransferRequest

from .conftest import switched

pytestmark = pytest.mark.django_db
JSON = "application/json"


def upload(headers, rows):
    content = to_bytes(table_workbook("表", [(h, 20) for h in headers], rows))
    return {"file": SimpleUploadedFile("upload.xlsx", content)}


def test_graduation_get_and_patch(grad_tree, api_login):
    t = grad_tree
    api = api_login(t.general_admin)
    url = f"/api/v1/orgs/{t.class4.id}/graduation"
    assert api.get(url).json() == {"org_id": t.class4.id, "expected": None, "no_date_reason": None,
                                   "category": "团支部", "graduated_year": None}  # fmt: skip
    r = api.patch(url, {"expected": f"{t.year + 1}-06"}, content_type=JSON)
    assert r.status_code == 200, r.content
    assert r.json()["expected"] == f"{t.year + 1}-06"
    r = api.patch(url, {"no_date_reason": "教师支部"}, content_type=JSON)
    assert (r.json()["expected"], r.json()["no_date_reason"]) == (None, "教师支部")


def test_graduation_patch_refusals_change_nothing(grad_tree, api_login):
    t = grad_tree
    r = api_login(t.branch_admin).patch(
        f"/api/v1/orgs/{t.branch.id}/graduation", {"expected": f"{t.year}-06"}, content_type=JSON
    )
    assert r.status_code == 403
    assert "团支部管理员不能标记毕业时间" in r.json()["message"]
    r = api_login(t.general_admin).patch(
        f"/api/v1/orgs/{t.class4.id}/graduation", {"expected": "2026年13月"}, content_type=JSON
    )
    assert r.status_code == 422 and "无法识别" in r.json()["message"]
    assert api_login(t.outsider).get(f"/api/v1/orgs/{t.class4.id}/graduation").status_code == 404
    assert not GraduationMark.objects.exists()


def test_graduation_template_and_import_with_dry_run(grad_tree, api_login):
    t = grad_tree
    api = api_login(t.general_admin)
    template = api.get(f"/api/v1/orgs/{t.general.id}/graduation/template")
    assert template.status_code == 200
    headers = [c.value for c in load_workbook(io.BytesIO(template.content))["毕业时间"][1]]
    assert headers == ["组织全称", "预计毕业年月", "无毕业时间原因"]
    data = upload(headers, [[t.class4.full_name, f"{t.year}-06", ""], [t.branch.full_name, "", "混合支部"]])
    r = api.post(f"/api/v1/orgs/{t.general.id}/graduation/import?dry_run=true", data)
    assert r.status_code == 200, r.content
    assert (r.json()["dry_run"], r.json()["would_create"]) == (True, 2)
    assert not GraduationMark.objects.exists()
    data = upload(headers, [[t.class4.full_name, f"{t.year}-06", ""], [t.branch.full_name, "", "混合支部"]])
    r = api.post(f"/api/v1/orgs/{t.general.id}/graduation/import", data)
    assert r.json()["created"] == 2
    assert GraduationMark.objects.count() == 2
    assert api_login(t.branch_admin).get(f"/api/v1/orgs/{t.branch.id}/graduation/template").status_code == 403


def test_member_patch_sets_the_graduate_flag(grad_tree, api_login):
    t = grad_tree
    api = api_login(t.branch_admin)
    url = f"/api/v1/orgs/{t.branch.id}/members/{t.member.id}"
    r = api.patch(url, {"graduate_flag": "延迟毕业"}, content_type=JSON)
    assert r.status_code == 200, r.content
    assert r.json()["graduate_flag"] == "延迟毕业"
    r = api.patch(url, {"graduate_flag": "本届毕业生", "email": "x@example.com"}, content_type=JSON)
    assert r.status_code == 422 and "混合支部" in r.json()["message"]
    assert GraduateFlag.objects.get().flag == "延迟毕业"
    t.member.refresh_from_db()
    assert t.member.email != "x@example.com"  # nothing of the refused request
    r = api.patch(url, {"graduate_flag": None}, content_type=JSON)
    assert r.json()["graduate_flag"] == "" and not GraduateFlag.objects.exists()


def test_graduation_transfers_template_and_import(grad_tree, api_login):
    t = grad_tree
    class4 = switched(t, t.class4)
    api = api_login(t.general_admin)
    template = api.get(f"/api/v1/orgs/{class4.id}/graduation-transfers/template")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content))["毕业转出"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["姓名", "身份证号码", "转入组织全称", "转接原因"]
    assert {r[1] for r in rows[1:]} == {p.id_number_masked for p in t.grads}
    filled = (
        [rows[0]]
        + [[r[0], r[1], t.destination.full_name, "升学"] for r in rows[1:3]]
        + [[rows[3][0], rows[3][1], "", ""]]
    )
    r = api.post(f"/api/v1/orgs/{class4.id}/graduation-transfers/import?dry_run=true", upload(filled[0], filled[1:]))
    assert r.status_code == 200, r.content
    assert (r.json()["would_create"], r.json()["skipped"]) == (2, 1)
    assert not TransferRequest.objects.exists()
    r = api.post(f"/api/v1/orgs/{class4.id}/graduation-transfers/import", upload(filled[0], filled[1:]))
    assert r.json()["created"] == 2
    assert TransferRequest.objects.filter(kind="办理转出").count() == 2


def test_graduation_transfers_unknown_destination_refused_whole(grad_tree, api_login):
    t = grad_tree
    api = api_login(t.general_admin)
    rows = [[p.name, p.id_number_masked, t.destination.full_name, "升学"] for p in t.grads[:2]]
    rows[1][2] = "共青团火星团委"
    r = api.post(f"/api/v1/orgs/{t.class4.id}/graduation-transfers/import",
                 upload(["姓名", "身份证号码", "转入组织全称", "转接原因"], rows))  # fmt: skip
    assert r.status_code == 200
    out = r.json()
    assert out["created"] == 0 and len(out["failed"]) == 2
    assert any("转入组织“共青团火星团委”不存在" in f["message"] for f in out["failed"])
    assert not TransferRequest.objects.exists()


def test_graduation_season(grad_tree, api_login):
    t = grad_tree
    switched(t, t.class4)
    r = api_login(t.college_admin).get(f"/api/v1/orgs/{t.college.id}/graduation-season/{t.year}")
    assert r.status_code == 200, r.content
    assert r.json()["rows"] == [{"org_id": t.general.id, "short_name": t.general.short_name, "graduating": 3,
                                 "initiated": 0, "approved": 0, "pending": 0, "returned": 0}]  # fmt: skip
    assert len(r.json()["not_initiated"]) == 3
    assert api_login(t.outsider).get(f"/api/v1/orgs/{t.college.id}/graduation-season/{t.year}").status_code == 404
    r = api_login(t.college_admin).get(f"/api/v1/orgs/{t.college.id}/graduation-season/{t.year}.xlsx")
    assert r.status_code in (200, 202)


def test_graduation_season_refuses_a_year_out_of_range(grad_tree, api_login):
    t = grad_tree
    api = api_login(t.college_admin)
    for suffix in ("", ".xlsx"):
        r = api.get(f"/api/v1/orgs/{t.college.id}/graduation-season/1045154048745761{suffix}")
        assert r.status_code == 422 and "四位年份" in r.json()["message"]
