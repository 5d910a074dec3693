"""团员团干部注册 (accounts:register_member) and the branch admin's 认证/驳回 (people:member_verify), on the pages."""

import pytest
from django.urls import reverse

from conftest import make_id_number
from people import members
from people.models import Person

PASSWORD = "Qing-Nian#2026"


def form(branch, **overrides):
    data = {"branch_id": branch.id, "name": "自主注册团员", "id_number": make_id_number("20000405"),
            "political_status": "团员", "league_join_date": "2015-09", "ethnicity": "汉族", "education": "大学本科",
            "occupation": "学生", "mobile": "13811112222", "email": "", "password": PASSWORD,
            "password2": PASSWORD}  # fmt: skip
    data.update(overrides)
    return data


def test_registering_on_the_page_creates_a_member_waiting_for_verification(client, tree):
    r = client.post(reverse("accounts:register_member"), form(tree.branch), follow=True)
    assert r.redirect_chain[-1][0] == reverse("people:me")
    assert "注册成功" in r.content.decode() and "等待" in r.content.decode()
    person = Person.objects.get(name="自主注册团员")
    assert person.branch == tree.branch and person.verified is False
    assert r.context["user"].pk == person.pk  # logged in at once
    assert person.check_password(PASSWORD)


@pytest.mark.parametrize(("field", "shown"), [("password2", "两次"), ("branch_id", "团支部")])
def test_a_bad_registration_creates_nobody_and_says_why(client, tree, field, shown):
    overrides = {field: {"password2": "Other#Pass2026", "branch_id": tree.general.id}[field]}  # 团总支: not a branch
    r = client.post(reverse("accounts:register_member"), form(tree.branch, **overrides))
    assert r.status_code == 200 and shown in r.content.decode()
    assert not Person.objects.filter(name="自主注册团员").exists()


@pytest.fixture
def registrant(tree):
    data = {k: v for k, v in form(tree.branch).items() if k not in ("branch_id", "password", "password2")}
    return members.member_self_register(branch_id=tree.branch.id, data=data, password=PASSWORD)


def verify(client, person, decision):
    return client.post(reverse("people:member_verify", args=[person.id, decision]), follow=True)


def test_the_branch_admin_verifies_a_registrant_on_the_page(client, tree, registrant):
    client.force_login(tree.branch_admin)
    r = verify(client, registrant, "approve")
    assert r.redirect_chain[-1][0] == reverse("people:members", args=[tree.branch.id])
    assert f"已认证：{registrant.name}" in r.content.decode()
    assert Person.objects.get(pk=registrant.pk).verified is True


def test_the_branch_admin_rejects_a_registrant_on_the_page(client, tree, registrant):
    client.force_login(tree.branch_admin)
    r = verify(client, registrant, "reject")
    assert f"已驳回：{registrant.name}" in r.content.decode()
    assert not Person.objects.filter(pk=registrant.pk).exists()


@pytest.mark.parametrize("decision", ["delete", "Approve", "rejected", "x"])
def test_any_other_decision_is_404_and_changes_nothing(client, tree, registrant, decision):
    client.force_login(tree.branch_admin)
    assert verify(client, registrant, decision).status_code == 404
    person = Person.objects.get(pk=registrant.pk)  # not deleted as a rejection would
    assert person.verified is False


def test_only_the_branchs_admin_verifies(client, tree, registrant):
    client.force_login(tree.general_admin)  # the direct superior: not this page's actor
    assert verify(client, registrant, "approve").status_code == 404
    assert Person.objects.get(pk=registrant.pk).verified is False
