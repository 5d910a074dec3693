"""The people picker's search endpoint (core.picker): a branch's members, masked ID numbers."""

from django.contrib.auth.decorators import login_required
from django.urls import reverse

from core import picker
from orgs import access as org_access
from people import pick


@login_required
def member_pick(request, pk: int):
    """htmx fragment: a page of the branch's members whose name contains q, for an admin who may see it."""
    branch = org_access.fetch_org(request.user, pk, org_access.VIEW, branch=True)
    return picker.results(
        request, url=reverse("people:member_pick", args=[branch.pk]), per_page=50,
        search=lambda q: pick.pickable_members(request.user, branch, q), to_choice=pick.member_choice,
        empty="该团支部没有团员。",
    )  # fmt: skip
