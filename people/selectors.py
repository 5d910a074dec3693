"""Reading people lists. Selectors own select_related and filters; callers paginate."""

from django.db.models import QuerySet

from orgs.models import Org

from .models import Person


def member_list(branch: Org, *, complete: bool | None = None, verified: bool | None = None) -> QuerySet[Person]:
    """团员列表 of one branch (S7): members with their posts in that branch."""
    qs = Person.objects.filter(branch=branch).order_by("-complete", "name", "id")
    if complete is not None:
        qs = qs.filter(complete=complete)
    if verified is not None:
        qs = qs.filter(verified=verified)
    return qs


def member_positions(branch: Org, people: list[Person]) -> dict[int, str]:
    """{person_id: 团内职务} of the given members in their branch; one query."""
    from .models import Cadre

    return dict(Cadre.objects.filter(org=branch, person__in=people).values_list("person_id", "position"))


def subtree_members(org: Org) -> QuerySet[Person]:
    """Every member of every branch in the organisation's subtree; one indexed range on the branch path."""
    return Person.objects.filter(Org.subtree_q(org.path, prefix="branch__")).select_related("branch")
