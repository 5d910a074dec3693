from django import template

from orgs.models import Org
from orgs.rules import BRANCHES

register = template.Library()


@register.filter
def has_direct_branches(org) -> bool:
    """录入下级支部成员 exists only for an organisation with a direct subordinate branch (P5-1)."""
    if org is None or org.is_branch:
        return False
    return Org.objects.filter(parent=org, category__in=BRANCHES).exists()
