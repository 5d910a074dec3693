"""录入团员团干部 and 录入下级支部成员 (SPEC P5, P6): the page that shows the member import card.

The template, preview, confirmation and result are the import framework's pages (imports.views, kind
member_import); files above settings.IMPORT_BACKGROUND_ROWS rows run in the background with a progress bar.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from imports import importer
from imports.views import card_context, target
from orgs import access as org_access
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
    branches = list(Org.objects.filter(parent=org, category__in=BRANCHES).order_by("sort_order", "pk"))
    return render(request, "people/member_import_pick.html", {"org": org, "branches": branches})
