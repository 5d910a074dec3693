from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from evaluation import selectors as evaluation_selectors
from orgchanges import admin_changes, migration
from orgs import access, selectors
from people.post_offers import offers_to_confirm
from people.selectors import unverified_members_todo
from progress.models import OrgStats
from transfers.selectors import transfers_todo
from workflow.context_processors import menu_counts


@login_required
def home(request):
    """管理中心: the acting organisation's summary; members without admin posts go to 个人中心."""
    org = selectors.current_admin_org(request)
    if org is None:
        return redirect("people:me")
    children = [] if org.is_branch else list(selectors.org_children(org)[:200])  # a branch's page lists none
    # Subtree totals come from the progress aggregates (one row), never from a scan of the subtree.
    totals = OrgStats.objects.filter(org=org).values("orgs", "members").first() or {"orgs": 0, "members": 0}
    stats = {"children": org.numchild, "subtree_orgs": totals["orgs"], "members": totals["members"]}
    # Pending admin changes and members to verify are what the menu counts (once a request): none counted,
    # none to read.
    counts = menu_counts(request)
    todo = list(admin_changes.admin_changes_todo(request.user)[:50]) if counts.get("admin_changes") else []
    unverified = list(unverified_members_todo(request.user)[:50]) if counts.get("verifications") else []
    migration_todo = list(migration.migrations_todo(request.user)[:50])
    transfer_todo = list(transfers_todo(request.user)[:50])
    offer_todo = list(offers_to_confirm(request.user)[:50])
    return render(request, "orgs/home.html", {
        "org": org, "children": children, "stats": stats, "todo": todo, "unverified": unverified,
        "migration_todo": migration_todo, "two_systems": evaluation_selectors.open_round_card(org),
        "transfer_todo": transfer_todo, "offer_todo": offer_todo,
    })  # fmt: skip


@login_required
@require_POST
def switch_org(request):
    try:
        org_id = int(request.POST.get("org_id", ""))
    except ValueError:
        raise Http404 from None
    if org_id not in access.admin_org_ids(request.user):
        raise Http404
    request.session["acting_org_id"] = org_id
    return redirect("orgs:home")


@login_required
def tree(request, pk: int | None = None):
    """组织树: an organisation, its ancestors for the breadcrumb, and its children (lazy below)."""
    if pk is None:
        org = selectors.current_admin_org(request)
        if org is None:
            raise Http404("您不是任何团组织的管理员。")
    else:
        org = access.fetch_org(request.user, pk)
    context = {
        "org": org,
        "ancestors": [a for a in selectors.org_ancestors(org) if access.can_view(request.user, a)],
        "children": selectors.org_children(org)[:500],
    }
    return render(request, "orgs/tree.html", context)


@login_required
def tree_children(request, pk: int):
    """htmx fragment: the children of one node, loaded when the admin expands it."""
    org = access.fetch_org(request.user, pk)
    return render(
        request, "orgs/partials/tree_nodes.html", {"children": selectors.org_children(org)[:500], "parent": org}
    )


@login_required
def org_detail(request, pk: int):
    org = access.fetch_org(request.user, pk)
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "admins": selectors.org_admin_people(org),
            "can_manage": access.can_manage(request.user, org),
            "ancestors": selectors.org_ancestors(org),
        },
    )


def root_redirect(request):
    return redirect("orgs:home" if request.user.is_authenticated else "accounts:login")
