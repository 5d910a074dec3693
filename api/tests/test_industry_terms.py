"""Issue 14 (10): 单位所属行业类别 in the API are the Chinese terms of GB/T 4754 (API.md's convention for
enumerated values), listed as an enum in the OpenAPI document; the letter codes are the database's."""

from django.test import Client

from orgs.models import Org


def test_the_industry_is_read_and_written_as_its_chinese_term(tree, api_login):
    client = api_login(tree.uni_admin)
    r = client.patch(f"/api/v1/orgs/{tree.uni.id}", {"industry": "教育"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["industry"] == "教育"
    assert Org.objects.get(pk=tree.uni.pk).industry == "P"  # stored as the GB/T 4754 section letter
    assert client.get(f"/api/v1/orgs/{tree.uni.id}").json()["industry"] == "教育"


def test_a_letter_code_or_unknown_term_is_refused_in_chinese_with_the_allowed_terms(tree, api_login):
    client = api_login(tree.uni_admin)
    r = client.patch(f"/api/v1/orgs/{tree.uni.id}", {"industry": "P"}, content_type="application/json")
    assert r.status_code == 422
    body = r.json()
    assert body["errors"][0]["field"] == "industry"
    assert "字段 industry 的值不在可选范围内，可选：农、林、牧、渔业；采矿业；制造业" in body["message"]
    assert "Input should be" not in body["message"]
    assert Org.objects.get(pk=tree.uni.pk).industry == ""


def test_an_unset_industry_reads_as_empty(tree, api_login):
    assert api_login(tree.uni_admin).get(f"/api/v1/orgs/{tree.uni.id}").json()["industry"] == ""


def test_the_openapi_document_lists_the_allowed_terms(db):
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    enum = schemas["OrgOut"]["properties"]["industry"]["enum"]
    assert enum[0] == "" and "教育" in enum and "国际组织" in enum and len(enum) == 21
    patch = schemas["OrgPatchIn"]["properties"]["industry"]
    assert any("教育" in (option.get("enum") or []) for option in patch.get("anyOf", [patch]))
