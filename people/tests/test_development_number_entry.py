"""发展团员编号 (SPEC P11) on every route that creates a person: members entered one at a time (API),
团员团干部注册 (page and API), 管理员注册 (page and API) and 录入本级团干部 (page and API).

Each route refuses a 2017-or-later join without a number, naming the field; stores a good one; and
refuses a number someone else holds (409 in the API, as the branch admin's record edit answers).
"""

import itertools

import pytest
from django.urls import reverse

from conftest import PASSWORD, make_id_number
from orgs import codes
from orgs.rules import Category
from orgs.services import org_create_child
from people import cadres, members
from people.models import Person

NUMBERS = itertools.count(1)
ROUTES = (
    "member_api",
    "register_member_page",
    "register_member_api",
    "register_admin_page",
    "register_admin_api",
    "cadre_page",
    "cadre_api",
)


def person(**fields) -> dict:
    data = {"name": "新同志", "id_number": make_id_number("20050301"), "ethnicity": "汉族", "political_status": "团员",
            "league_join_date": "2020-09", "education": "高中", "occupation": "学生", "mobile": "13912345678",
            "email": ""}  # fmt: skip
    data.update(fields)
    return data


def new_number(year: int = 2020) -> str:
    return f"{year}{next(NUMBERS):08d}"


@pytest.fixture
def world(tree):
    tree.new_org = org_create_child(
        parent=tree.uni, short_name="口腔医学院团委", category=Category.PRIMARY, actor=tree.uni_admin
    )
    tree.code = codes.registration_code_issue(org=tree.new_org, actor=tree.uni_admin).code
    return tree


def submit(route: str, t, client, api_login, data: dict):
    """(refused?, status, text) of one submission of `data` through `route`."""
    body = {k: v for k, v in data.items() if v is not None}
    if route == "member_api":
        r = api_login(t.branch_admin).post(
            f"/api/v1/orgs/{t.branch.id}/members", {"person": body}, content_type="application/json"
        )
    elif route == "register_member_api":
        r = client.post("/api/v1/register/member", {"branch_id": t.branch.id, "person": body, "password": PASSWORD},
                        content_type="application/json")  # fmt: skip
    elif route == "register_admin_api":
        r = client.post("/api/v1/register/admin", {"org_id": t.new_org.id, "position": "书记", "code": t.code,
                        "person": body, "password": PASSWORD}, content_type="application/json")  # fmt: skip
    elif route == "cadre_api":
        r = api_login(t.college_admin).post(f"/api/v1/orgs/{t.college.id}/cadres", {"person": body, "position": "委员"},
                                        content_type="application/json")  # fmt: skip
    elif route == "register_member_page":
        r = client.post(reverse("accounts:register_member"),
                        {**body, "branch_id": t.branch.id, "password": PASSWORD, "password2": PASSWORD})  # fmt: skip
    elif route == "register_admin_page":
        r = client.post(reverse("accounts:register_admin"), {**body, "org_id": t.new_org.id, "position": "书记",
                        "code": t.code, "password": PASSWORD, "password2": PASSWORD})  # fmt: skip
    elif route == "cadre_page":
        client.force_login(t.college_admin)  # P3: an organisation's own admin enters its cadres
        r = client.post(reverse("people:cadre_new", args=[t.college.id]), {**body, "position": "委员"})
    else:
        raise AssertionError(route)
    if route.endswith("_api"):
        return r.status_code >= 400, r.status_code, r.content.decode()
    assert r.status_code in (200, 302), r.status_code
    return r.status_code == 200, r.status_code, r.content.decode()


def stored(data: dict) -> Person | None:
    return Person.objects.by_id_number(data["id_number"]).first()


@pytest.mark.parametrize("route", ROUTES)
def test_a_2020_join_without_a_number_is_refused_naming_the_field(route, world, client, api_login):
    data = person()
    refused, status, text = submit(route, world, client, api_login, data)
    assert refused and stored(data) is None
    assert "须填写发展团员编号" in text and "2017年1月起入团的均须填写" in text
    if route.endswith("_api"):
        assert status == 422
        assert '"field": "development_number"' in text
    else:
        assert 'class="field-error">2020年09月入团的团员须填写发展团员编号' in text  # beside the field


@pytest.mark.parametrize("route", ROUTES)
def test_a_good_number_is_stored(route, world, client, api_login):
    number = new_number()
    data = person(development_number=f" {number} ")
    refused, _, text = submit(route, world, client, api_login, data)
    assert not refused, text
    assert stored(data).development_number == number


@pytest.mark.parametrize("route", ROUTES)
def test_a_number_someone_else_holds_is_refused(route, world, client, api_login):
    number = new_number()
    Person.objects.filter(pk=world.member.pk).update(development_number=number)
    data = person(development_number=number)
    refused, status, text = submit(route, world, client, api_login, data)
    assert refused and stored(data) is None
    assert f"发展团员编号“{number}”已被其他团员使用" in text
    if route.endswith("_api"):
        assert status == 409 and '"code": "development_number_taken"' in text


@pytest.mark.parametrize("route", ROUTES)
def test_a_number_that_does_not_fit_the_join_year_is_refused(route, world, client, api_login):
    data = person(development_number=new_number(2019))
    refused, _, text = submit(route, world, client, api_login, data)
    assert refused and stored(data) is None
    assert "前4位应为入团年份2020" in text


@pytest.mark.parametrize("route", ROUTES)
def test_a_join_before_2017_needs_no_number(route, world, client, api_login):
    data = person(id_number=make_id_number("20010301"), league_join_date="2015-05")
    refused, _, text = submit(route, world, client, api_login, data)
    assert not refused, text
    assert stored(data).development_number is None


@pytest.mark.parametrize("route", [r for r in ROUTES if r.endswith("_page")])
def test_the_form_says_when_the_number_is_required(route, world, client):
    url = {
        "register_member_page": reverse("accounts:register_member"),
        "register_admin_page": reverse("accounts:register_admin"),
        "cadre_page": reverse("people:cadre_new", args=[world.college.id]),
    }[route]
    client.force_login(world.college_admin if route == "cadre_page" else world.uni_admin)
    page = client.get(url).content.decode()
    assert 'name="development_number"' in page and "发展团员编号" in page
    assert "2017年1月起入团的必填" in page


def test_the_api_schema_documents_the_field(client):
    schema = client.get("/api/v1/openapi.json").json()
    field = schema["components"]["schemas"]["PersonIn"]["properties"]["development_number"]
    assert "2017-01" in field["description"]


# Existing records: the entered number fills an empty one and never replaces another.


def test_linking_a_known_person_fills_an_empty_number_that_fits_their_join_date(tree):
    cadre = Person.objects.get(pk=tree.uni_admin.pk)  # joined 2006-09, no branch, no number
    data = {"name": cadre.name, "id_number": cadre.id_number, "political_status": "团员", "league_join_date": "2006-09",
            "development_number": "200600000001"}  # fmt: skip
    members.member_add(branch=tree.branch, data=data, actor=tree.branch_admin)
    assert Person.objects.get(pk=cadre.pk).development_number == "200600000001"


def test_linking_someone_on_record_never_reveals_or_writes_their_number(tree):
    """Issue 12: a link is an offer to a person the admin cannot see; nothing typed with it is checked
    against the record (that would tell the admin their 入团年月) or written into it."""
    data = {"name": tree.uni_admin.name, "id_number": tree.uni_admin.id_number}
    offer = cadres.cadre_add(org=tree.college, person_data={**data, "league_join_date": "2017-09",
                             "development_number": new_number(2017)}, position="委员", actor=tree.college_admin)  # fmt: skip
    assert offer.status == "待确认"
    assert Person.objects.get(pk=tree.uni_admin.pk).development_number is None


def test_a_different_number_on_record_is_never_replaced(tree):
    Person.objects.filter(pk=tree.uni_admin.pk).update(development_number="200600000009")
    data = {"name": tree.uni_admin.name, "id_number": tree.uni_admin.id_number, "league_join_date": "2006-09",
            "development_number": "200600000010"}  # fmt: skip
    cadres.cadre_add(org=tree.college, person_data=data, position="委员", actor=tree.college_admin)
    assert Person.objects.get(pk=tree.uni_admin.pk).development_number == "200600000009"
