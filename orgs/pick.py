"""Organisations a picker may offer (issue 14, item 4): within one organisation the actor may see.

One query: a range on the materialised path (the path index, orgs.models.Org.subtree_q) narrowed by
category and by part of the 简称 or 全称, in tree order, a page at a time (core.picker).
"""

from django.db.models import Q, QuerySet

from core.normalize import clean_text
from core.picker import Choice

from . import access
from .models import Org
from .rules import Category

BRANCH = (Category.BRANCH,)
BRANCHES = (Category.BRANCH, Category.PENDING)
KINDS = {"branch": BRANCH, "branches": BRANCHES}


def pickable_orgs(actor, *, within: Org, query: str = "", kinds=None, children_only: bool = False) -> QuerySet[Org]:
    """`within` and everything below it (or its direct subordinates only) of the given categories whose
    简称 or 全称 contains `query`; nothing unless the actor may see `within` (SPEC §8)."""
    if within is None or not access.can_view(actor, within):
        return Org.objects.none()
    qs = Org.objects.filter(parent=within) if children_only else Org.objects.filter(Org.subtree_q(within.path))
    if kinds:
        qs = qs.filter(category__in=kinds)
    query = clean_text(query)
    if query:
        qs = qs.filter(Q(short_name__contains=query) | Q(full_name__contains=query))
    return qs.only("id", "path", "short_name", "full_name", "category").order_by("path")


def org_choice(org: Org) -> Choice:
    return Choice(id=org.pk, label=org.short_name, detail=org.full_name, tag=org.category)
