"""团籍状态 lists (SPEC-2 ST2, ST3): the 应离团 list and the 离团团员 list of an organisation's subtree.

Both are one indexed query each (a range on the branch's, or the left branch's, path); callers paginate.
"The 应离团 list, computed daily" is this query over today's date: it is always current, with nothing stored.
"""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from orgs import access
from orgs.models import Org
from orgs.rules import Category
from people.choices import LeagueStatus
from people.models import Cadre, Person

from .models import StatusChange

OVERAGE_AGE = 28


def overage_cutoff(today: dt.date) -> dt.date:
    """The latest birth date of someone aged OVERAGE_AGE or more on `today` (born 29 February: 1 March)."""
    try:
        return today.replace(year=today.year - OVERAGE_AGE)
    except ValueError:  # today is 29 February, OVERAGE_AGE years ago was not a leap year
        return dt.date(today.year - OVERAGE_AGE, 2, 28)


def overage_members(org: Org, *, today: dt.date | None = None) -> QuerySet[Person]:
    """ST2: members in `org`'s subtree aged 28 or more (birth date from the ID number), status 正常, holding no
    cadre post in any organisation (a branch post included, API.md)."""
    cutoff = overage_cutoff(today or timezone.localdate())
    return (
        Person.objects.filter(Org.subtree_q(org.path, prefix="branch__"))
        .filter(league_status=LeagueStatus.NORMAL, birth_date__lte=cutoff)
        .exclude(Exists(Cadre.objects.filter(person=OuterRef("pk"))))
        .select_related("branch")
        .order_by("branch__path", "birth_date", "id")
    )


def left_members(org: Org) -> QuerySet[Person]:
    """ST3: the 离团团员 of `org`'s subtree, by the branch they left."""
    return (
        Person.objects.filter(Org.subtree_q(org.path, prefix="left_org__"))
        .exclude(league_status=LeagueStatus.NORMAL)
        .select_related("left_org")
        .order_by("left_org__path", "name", "id")
    )


def changes_of(person: Person) -> QuerySet[StatusChange]:
    return StatusChange.objects.filter(person=person).select_related("process", "requested_by").order_by("-pk")


def restore_branches(actor) -> QuerySet[Org]:
    """The 团支部 a restore may place a member in: the actor's own, or those directly below the actor's (ST3)."""
    ids = sorted(access.admin_org_ids(actor))
    return Org.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids), category=Category.BRANCH).order_by("path")
