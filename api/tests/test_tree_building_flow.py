"""The whole 组织树建立 phase through the API (issue 3's done-when), top-down.

The operator loads 团中央 → 团江苏省委 → 团南京市委; then each level's admin
issues a code to the level below, whose admin registers with it, completes
the organisation's information, and creates the next level, down to a class
branch.
"""

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import make_id_number
from orgs.models import Org

PASSWORD = "Qing-Nian#2026"
INFO = {
    "团的领导机关": {"phone": "025-83201234", "email": "tw@example.cn", "admin_quota": 3, "admin_staffed": 2,
                "inst_quota": 0, "inst_staffed": 0},
    "基层团委": {"industry": "教育", "admin_quota": 1, "admin_staffed": 1, "inst_quota": 0, "inst_staffed": 0},
    "团总支": {"industry": "教育", "admin_quota": 0, "admin_staffed": 0, "inst_quota": 0, "inst_staffed": 0},
    "团支部": {"industry": "教育"},
}  # fmt: skip


def login(id_number: str, password: str = PASSWORD) -> Client:
    response = Client().post(
        "/api/v1/auth/login", {"id_number": id_number, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return Client(headers={"Authorization": f"Bearer {response.json()['token']}"})


def register_admin(parent_admin: Client, org_id: int, name: str, birth: str) -> tuple[Client, dict]:
    code = parent_admin.post(f"/api/v1/orgs/{org_id}/registration-code")
    assert code.status_code == 200, code.content
    person = {"name": name, "id_number": make_id_number(birth), "political_status": "团员",
              "league_join_date": f"{int(birth[:4]) + 14}-09", "mobile": "13912345678", "ethnicity": "汉族",
              "education": "大学本科", "occupation": "在职"}  # fmt: skip
    registered = Client().post(
        "/api/v1/register/admin",
        {"org_id": org_id, "position": "书记", "code": code.json()["code"], "person": person, "password": PASSWORD},
        content_type="application/json",
    )
    assert registered.status_code == 201, registered.content
    return login(person["id_number"]), person


def complete_information(admin: Client, org_id: int, person: dict) -> dict:
    org = admin.get(f"/api/v1/orgs/{org_id}").json()
    assert org["info_complete"] is False
    body = {**INFO[org["category"]], "secretary": {k: person[k] for k in ("name", "id_number", "mobile")}}
    response = admin.patch(f"/api/v1/orgs/{org_id}", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["missing"] == []
    assert response.json()["info_complete"] is True
    return response.json()


def create_child(admin: Client, parent_id: int, short_name: str, category: str) -> int:
    response = admin.post(
        f"/api/v1/orgs/{parent_id}/children", {"short_name": short_name, "category": category},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.mark.django_db
def test_the_tree_is_built_top_down_with_codes_and_complete_information(tmp_path, monkeypatch):
    monkeypatch.setenv("INIT_ROOT_PASSWORD", PASSWORD)
    root_admin_id = make_id_number("19800101")
    call_command("init_root", "--name", "团中央", "--full-name", "共青团中央委员会",
                 "--admin-name", "中央管理员", "--admin-id-number", root_admin_id)  # fmt: skip
    csv = tmp_path / "leading.csv"
    csv.write_text(
        "上级组织全称,组织简称,组织全称,排序\n"
        "共青团中央委员会,团江苏省委,共青团江苏省委员会,10\n"
        "共青团江苏省委员会,团南京市委,共青团南京市委员会,1\n",
        encoding="utf-8",
    )
    call_command("load_leading_bodies", str(csv))
    province = Org.objects.get(short_name="团江苏省委")
    city = Org.objects.get(short_name="团南京市委")

    root = login(root_admin_id)
    province_admin, person = register_admin(root, province.id, "省委书记", "19850101")
    complete_information(province_admin, province.id, person)

    city_admin, person = register_admin(province_admin, city.id, "市委书记", "19880101")
    complete_information(city_admin, city.id, person)

    chain = [
        ("南京医科大学团委", "基层团委", "19900101"),
        ("第一临床医学院团委", "基层团委", "19930101"),
        ("临床医学2017级团总支", "团总支", "19960101"),
        ("五年制临床医学2017级3班团支部", "团支部", "19990101"),
    ]
    parent_admin, parent_id = city_admin, city.id
    for short_name, category, birth in chain:
        org_id = create_child(parent_admin, parent_id, short_name, category)
        admin, person = register_admin(parent_admin, org_id, f"{short_name[:4]}书记", birth)
        org = complete_information(admin, org_id, person)
        parent_admin, parent_id = admin, org_id

    branch = Org.objects.get(pk=parent_id)
    assert branch.level == 7
    assert branch.full_name == (
        "共青团南京市委员会南京医科大学团委第一临床医学院团委临床医学2017级团总支五年制临床医学2017级3班团支部"
    )
    # The province still sees the branch, read-only; the branch admin sees nothing above itself.
    assert province_admin.get(f"/api/v1/orgs/{branch.id}").status_code == 200
    assert parent_admin.get(f"/api/v1/orgs/{city.id}").status_code == 404
    assert org["level"] == 7
