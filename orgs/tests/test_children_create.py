"""单个创建 of direct subordinates (SPEC T5–T7): API and page, naming and placement rules, who may do it."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from orgs.models import Org


def create(client, org, **body):
    return client.post(f"/api/v1/orgs/{org.id}/children", body, content_type="application/json")


def test_the_api_creates_a_child_with_the_proposed_full_name(tree, api_login):
    response = create(
        api_login(tree.general_admin), tree.general, short_name="五年制临床医学2017级4班团支部", category="团支部"
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert body["full_name"] == tree.general.full_name + "五年制临床医学2017级4班团支部"
    assert body["parent_id"] == tree.general.id and body["level"] == 6 and body["category"] == "团支部"
    assert AuditEvent.objects.filter(verb="创建下级组织", target_id=str(body["id"])).exists()


def test_the_creator_may_correct_the_full_name(tree, api_login):
    response = create(
        api_login(tree.province_admin),
        tree.province,
        short_name="北控集团团工委",
        category="团工委",
        full_name="共青团北京控股集团有限公司工作委员会",
    )
    assert response.status_code == 201
    assert Org.objects.get(pk=response.json()["id"]).full_name == "共青团北京控股集团有限公司工作委员会"


@pytest.mark.parametrize(
    "short_name,category,code,words",
    [
        ("五年制临床医学2017级4班", "团支部", "name_suffix", "应以“团支部”结尾"),
        ("包装车间团总支", "团支部", "name_suffix", "应以“团支部”结尾"),
        ("口腔医学院团委", "基层团委", "placement", "团总支下只能设立：团支部"),
        ("某某团总支", "团总支", "placement", "团总支下不能设立团总支"),
        ("", "团支部", "name_required", "请填写组织简称"),
        ("某团支部", "团小组", "bad_category", "不存在"),
    ],
)
def test_naming_and_placement_rules_are_checked(tree, api_login, short_name, category, code, words):
    response = create(api_login(tree.general_admin), tree.general, short_name=short_name, category=category)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert words in response.json()["message"]
    assert tree.general.children().count() == 1


@pytest.mark.parametrize("category", ["团的领导机关", "待接转团支部"])
def test_admins_cannot_create_leading_bodies_or_pending_branches(tree, api_login, category):
    response = create(api_login(tree.province_admin), tree.province, short_name="某某团委", category=category)
    assert response.status_code == 400
    assert "不能由管理员创建" in response.json()["message"]


def test_sibling_names_are_unique(tree, api_login):
    response = create(api_login(tree.college_admin), tree.college, short_name="临床医学2017级团总支", category="团总支")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_name"


def test_an_outsider_gets_404(tree, api_login):
    response = create(api_login(tree.outsider), tree.general, short_name="某某团支部", category="团支部")
    assert response.status_code == 404


def test_a_subordinates_admin_cannot_create_under_its_parent(tree, api_login):
    response = create(api_login(tree.college_admin), tree.uni, short_name="口腔医学院团委", category="基层团委")
    assert response.status_code == 404


def test_a_superior_who_can_view_but_is_not_the_admin_gets_403(tree, api_login):
    response = create(api_login(tree.uni_admin), tree.general, short_name="某某团支部", category="团支部")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert tree.general.children().count() == 1


# The page


def page_url(org):
    return reverse("orgs:children_create", args=[org.id])


def test_the_page_offers_only_the_creatable_categories(tree, client):
    client.force_login(tree.college_admin)
    response = client.get(page_url(tree.college))
    assert response.status_code == 200
    options = response.context["form"].fields["category"].choices
    assert [value for value, _ in options] == ["", "基层团委", "团工委", "团总支", "团支部"]
    assert "创建下级组织" in response.content.decode()  # the menu link


def test_the_page_creates_a_child_and_redirects(tree, client):
    client.force_login(tree.college_admin)
    response = client.post(
        page_url(tree.college), {"short_name": "临床医学2018级团总支", "category": "团总支", "full_name": ""}
    )
    assert response.status_code == 302
    child = tree.college.children().get(short_name="临床医学2018级团总支")
    assert child.full_name == tree.college.full_name + "临床医学2018级团总支"


def test_a_service_refusal_shows_beside_the_field(tree, client):
    client.force_login(tree.college_admin)
    response = client.post(page_url(tree.college), {"short_name": "临床医学2018级", "category": "团总支"})
    assert response.status_code == 200
    assert any("团总支" in e for e in response.context["form"].errors["short_name"])
    assert tree.college.children().count() == 1


def test_the_proposal_follows_the_short_name_unless_corrected(tree, client):
    client.force_login(tree.college_admin)
    url = reverse("orgs:children_proposal", args=[tree.college.id])
    proposal = tree.college.full_name + "临床医学2018级团总支"
    response = client.get(url, {"short_name": "临床医学2018级团总支", "full_name": "", "proposed": ""})
    assert response.context["full_name"] == proposal
    # Not edited: follows the new short name.
    response = client.get(url, {"short_name": "临床医学2019级团总支", "full_name": proposal, "proposed": proposal})
    assert response.context["full_name"] == tree.college.full_name + "临床医学2019级团总支"
    # Edited by hand: kept.
    response = client.get(
        url, {"short_name": "临床医学2019级团总支", "full_name": "我改过的全称", "proposed": proposal}
    )
    assert response.context["full_name"] == "我改过的全称"
    assert response.context["proposed"] == tree.college.full_name + "临床医学2019级团总支"


def test_the_page_is_404_for_an_outsider_and_for_a_superior(tree, client):
    # One not-found for missing and forbidden alike (orgs.access.fetch_org, issue 13); was 403 for the superior.
    client.force_login(tree.outsider)
    assert client.get(page_url(tree.college)).status_code == 404
    client.force_login(tree.uni_admin)
    assert client.get(page_url(tree.college)).status_code == 404
    assert client.post(page_url(tree.college), {"short_name": "某团总支", "category": "团总支"}).status_code == 404


def test_a_branch_admin_is_told_branches_have_no_subordinates(tree, client):
    client.force_login(tree.branch_admin)
    response = client.get(page_url(tree.branch))
    assert "最末级组织" in response.content.decode()
