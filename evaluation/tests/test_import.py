"""团员教育评议 by the Excel template (SPEC-2 EV4): the template with its drop-downs and instructions, rows checked
by the service's own checks, all rows or none, the 优秀 count in the preview, the page and the API."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core.exceptions import Conflict
from evaluation import importer as ev_importer
from evaluation import services
from evaluation.models import Evaluation, Item
from excel.workbooks import INSTRUCTIONS_SHEET, to_bytes
from imports import importer

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def template(t) -> bytes:
    return importer.template_bytes(ev_importer.IMPORTER, t.branch, actor=t.branch_admin)


def filled(t, changes: dict[int, dict], *, extra: list | None = None) -> bytes:
    """The branch's template with the cells of `changes` (by row index: column header -> value) filled in."""
    wb = load_workbook(io.BytesIO(template(t)))
    ws = wb[ev_importer.SHEET]
    headers = [c.value for c in ws[1]]
    for index, cells in changes.items():
        for header, value in cells.items():
            ws.cell(row=index + 2, column=headers.index(header) + 1, value=value)
    for row in extra or []:
        ws.append(row)
    return to_bytes(wb)


def levels_file(t, levels: list[str]) -> bytes:
    """Every member 是 with the level of `levels`, in t.people order (the template's name order mapped back)."""
    order = {p.pk: levels[i] for i, p in enumerate(t.people)}
    rows = services.evaluation_view(branch=t.branch, year=t.year).rows
    return filled(t, {i: {"是否参评": "是", "评议等次": order[r.person.pk]} for i, r in enumerate(rows)})


def api_import(client, t, content: bytes, *, dry_run=False, year=None):
    url = f"/api/v1/orgs/{t.branch.id}/evaluations/{year or t.year}/import?dry_run={str(dry_run).lower()}"
    return client.post(url, {"file": SimpleUploadedFile("评议.xlsx", content)})


def saved(t) -> dict:
    return {i.person_id: i.proposed_level for i in Item.objects.filter(evaluation__org=t.branch)}


def test_the_template_lists_the_members_with_drop_downs_and_instructions(ev_tree, client):
    t = ev_tree
    client.force_login(t.branch_admin)
    response = client.get(reverse("evaluation:evaluation_template", args=[t.branch.id]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == [ev_importer.SHEET, INSTRUCTIONS_SHEET]
    ws = wb[ev_importer.SHEET]
    assert [c.value for c in ws[1]] == ["人员编号（请勿修改）", "姓名", "身份证号码", "是否参评", "不参评原因", "评议等次",
                                        "自我评价", "得票情况"]  # fmt: skip
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == sorted(p.pk for p in t.people)
    member = next(r for r in rows if r[0] == t.member.pk)
    assert member[1] == t.member.name and "*" in member[2] and t.member.id_number not in member[2]
    assert member[3] == "是"
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["D"] == '"是,否"' and lists["F"] == '"优秀,合格,基本合格,不合格"'
    notes = " ".join(str(c.value) for c in wb[INSTRUCTIONS_SHEET]["A"])
    assert "不参评的须填写不参评原因" in notes and "优秀不超过参评人数的30%" in notes and t.branch.full_name in notes


def test_a_good_file_saves_what_the_page_saves(ev_tree, client):
    t = ev_tree
    levels = ["优秀", "优秀"] + ["合格"] * 9 + ["基本合格"]
    client.force_login(t.branch_admin)
    preview = client.post(reverse("evaluation:evaluation_import_preview", args=[t.branch.id]),
                          {"file": SimpleUploadedFile("a.xlsx", levels_file(t, levels))})  # fmt: skip
    report = preview.context["report"]  # the whole page, without htmx
    assert "确认录入 12 人" in preview.content.decode()
    assert [r.status for r in report.rows] == ["将创建"] * 12 and not Item.objects.exists()
    excellent = [r.message for r in report.rows if r.values["level"] == "优秀"]
    assert excellent == ["将录入：优秀（导入后参评12人、优秀2人，优秀上限3人）"] * 2
    done = client.post(reverse("evaluation:evaluation_import_confirm", args=[t.branch.id]),
                       {"token": preview.context["token"]}, headers=HX)  # fmt: skip
    assert [r.status for r in done.context["report"].rows] == ["创建"] * 12
    imported = services.evaluation_view(branch=t.branch, year=t.year).as_api()
    assert saved(t) == {p.pk: level for p, level in zip(t.people, levels, strict=True)}

    # the same levels entered through the page's service give the same evaluation
    Evaluation.objects.all().delete()
    items = [
        {"person_id": p.pk, "participates": True, "proposed_level": lv} for p, lv in zip(t.people, levels, strict=True)
    ]
    services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year, items=items)
    assert services.evaluation_view(branch=t.branch, year=t.year).as_api() == imported

    # the same file again: every row is as saved
    report = importer.run_import(ev_importer.IMPORTER, target=t.branch, actor=t.branch_admin,
                                 source=levels_file(t, levels), dry_run=True)  # fmt: skip
    assert report.skipped == 12 and report.would_apply == 0


def test_bad_rows_are_reported_by_reason_and_nothing_is_saved(ev_tree, api_login):
    t = ev_tree
    rows = services.evaluation_view(branch=t.branch, year=t.year).rows
    content = filled(
        t,
        {0: {"是否参评": "是", "评议等次": "良好"}, 1: {"是否参评": "否", "不参评原因": ""},
         2: {"是否参评": "是", "评议等次": "优秀"}, 3: {"是否参评": "否", "不参评原因": "出国", "评议等次": ""}},
        extra=[[t.outsider.pk, t.outsider.name, "", "是", "", "合格"]],
    )  # fmt: skip
    r = api_import(api_login(t.branch_admin), t, content)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["created"] == 0 and body["would_create"] == 0
    reasons = {g["message"]: g["rows"] for g in body["failed_by_reason"]}
    first, second = rows[0].person.name, rows[1].person.name
    assert reasons[f"{first}的评议等次“良好”无效：只能是优秀、合格、基本合格、不合格。"] == [2]
    assert reasons[f"{second}不参评，请填写原因（如长期病假、出国）。"] == [3]
    assert reasons[f"编号为{t.outsider.pk}的人员不是本支部团员，不能评议。"] == [14]
    held_back = "本行无误，但表中第2、3、14行有错误：评议结果整表录入，请更正后重新上传，届时一并录入。"
    assert reasons[held_back] == [4, 5] and len(body["failed"]) == 5
    assert body["skipped"] == 12 - 4  # the template's other rows, as saved
    assert not Item.objects.exists() and not Evaluation.objects.exists()


def test_a_renamed_row_and_a_repeated_member_fail(ev_tree):
    t = ev_tree
    first = services.evaluation_view(branch=t.branch, year=t.year).rows[0].person
    content = filled(t, {0: {"姓名": "张冠李戴", "评议等次": "合格"}},
                     extra=[[first.pk, first.name, "", "是", "", "合格"]])  # fmt: skip
    report = importer.run_import(ev_importer.IMPORTER, target=t.branch, actor=t.branch_admin, source=content,
                                 dry_run=False)  # fmt: skip
    messages = [r.message for r in report.failed]
    assert (
        messages[0] == f"人员编号{first.pk}是{first.name}，与本行姓名“张冠李戴”不一致：请不要修改表中的人员编号和姓名。"
    )
    assert messages[1] == f"与第2行是同一人（人员编号{first.pk}），每人只填写一行。请删除重复的行。"
    assert not Item.objects.exists()


def test_a_dry_run_saves_nothing_and_the_limit_is_left_to_the_submission(ev_tree, api_login):
    t = ev_tree
    client = api_login(t.branch_admin)
    content = levels_file(t, ["优秀"] * 4 + ["合格"] * 8)
    body = api_import(client, t, content, dry_run=True).json()
    assert body["dry_run"] is True and body["would_create"] == 12 and not body["failed"]
    over = [r["message"] for r in body["rows"] if r["level"] == "优秀"]
    assert over[0].endswith("（导入后参评12人、优秀4人，优秀上限3人，超过上限，提交评议结果前请调整）")
    assert not Item.objects.exists() and not Evaluation.objects.exists()
    body = api_import(client, t, content).json()
    assert body["created"] == 12 and list(saved(t).values()).count("优秀") == 4
    with pytest.raises(Conflict, match="最多3人"):
        services.evaluation_submit(branch=t.branch, actor=t.branch_admin, year=t.year)


def test_a_submitted_result_and_another_year_are_refused_whole(ev_tree, api_login):
    t = ev_tree
    client = api_login(t.branch_admin)
    r = client.get(f"/api/v1/orgs/{t.branch.id}/evaluations/{t.year - 1}/template")
    assert r.status_code == 409 and r.json()["code"] == "not_current_year"
    assert client.get(f"/api/v1/orgs/{t.branch.id}/evaluations/{t.year}/template").status_code == 200
    content = levels_file(t, ["合格"] * 12)
    assert api_import(client, t, content).json()["created"] == 12
    services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                             meeting={"held_on": t.round.starts_on, "due": 12, "present": 10})  # fmt: skip
    services.evaluation_submit(branch=t.branch, actor=t.branch_admin, year=t.year)
    body = api_import(client, t, levels_file(t, ["优秀"] + ["合格"] * 11)).json()
    assert {g["message"] for g in body["failed_by_reason"]} == {
        "评议结果已提交上级审核，审核前不能修改；如需修改，请撤回或等待退回。"
    }


def test_outsiders_get_404_and_readers_403(ev_tree, client, api_login):
    t = ev_tree
    content = levels_file(t, ["合格"] * 12)
    pages = [reverse("evaluation:import", args=[t.branch.id]),
             reverse("evaluation:evaluation_template", args=[t.branch.id])]  # fmt: skip
    preview = reverse("evaluation:evaluation_import_preview", args=[t.branch.id])
    for person, status in ((t.outsider, 404), (t.college_admin, 403)):
        client.force_login(person)
        assert [client.get(url).status_code for url in pages] == [status, status]
        assert client.post(preview, {"file": SimpleUploadedFile("a.xlsx", content)}).status_code == status
        api = api_login(person)
        assert api.get(f"/api/v1/orgs/{t.branch.id}/evaluations/{t.year}/template").status_code == status
        assert api_import(api, t, content).status_code == status
    client.force_login(t.branch_admin)
    page = client.get(pages[0]).content.decode()
    assert "下载团员教育评议录入模板" in page and "优秀最多 3 人" in page
    client.force_login(t.general_admin)  # the direct superior enters for its branch, as on the page
    assert client.get(pages[0]).status_code == 200
    client.force_login(t.college_admin)  # a committee is not evaluated itself
    assert client.get(reverse("evaluation:import", args=[t.college.id])).status_code == 404
    assert not Item.objects.exists()
