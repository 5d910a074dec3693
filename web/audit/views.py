"""操作记录: the audit trail of the acting organisation and everything below it (issue 8, item 3)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from orgs import access as org_access
from orgs import trail

PAGE_SIZE = 50


@login_required
@require_GET
def org_events(request, pk: int):
    """Admins of the organisation or of a superior read it; 404 for anyone else (existence is private)."""
    org = org_access.fetch_org(request.user, pk)
    verb = request.GET.get("verb", "")
    page = Paginator(trail.org_events(org, verb=verb), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/events.html",
        {"org": org, "page": page, "verb": verb, "verbs": trail.org_verbs(org)},
    )
