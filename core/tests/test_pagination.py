"""Paginators for big lists: counts that stop at a cap; links that keep the filters."""

import pytest
from django.core.paginator import Paginator
from django.template import RequestContext, Template
from django.test import RequestFactory

from core.pagination import CappedCountPaginator
from orgs.models import Org


@pytest.mark.django_db
def test_a_capped_count_stops_at_the_cap_and_says_so(tree, django_assert_num_queries):
    orgs = Org.objects.order_by("path")
    n = orgs.count()
    assert n > 5
    exact = CappedCountPaginator(orgs, 2, cap=20)
    assert exact.count == n and not exact.capped and exact.num_pages == (n + 1) // 2
    capped = CappedCountPaginator(orgs, 2, cap=4)
    with django_assert_num_queries(1):
        assert capped.count == 5 and capped.capped
    assert capped.num_pages == 3 and [o.pk for o in capped.page(3)] == [orgs[4].pk]


def test_page_links_keep_the_lists_filters():
    request = RequestFactory().get("/transfers/?direction=out&status=待转出方审批&page=2")
    page = Paginator(list(range(200)), 50).page(2)
    html = Template('{% include "partials/pagination.html" %}').render(RequestContext(request, {"page": page}))
    assert "direction=out" in html and "page=3" in html and "page=1" in html
    assert "status=%E5%BE%85" in html  # the status filter, URL-encoded
