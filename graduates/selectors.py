"""Reads of 毕业生: the graduation-season page (GR5), the clean-up list (GR6) and the marks of a committee's branches.

Graduating members of `year`: the members of the branches marked to graduate that year (still 团支部 or already
毕业生团组织) but those flagged 延迟毕业 or 教师, and the members flagged 本届毕业生 in a 混合支部. Their season's
transfers are the 组织关系转接 requests out of those branches created in that year. Counts are grouped by the
direct subordinate whose subtree holds them (a prefix of the materialised path), in a few queries whatever the
size of the subtree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr

from orgs.models import Org
from orgs.rules import Category
from people.models import Person
from transfers.models import OPEN, Status, TransferRequest

from . import rules, services
from .models import Flag, GraduationMark, GraduationSwitch, NoDateReason

MARKED = (Category.BRANCH, Category.GRADUATED)
RETURNED = (Status.RETURNED, Status.REJECTED)


def _graduating_q(year: int, prefix: str = "") -> Q:
    """Who graduates in `year`, on Person (prefix "") or on a model pointing to one (prefix "person__")."""
    dated = Q(**{f"{prefix}branch__graduation__expected_year": year}) & ~Q(
        **{f"{prefix}graduate_flag__flag__in": rules.STAYING}
    )
    mixed = Q(
        **{
            f"{prefix}branch__graduation__no_date_reason": NoDateReason.MIXED,
            f"{prefix}graduate_flag__flag": Flag.THIS_YEAR,
        }
    )
    return dated | mixed


def graduating_members(org: Org, year: int) -> QuerySet[Person]:
    """The subtree's graduating members still in their branch, branch by branch."""
    return (
        Person.objects.filter(Org.subtree_q(org.path, "branch__"), _graduating_q(year))
        .select_related("branch")
        .order_by("branch__path", "name", "pk")
    )


def season_transfers(org: Org, year: int) -> QuerySet[TransferRequest]:
    """The season's transfers out of the subtree's graduating branches (a mixed branch's: its 本届毕业生 only)."""
    dated = Q(from_branch__graduation__expected_year=year) & ~Q(person__graduate_flag__flag__in=rules.STAYING)
    mixed = Q(from_branch__graduation__no_date_reason=NoDateReason.MIXED, person__graduate_flag__flag=Flag.THIS_YEAR)
    return TransferRequest.objects.filter(Org.subtree_q(org.path, "from_branch__"), dated | mixed,
                                          created_at__year=year).exclude(status__in=(Status.WITHDRAWN, Status.TERMINATED))  # fmt: skip


@dataclass
class SeasonRow:
    org_id: int
    short_name: str
    graduating: int = 0
    initiated: int = 0
    approved: int = 0
    pending: int = 0
    returned: int = 0

    def as_api(self) -> dict:
        return {"org_id": self.org_id, "short_name": self.short_name, "graduating": self.graduating,
                "initiated": self.initiated, "approved": self.approved, "pending": self.pending,
                "returned": self.returned}  # fmt: skip

    def add(self, other: SeasonRow) -> None:
        for key in ("graduating", "initiated", "approved", "pending", "returned"):
            setattr(self, key, getattr(self, key) + getattr(other, key))


def season(*, org: Org, year: int) -> dict:
    """GR5: per direct subordinate, graduating members (those still in their branch and those transferred out),
    transfers initiated (people with one), approved, pending and returned; and the members not yet initiated."""
    rules.check_year(year)
    width = org.depth * Org.steplen + Org.steplen
    rows = {
        c.path: SeasonRow(c.pk, c.short_name) for c in Org.objects.filter(parent=org).order_by("sort_order", "path")
    }
    own = SeasonRow(org.pk, org.short_name)
    staying = (
        graduating_members(org, year)
        .annotate(prefix=Substr("branch__path", 1, width))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in staying:
        rows.get(r["prefix"], own).graduating += r["n"]
    counts = (
        season_transfers(org, year)
        .annotate(prefix=Substr("from_branch__path", 1, width))
        .values("prefix")
        .annotate(
            initiated=Count("person", distinct=True),
            approved=Count("id", filter=Q(status=Status.DONE)),
            pending=Count("id", filter=Q(status__in=OPEN)),
            returned=Count("id", filter=Q(status__in=RETURNED)),
        )
        .order_by()
    )
    for r in counts:
        row = rows.get(r["prefix"], own)
        row.initiated += r["initiated"]
        row.approved += r["approved"]
        row.pending += r["pending"]
        row.returned += r["returned"]
        row.graduating += r["approved"]  # those who left count among the year's graduates
    total = SeasonRow(org.pk, org.short_name)
    total.add(own)
    for row in rows.values():
        total.add(row)
    return {"org": org, "year": year, "rows": list(rows.values()), "total": total}


def not_initiated(*, org: Org, year: int) -> QuerySet[Person]:
    """GR5: graduating members still in their branch with no open transfer, by branch."""
    rules.check_year(year)
    return graduating_members(org, year).exclude(transfers__status__in=OPEN)


@dataclass
class CleanupItem:
    org: Org
    members: int
    offered: bool


def cleanup(*, org: Org, today: dt.date) -> list[CleanupItem]:
    """GR6: the subtree's 毕业生团组织 with their members: the empty ones after the season are offered for deletion."""
    switched = GraduationSwitch.objects.filter(org=OuterRef("pk")).order_by("-year").values("year")[:1]
    graduated = (
        Org.objects.filter(Org.subtree_q(org.path), category=Category.GRADUATED)
        .annotate(n=Count("members"), year=Subquery(switched))
        .select_related("parent")
        .order_by("path")
    )
    return [CleanupItem(o, o.n, services.offered(o.n, o.year, today=today)) for o in graduated]


def marks(*, org: Org) -> QuerySet[Org]:
    """The subtree's 团支部 and 毕业生团组织 with their marks (GR1's list on the committee's page)."""
    return (
        Org.objects.filter(Org.subtree_q(org.path), category__in=MARKED)
        .select_related("graduation", "parent")
        .order_by("path")
    )


def marked_years(org: Org) -> list[int]:
    years = GraduationMark.objects.filter(Org.subtree_q(org.path, "org__"), expected_year__isnull=False)
    return sorted(set(years.values_list("expected_year", flat=True)))


def branch_members(branch: Org) -> QuerySet[Person]:
    """GR3/GR4: the branch's members with their flag and whether a transfer of theirs is open."""
    return (
        Person.objects.filter(branch=branch)
        .select_related("graduate_flag")
        .annotate(open_transfers=Count("transfers", filter=Q(transfers__status__in=OPEN)))
        .order_by("name", "pk")
    )
