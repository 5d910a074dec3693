"""A graduating class over the test tree (conftest.tree): the 团总支's 3班 (with its admin) and a 4班 of three
members without an admin post, entered by the 团总支; helpers to mark, switch and fill the 毕业转出 sheet."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_person_plain
from graduates import services
from orgs import services as org_services
from orgs.models import Org
from orgs.rules import Category
from people import services as people_services
from people.admins import org_admin_add


@pytest.fixture
def grad_tree(tree):
    t = tree
    t.year = timezone.localdate().year
    t.class4 = org_services.org_create_child(
        parent=t.general, short_name="五年制临床医学2017级4班团支部", category=Category.BRANCH, actor=t.general_admin
    )
    t.grads = [make_person_plain(f"四班毕业生{i}", f"2000010{i + 1}", branch=t.class4) for i in range(3)]
    t.other_uni = org_services.org_create_child(
        parent=t.province, short_name="南京大学团委", category=Category.PRIMARY, actor=t.province_admin
    )
    t.destination = org_services.org_create_child(
        parent=t.other_uni, short_name="研究生2022级1班团支部", category=Category.BRANCH, by_operator=True
    )
    t.receiver = make_person_plain("南大团委管理员", "19900808")
    people_services.cadre_assign(person=t.receiver, org=t.other_uni, position="书记")
    org_admin_add(org=t.other_uni, person=t.receiver)
    return t


def switched(t, org, year=None):
    """Mark `org` for this year and run the switch on its day: it becomes a 毕业生团组织."""
    year = year or t.year
    services.mark_set(org=org, actor=t.general_admin, expected=f"{year}-06")
    services.switch_due(today=dt.date(year, 12, 31))
    return Org.objects.get(pk=org.pk)


def sheet_rows(people, destination="", reason="升学"):
    return [
        {
            "name": p.name,
            "id_number": p.id_number_masked,
            "destination": destination,
            "reason": reason if destination else "",
        }
        for p in people
    ]
