"""A 对标定级 round over the test tree (conftest.tree): the 团总支 and its 团支部 old enough to be rated, the
团支部 with three members whose information is complete (no 空壳团支部), and helpers to grow it."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_person_plain
from orgs import services as org_services
from orgs.models import Org
from orgs.rules import Category
from people import services as people_services
from people.admins import org_admin_add
from progress.aggregates import stats_recount
from rating import services

OLD = dt.date(2020, 3, 1)
LEVEL_TEXT = "本年度组织生活规范，团员教育管理扎实，按期换届，作用发挥明显。"
KEY_PROJECT = "重点工作项目：" + "青年志愿服务进社区，" * 40  # 300–800 characters (DJ3)


class Places:
    """The tree's organisations and people, with the year's round opened by the 院团委."""


@pytest.fixture
def rating_tree(tree, make_person):
    t = tree
    Org.objects.filter(pk__in=[t.general.pk, t.branch.pk]).update(founded_on=OLD)
    make_person("第三名团员", birth="20000101", branch=t.branch)  # three complete members: not 空壳 (S3)
    stats_recount(fix=True)  # the progress figures behind the 空壳团支部 check (fixtures run no on-commit hook)
    today = timezone.localdate()
    t.year = today.year
    t.round = services.round_open(
        org=t.college, actor=t.college_admin, year=t.year, starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=20), locks_at=timezone.now() + dt.timedelta(days=60),
    )  # fmt: skip
    for o in ("general", "branch"):
        setattr(t, o, Org.objects.get(pk=getattr(t, o).pk))
    return t


def add_branch(t, parent, name, *, members=3, founded=OLD, actor=None, **person_fields):
    """A branch under `parent` with its admin among `members` complete members."""
    branch = org_services.org_create_child(
        parent=parent, short_name=name, category=Category.BRANCH, actor=actor or admin_of(t, parent)
    )
    people = [make_person_plain(f"{name[:4]}团员{i}", branch=branch, **person_fields) for i in range(members)]
    if people:
        people_services.cadre_assign(person=people[0], org=branch, position="书记")
        org_admin_add(org=branch, person=people[0])
    Org.objects.filter(pk=branch.pk).update(founded_on=founded)
    stats_recount(fix=True)
    branch = Org.objects.get(pk=branch.pk)
    branch.admin = people[0] if people else None
    return branch


def admin_of(t, org):
    return {t.college.pk: t.college_admin, t.general.pk: t.general_admin, t.uni.pk: t.uni_admin}[org.pk]


def self_rate(org, actor, year, level="三星", **overrides):
    data = {"level": level, "reason": LEVEL_TEXT, "founded_on": org.founded_on or OLD,
            "last_election_on": dt.date(2025, 5, 1), "party_applicants": 2,
            "key_project": KEY_PROJECT if level == "五星" else ""}  # fmt: skip
    data.update(overrides)
    return services.self_rate(org=org, actor=actor, year=year, **data)
