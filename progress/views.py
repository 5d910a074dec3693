"""进度监督 pages (SPEC S5, S7): 组织录入进度, 团干部录入进度, 团员录入进度, the extra lists, the export."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from core.replicas import replica_view
from exports.views import respond
from orgs import access
from orgs.selectors import fetch_acting_org, visible_ancestors

from . import exports, selectors

KINDS = {"orgs": "组织录入进度", "cadres": "团干部录入进度", "members": "团员录入进度"}
PAGE_SIZE = 50


@login_required
def start(request, kind: str = "orgs"):
    """Menu entry: the table for the acting organisation."""
    if kind not in KINDS:
        raise Http404
    return redirect("progress:table", pk=fetch_acting_org(request).id, kind=kind)


def _table_of(request, pk: int, kind: str):
    """The organisation, sort column and direction of a progress table: its page and its export alike."""
    if kind not in KINDS:
        raise Http404
    org = access.fetch_org(request.user, pk)
    sort = request.GET.get("sort", "")
    return org, (sort if sort in selectors.SORTS else ""), request.GET.get("dir") == "desc"


@login_required
@replica_view
def table(request, pk: int, kind: str):
    org, sort, descending = _table_of(request, pk, kind)
    data = selectors.progress_table(org=org, sort=sort, descending=descending)
    ancestors = visible_ancestors(request.user, org)
    return render(request, "progress/table.html", {
        **data, "kind": kind, "title": KINDS[kind], "kinds": KINDS, "ancestors": ancestors,
        "sort": sort, "descending": descending,
    })  # fmt: skip


@login_required
@replica_view
def export(request, pk: int, kind: str):
    org, sort, descending = _table_of(request, pk, kind)
    return respond(exports.progress_export(actor=request.user, org=org, sort=sort, descending=descending))


@login_required
@replica_view
def extra_list(request, pk: int, name: str):
    if name not in selectors.LISTS:
        raise Http404
    org = access.fetch_org(request.user, pk)
    title, selector = selectors.LISTS[name]
    page = Paginator(selector(org=org), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "progress/list.html", {
        "org": org, "name": name, "title": title, "page": page, "lists": selectors.LISTS,
    })  # fmt: skip
