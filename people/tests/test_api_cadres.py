"""本级团干部 through the JSON API (API.md "People in an organisation"; SPEC P3, P4, P6, S7, §8)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_id_number
from imports.importers import cadres
from imports.tests.xlsx import make_xlsx, open_xlsx
from people.models import Cadre, Person


def person(name="刘接口", **fields):
    data = {
        "name": name,
        "id_number": make_id_number("19970101"),
        "ethnicity": "汉族",
        "political_status": "团员",
        "league_join_date": "2011-09",
        "education": "大学本科",
        "occupation": "在职",
        "mobile": "13612345678",
    }
    data.update(fields)
    return data


def url(org, suffix=""):
    return f"/api/v1/orgs/{org.id}/cadres{suffix}"


def post(client, org, position="副书记", **fields):
    return client.post(url(org), {"person": person(**fields), "position": position}, content_type="application/json")


@pytest.fixture
def college(tree, api_login):
    """The college with two more cadres, one of them without a mobile."""
    client = api_login(tree.college_admin)
    assert post(client, tree.college, "委员", name="完整人").status_code == 201
    assert post(client, tree.college, "常委", name="缺手机", mobile="").status_code == 201
    return tree


def test_posting_a_cadre_answers_201_with_the_person(tree, api_login):
    response = post(api_login(tree.college_admin), tree.college, name="新干部")
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["position"] == "副书记" and body["missing"] == []
    assert body["person"]["name"] == "新干部" and body["person"]["gender"] in ("男", "女")
    assert len(body["person"]["id_number"]) == 18 and "*" in body["person"]["id_number"]  # masked (issue 12, item 10)
    assert body["person"]["registered"] is False


def test_the_list_shows_who_is_incomplete_and_filters(college, api_login):
    client = api_login(college.college_admin)
    body = client.get(url(college.college)).json()
    assert body["count"] == 3
    assert [i["position"] for i in body["items"]] == ["书记", "常委", "委员"]
    incomplete = next(i for i in body["items"] if i["person"]["name"] == "缺手机")
    assert incomplete["person"]["complete"] is False and incomplete["missing"] == ["手机号码"]
    body = client.get(url(college.college, "?complete=false")).json()
    assert body["count"] == 1 and [i["person"]["name"] for i in body["items"]] == ["缺手机"]
    body = client.get(url(college.college, "?page=2&page_size=2")).json()
    assert body["count"] == 3 and [i["person"]["name"] for i in body["items"]] == ["完整人"]
    assert client.get(url(college.college, "?page_size=1000")).status_code == 200


def test_everyone_reads_masked_numbers_and_managers_reveal_one_record(college, api_login):
    """Masked by default (issue 12, item 10); managers reveal one record, deeper superiors cannot."""
    cadre = Person.objects.get(name="完整人")
    manager = api_login(college.uni_admin)
    item = next(i for i in manager.get(url(college.college)).json()["items"] if i["person"]["id"] == cadre.id)
    assert item["person"]["id_number"] == cadre.id_number_masked and item["person"]["mobile"] == "136****5678"
    shown = manager.post(f"/api/v1/orgs/{college.college.id}/people/{cadre.id}/reveal").json()
    assert (shown["id_number"], shown["mobile"]) == (cadre.id_number, "13612345678")
    deeper = api_login(college.province_admin)
    body = deeper.get(url(college.college)).json()
    item = next(i for i in body["items"] if i["person"]["id"] == cadre.id)
    assert item["person"]["id_number"] == cadre.id_number_masked and item["person"]["mobile"] == "136****5678"
    assert deeper.post(f"/api/v1/orgs/{college.college.id}/people/{cadre.id}/reveal").status_code == 403


def test_outsiders_get_404_on_every_operation(college, api_login):
    client = api_login(college.outsider)
    cadre = Person.objects.get(name="完整人")
    assert client.get(url(college.college)).status_code == 404
    assert post(client, college.college).status_code == 404
    patch = client.patch(url(college.college, f"/{cadre.id}"), {"position": "常委"}, content_type="application/json")
    assert patch.status_code == 404
    assert client.delete(url(college.college, f"/{cadre.id}")).status_code == 404
    assert client.get(f"/api/v1/orgs/{college.college.id}/people/template").status_code == 404


def test_a_deeper_superior_reads_but_gets_403_on_every_change(college, api_login):
    client = api_login(college.province_admin)
    cadre = Person.objects.get(name="完整人")
    response = post(client, college.college)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    patch = client.patch(url(college.college, f"/{cadre.id}"), {"position": "常委"}, content_type="application/json")
    assert patch.status_code == 403
    assert client.delete(url(college.college, f"/{cadre.id}")).status_code == 403
    assert Cadre.objects.get(person=cadre).position == "委员"


def test_a_subordinate_does_not_see_its_superiors_cadres(college, api_login):
    client = api_login(college.general_admin)
    assert client.get(url(college.college)).status_code == 404
    assert post(client, college.college).status_code == 404


def test_refusals_use_the_error_body(college, api_login):
    tree = college
    client = api_login(tree.college_admin)
    existing = Person.objects.get(name="完整人")
    duplicate = post(client, tree.college, name="完整人", id_number=existing.id_number)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "cadre_exists"
    mismatch = post(client, tree.college, name="别人", id_number=existing.id_number)
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "name_mismatch"
    assert mismatch.json()["errors"][0]["field"] == "name"
    bad_position = post(client, tree.college, "组织委员")
    assert bad_position.status_code == 422 and bad_position.json()["code"] == "bad_position"
    branch = post(api_login(tree.branch_admin), tree.branch, "书记")
    assert branch.status_code == 400 and branch.json()["code"] == "branch_cadres"


def test_patch_changes_the_position_and_delete_removes_the_post(college, api_login):
    tree = college
    client = api_login(tree.uni_admin)
    cadre = Person.objects.get(name="完整人")
    response = client.patch(url(tree.college, f"/{cadre.id}"), {"position": "副书记"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["position"] == "副书记"
    assert client.delete(url(tree.college, f"/{cadre.id}")).status_code == 204
    assert not Cadre.objects.filter(person=cadre).exists() and Person.objects.filter(pk=cadre.pk).exists()
    again = client.delete(url(tree.college, f"/{cadre.id}"))
    # The person is out of the caller's reach once the post is gone: the one not-found of people.access.fetch_person
    # (issue 13), which no longer names whoever holds an ID the caller cannot see.
    assert again.status_code == 404 and again.json()["code"] == "person_not_found"
    assert cadre.name not in again.content.decode()


def test_an_admin_cannot_be_deleted(tree, api_login):
    response = api_login(tree.uni_admin).delete(url(tree.college, f"/{tree.college_admin.id}"))
    assert response.status_code == 409 and response.json()["code"] == "cadre_is_admin"
    assert "撤销其管理员" in response.json()["message"]


# GET /orgs/{id}/people/template and POST /orgs/{id}/people/import


def upload(client, org, content, query=""):
    return client.post(
        f"/api/v1/orgs/{org.id}/people/import{query}", {"file": SimpleUploadedFile("people.xlsx", content)}
    )


def cadre_file(*rows):
    header = [c.header for c in cadres.COLUMNS]
    return make_xlsx([header, *rows], title=cadres.SHEET)


def test_a_committees_template_is_the_cadre_template(tree, api_login):
    response = api_login(tree.college_admin).get(f"/api/v1/orgs/{tree.college.id}/people/template")
    assert response.status_code == 200
    assert open_xlsx(response.content).sheetnames[0] == cadres.SHEET


def test_a_branchs_template_is_the_member_template_not_the_cadre_template(tree, api_login):
    response = api_login(tree.branch_admin).get(f"/api/v1/orgs/{tree.branch.id}/people/template")
    assert response.status_code == 200
    assert cadres.SHEET not in open_xlsx(response.content).sheetnames


def test_importing_cadres_dry_run_then_for_real(tree, api_login):
    client = api_login(tree.college_admin)
    content = cadre_file(
        ["甲干部", make_id_number("19960101"), "委员", "团员", "2010-09", "汉族", "大学本科", "在职", "13812345678"],
        ["乙干部", "12345", "委员", "团员", "2010-09"],
    )
    before = Cadre.objects.count()
    body = upload(client, tree.college, content, "?dry_run=true").json()
    assert (body["would_create"], body["created"], body["failed"][0]["row"]) == (1, 0, 3)
    assert Cadre.objects.count() == before
    body = upload(client, tree.college, content).json()
    assert (body["created"], body["skipped"]) == (1, 0)
    assert body["rows"][0]["name"] == "甲干部" and body["rows"][0]["position"] == "委员"
    body = upload(client, tree.college, content).json()
    assert (body["created"], body["skipped"]) == (0, 1)
    result = upload(client, tree.college, content, "?dry_run=true&format=xlsx")
    assert result.status_code == 200 and open_xlsx(result.content).active["L1"].value == "结果"


def test_a_wrong_template_is_refused_whole(tree, api_login):
    content = make_xlsx(
        [["姓名", "身份证号码", "团内职务", "政治面貌", "入团年月"], ["张三", make_id_number(), "", "团员", "2012-09"]]
    )
    response = upload(api_login(tree.college_admin), tree.college, content)
    assert response.status_code == 400 and response.json()["code"] == "bad_file"
    assert "本级团干部录入模板" in response.json()["message"]


def test_the_cadre_template_uploaded_to_a_branch_is_refused_whole(tree, api_login):
    content = cadre_file(["甲", make_id_number(), "委员", "团员", "2010-09"])
    response = upload(api_login(tree.branch_admin), tree.branch, content)
    assert response.status_code == 400 and response.json()["code"] == "bad_file"
    assert not Person.objects.filter(name="甲").exists()


def test_a_deeper_superior_may_not_import(tree, api_login):
    response = upload(
        api_login(tree.province_admin), tree.college, cadre_file(["甲", make_id_number(), "委员", "团员", "2010-09"])
    )
    assert response.status_code == 403


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/orgs/{org_id}/cadres"])
    assert {"patch", "delete"} <= set(paths["/api/v1/orgs/{org_id}/cadres/{person_id}"])
    assert "post" in paths["/api/v1/orgs/{org_id}/people/import"]
    assert "get" in paths["/api/v1/orgs/{org_id}/people/template"]
