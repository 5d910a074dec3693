"""组织信息 with the secretary's numbers masked (issue 13, item 2; SPEC O1, O4, P9).

The page never puts the secretary's full ID number or mobile into the form: the fields start empty with the
masked values as hints, an empty ID number keeps the secretary on record, and a new secretary is entered with
name and ID number as before. Only the own admin reveals the numbers (audited; see
audit/tests/test_personal_data_trail.py).
"""

import pytest
from django.urls import reverse

from conftest import make_id_number
from orgs.models import Org
from people.models import Person


@pytest.fixture
def with_secretary(tree):
    Org.objects.filter(pk=tree.branch.pk).update(secretary=tree.member)
    return tree


def post_info(client, org, **fields):
    data = {"phone": "025-86862000", "email": "", "secretary_name": "", "secretary_id_number": "",
            "secretary_mobile": "", **fields}  # fmt: skip
    return client.post(reverse("orgs:info", args=[org.pk]), data)


@pytest.mark.parametrize("viewer", ["branch_admin", "general_admin"])
def test_the_form_carries_the_masked_numbers_only(with_secretary, client, viewer):
    t = with_secretary
    client.force_login(getattr(t, viewer))
    page = client.get(reverse("orgs:info", args=[t.branch.pk])).content.decode()
    assert t.member.id_number not in page and t.member.mobile not in page
    assert f'placeholder="{t.member.id_number_masked}"' in page
    assert 'value="普通团员"' in page  # the name is shown as before
    reveal = f'hx-post="{reverse("orgs:info_reveal", args=[t.branch.pk])}"'
    assert (reveal in page) is (viewer == "branch_admin")  # 显示 for the own admin only


def test_saving_with_the_id_number_left_empty_keeps_the_secretary(with_secretary, client):
    t = with_secretary
    client.force_login(t.branch_admin)
    response = post_info(client, t.branch, secretary_name=t.member.name)
    assert response.status_code == 302
    org = Org.objects.get(pk=t.branch.pk)
    assert org.secretary_id == t.member.pk and org.phone == "025-86862000"


def test_a_new_name_without_an_id_number_is_refused(with_secretary, client):
    t = with_secretary
    client.force_login(t.branch_admin)
    response = post_info(client, t.branch, secretary_name="新书记")
    assert response.status_code == 200
    assert "更换书记请填写新书记的身份证号码。" in response.content.decode()
    assert Org.objects.get(pk=t.branch.pk).secretary_id == t.member.pk


def test_a_new_secretary_is_entered_with_name_and_id_number(with_secretary, client):
    t = with_secretary
    client.force_login(t.branch_admin)
    id_number = make_id_number("19990101")
    response = post_info(client, t.branch, secretary_name="新书记", secretary_id_number=id_number,
                         secretary_mobile="13700001111")  # fmt: skip
    assert response.status_code == 302
    new = Person.objects.by_id_number(id_number).get()
    assert Org.objects.get(pk=t.branch.pk).secretary_id == new.pk
