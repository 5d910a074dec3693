"""The progress lists, the API and the exports cost the same number of queries for a few rows as for many
(STYLE: every list page gets an assertNumQueries test; the table page's own test is in test_pages.py)."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from conftest import get_ok
from orgs import codes
from orgs.models import Org, RegistrationCode
from orgs.rules import Category
from orgs.services import org_create_child


@pytest.fixture
def lagging(stats_tree, committed, make_person):
    """`t.grow(n)` adds n branches under the 团总支 that land on every list: hollow, no admin, a secretary who
    has not registered, a code about to expire."""
    t = stats_tree

    serial = itertools.count()

    def grow(count: int):
        with committed():
            for _ in range(count):
                branch = org_create_child(parent=t.general, short_name=f"临床医学2017级{20 + next(serial)}班团支部",
                                          category=Category.BRANCH, actor=t.general_admin)  # fmt: skip
                secretary = make_person(f"未注册书记{branch.id}", password=None, branch=branch)
                Org.objects.filter(pk=branch.pk).update(secretary=secretary)
                codes.registration_code_issue(org=branch, actor=t.general_admin)
        RegistrationCode.objects.filter(used_at=None).update(expires_at=timezone.now() + dt.timedelta(days=1))

    grow(1)
    t.grow = grow
    return t


@pytest.mark.parametrize("name", ["hollow", "no-secretary", "no-admin", "expiring-codes"])
def test_the_extra_lists(lagging, client, assert_flat_queries, name):
    client.force_login(lagging.general_admin)
    url = f"/progress/orgs/{lagging.general.id}/lists/{name}/"
    # the layout's (session, user, admin posts, menu's to-do counts), then the organisation, count and rows
    _, after = assert_flat_queries(get_ok(client, url), lambda: lagging.grow(12), ceiling=10)
    assert "临床医学2017级" in after.content.decode()


def test_the_api(lagging, api_login, assert_flat_queries):
    api = api_login(lagging.general_admin)
    before, after = assert_flat_queries(
        get_ok(api, f"/api/v1/orgs/{lagging.general.id}/progress?sort=members&desc=true"),
        lambda: lagging.grow(12),
        ceiling=5,
    )
    assert len(after.json()["rows"]) == len(before.json()["rows"]) + 12


@pytest.mark.parametrize(
    ("url", "ceiling"), [("/progress/orgs/{id}/members.xlsx", 6), ("/api/v1/orgs/{id}/progress.xlsx", 5)]
)
def test_the_exports(lagging, client, api_login, assert_flat_queries, url, ceiling):
    if url.startswith("/api/"):
        http = api_login(lagging.general_admin)
    else:
        http = client
        client.force_login(lagging.general_admin)
    before, after = assert_flat_queries(
        get_ok(http, url.format(id=lagging.general.id)), lambda: lagging.grow(12), ceiling=ceiling
    )
    assert len(after.content) > len(before.content)
