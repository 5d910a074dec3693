"""The organisation picker's search endpoint (core.picker): organisations within one the caller may see."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.urls import reverse

from core import picker
from orgs import access, pick


@login_required
def org_pick(request, pk: int):
    """htmx fragment: a page of organisations under `pk` whose 简称 or 全称 contains q.
    kind=branch (团支部) / branches (also 待接转团支部); children=1 for direct subordinates only."""
    within = access.fetch_org(request.user, pk, access.VIEW)
    kind = request.GET.get("kind", "")
    children = request.GET.get("children") == "1"
    exclude = _int(request.GET.get("exclude"))
    params = {"kind": kind if kind in pick.KINDS else "", "children": "1" if children else "", "exclude": exclude or ""}
    params = {k: v for k, v in params.items() if v}
    url = reverse("orgs:pick", args=[within.pk]) + ("?" + urlencode(params) if params else "")

    def search(q):
        found = pick.pickable_orgs(request.user, within=within, query=q, kinds=pick.KINDS.get(kind),
                                   children_only=children)  # fmt: skip
        return found.exclude(pk=exclude) if exclude else found

    return picker.results(request, url=url, search=search, to_choice=pick.org_choice)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
