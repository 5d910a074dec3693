"""录入团员团干部 and 录入下级支部成员 (SPEC P5, P6): the page that shows the member import card.

The template, preview, confirmation and result are the import framework's pages (imports.views, kind
member_import); files above settings.IMPORT_BACKGROUND_ROWS rows run in the background with a progress bar.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from core import picker
from imports import importer
from imports.views import card_context, target
from orgs import access as org_access
from orgs import pick
from orgs.models import Org
from orgs.rules import BRANCHES


def page(request, branch: Org, **context):
    imp = importer.get("member_import")
    as_superior = not org_access.is_admin_of(request.user, branch)
    context = card_context(request, imp, branch, as_superior=as_superior, **context)
    return render(request, "people/member_import.html", context)


@login_required
def member_import_page(request, pk: int):
    return page(request, target(request, importer.get("member_import"), pk))


@login_required
def subordinate_branches(request, pk: int):
    """录入下级支部成员: pick one of the organisation's direct subordinate branches."""
    org = org_access.fetch_org(request.user, pk)
    if not org_access.can_manage(request.user, org):
        raise PermissionDenied("只有本组织管理员可以录入下级支部成员。")

    def search(q):
        return pick.pickable_orgs(request.user, within=org, query=q, kinds=BRANCHES, children_only=True)

    chosen = search("").filter(pk=_int(request.GET.get("branch_id"))).first()
    if chosen is not None:
        return redirect("people:member_import", pk=chosen.pk)
    p = picker.Picker(
        field="branch_id", label="直属团支部", url=reverse("orgs:pick", args=[org.pk]) + "?kind=branches&children=1",
        autosubmit=True, placeholder="输入团支部简称或全称中的几个字搜索",
    )  # fmt: skip
    picker.build(p, search=search, to_choice=pick.org_choice)
    return render(request, "people/member_import_pick.html", {"org": org, "has_branches": search("").exists(), "p": p})


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
