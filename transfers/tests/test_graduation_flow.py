"""Issue 5's done-when through the API: a graduating class is closed.

The 团总支 deletes the class branch (its members go to its 待接转团支部), then
transfers one graduate out to a workplace branch and another to a workplace
committee, which assigns them a branch.
"""

from orgs.models import Org
from people.models import Person


def test_a_graduating_class_is_closed_and_its_members_transferred(places, api_login, make_person):
    grads = [make_person(f"毕业生{i}", branch=places.branch) for i in range(2)]
    general = api_login(places.general_admin)

    assert general.delete(f"/api/v1/orgs/{places.branch.id}").status_code == 204
    pending = Org.objects.get(parent=places.general, category="待接转团支部")
    assert set(Person.objects.filter(branch=pending).values_list("name", flat=True)) >= {"毕业生0", "毕业生1"}
    children = general.get(f"/api/v1/orgs/{places.general.id}/children").json()["items"]
    assert "待接转团支部" in {c["category"] for c in children}  # visible in its tree

    to_branch = general.post("/api/v1/transfers", {"person_id": grads[0].id, "to_org_id": places.company_branch.id,
                             "reason": "已落实工作单位（含自主创业）"}, content_type="application/json")  # fmt: skip
    to_committee = general.post("/api/v1/transfers", {"person_id": grads[1].id, "to_org_id": places.company.id,
                                "reason": "已落实工作单位（含自主创业）"}, content_type="application/json")  # fmt: skip
    assert to_branch.status_code == to_committee.status_code == 201

    company = api_login(places.company_admin)
    assert company.post(f"/api/v1/transfers/{to_branch.json()['id']}/approve").json()["status"] == "已完成"
    step = company.post(f"/api/v1/transfers/{to_committee.json()['id']}/approve").json()
    assert step["status"] == "待分配团支部"
    done = company.post(f"/api/v1/transfers/{step['id']}/assign", {"branch_id": places.company_branch.id},
                        content_type="application/json").json()  # fmt: skip
    assert done["status"] == "已完成"
    assert [s["action"] for s in done["steps"]] == ["提交（办理转出）", "转入方同意", "分配团支部"]
    assert set(Person.objects.filter(branch=places.company_branch).values_list("name", flat=True)) == {
        "毕业生0",
        "毕业生1",
    }
    listed = general.get(f"/api/v1/transfers?org_id={places.general.id}&direction=out&status=已完成").json()
    assert listed["count"] == 2
