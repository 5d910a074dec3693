"""Read-only: what the progress pages, the API and the Excel export show (one selector each)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet, Sum, Window
from django.utils import timezone

from orgs.models import Org, RegistrationCode
from orgs.rules import Category
from people.models import AccountState

from . import standards
from .aggregates import stats_as_of
from .models import TOTALS, OrgStats

FIELDS = tuple(TOTALS)  # orgs, orgs_complete, cadre_orgs, … in API.md order
SORTS = ("short_name", *FIELDS, "orgs_pct", "cadre_orgs_pct", "branches_pct", "members_pct")
EXPIRING_DAYS = 3


def pct(done: int, total: int) -> float | None:
    return round(100 * done / total, 1) if total else None


@dataclass
class ProgressRow:
    org_id: int
    short_name: str
    category: str
    depth: int
    has_children: bool
    figures: dict = field(default_factory=dict)

    def __getattr__(self, name):
        figures = self.__dict__.get("figures", {})
        if name in figures:
            return figures[name]
        if name.endswith("_pct") and name[:-4] in figures:
            base = name[:-4]
            return pct(figures[f"{base}_complete"], figures[base])
        raise AttributeError(name)

    @property
    def is_branch(self) -> bool:
        return self.category in (Category.BRANCH, Category.PENDING)

    def as_api(self) -> dict:
        return {"org_id": self.org_id, "short_name": self.short_name, **{f: self.figures[f] for f in FIELDS}}


def _row(org: Org) -> ProgressRow:
    stats = getattr(org, "stats", None)
    figures = {f: getattr(stats, f) if stats else 0 for f in FIELDS}
    return ProgressRow(org.id, org.short_name, org.category, org.depth, bool(org.numchild), figures)


def progress_table(*, org: Org, sort: str = "", descending: bool = False) -> dict:
    """The organisation's own subtree totals and one row per direct subordinate (its subtree's totals).

    Two queries whatever the number of rows: the organisation and its children (each joined to its
    OrgStats row), and the as-of time. Sorted in 组织排序 order unless `sort` names a column.
    """
    pk = org.pk
    family = list(Org.objects.filter(Q(pk=pk) | Q(parent_id=pk)).select_related("stats").order_by("sort_order", "path"))
    org = next((o for o in family if o.pk == pk), None)
    if org is None:
        raise Org.DoesNotExist(f"Org {pk} does not exist.")
    rows = [_row(c) for c in family if c.pk != pk]
    if sort in SORTS:

        def key(r):
            value = getattr(r, sort)
            return (value is None, value if value is not None else 0)

        rows.sort(key=key, reverse=descending)
        if descending:  # keep the empty percentages last either way
            rows.sort(key=lambda r: getattr(r, sort) is None)
    return {"as_of": stats_as_of(), "org": org, "self": _row(org), "rows": rows}


# --- lists an admin asks for (each scoped to the subtree, paginated by the caller) ---------------


def _below(org: Org) -> Q:
    return Org.subtree_q(org.path) & ~Q(pk=org.pk)


def hollow_branches(*, org: Org) -> QuerySet[Org]:
    """空壳团支部: branches with fewer than 3 members or cadres whose information is complete (S3)."""
    return (
        Org.objects.filter(_below(org), category=Category.BRANCH)
        .filter(Q(stats__entered_count__lt=standards.ENTERED_REQUIRED) | Q(stats=None))
        .select_related("stats")
        .order_by("path")
    )


def orgs_without_registered_secretary(*, org: Org) -> QuerySet[Org]:
    """Organisations whose secretary is not named or has not registered (S1)."""
    return (
        Org.objects.filter(_below(org))
        .exclude(category=Category.PENDING)
        .filter(Q(secretary=None) | ~Q(secretary__account_state=AccountState.ACTIVE))
        .select_related("secretary")
        .order_by("path")
    )


def orgs_without_admin(*, org: Org) -> QuerySet[Org]:
    """Subordinate organisations (at any depth) where no admin has registered yet."""
    return Org.objects.filter(_below(org), admins=None).exclude(category=Category.PENDING).order_by("path")


def codes_expiring(*, org: Org, days: int = EXPIRING_DAYS, now: dt.datetime | None = None) -> QuerySet:
    """Unused registration codes in the subtree that expire within `days` (C1: valid 20 days)."""
    now = now or timezone.now()
    return (
        RegistrationCode.objects.filter(
            Org.subtree_q(org.path, prefix="org__"),
            used_at=None,
            replaced_at=None,
            expires_at__gt=now,
            expires_at__lte=now + dt.timedelta(days=days),
        )
        .select_related("org")
        .order_by("expires_at")
    )


LISTS = {
    "hollow": ("空壳团支部", hollow_branches),
    "no-secretary": ("书记未注册的组织", orgs_without_registered_secretary),
    "no-admin": ("未注册管理员的下级组织", orgs_without_admin),
    "expiring-codes": ("即将过期的注册码", codes_expiring),
}


def stats_rows_exist() -> bool:
    return OrgStats.objects.exists()


# The 下级团员 list of a committee (people.selectors.SubtreeMembers) reads these through
# people.selectors.use_member_aggregates, registered in apps.py: people sits below progress.


def subtree_member_figures(org: Org) -> dict | None:
    """{members, members_complete} of the org's subtree from its aggregate row; None where it has none."""
    return OrgStats.objects.filter(org=org).values("members", "members_complete").first()


def member_branch_holding(org: Org, offset: int, complete: bool | None) -> tuple[str, int] | None:
    """(path of the branch holding row `offset` of the subtree's member list, rows in the branches before it),
    from the branches' own member figures; one query. `complete` filters as the list does."""

    own = {
        None: F("own_members"),
        True: F("own_members_complete"),
        False: F("own_members") - F("own_members_complete"),
    }[complete]
    running = (
        OrgStats.objects.filter(Org.subtree_q(org.path, prefix="org__"), own_members__gt=0)
        .annotate(n=own, running=Window(Sum(own), order_by=F("org__path").asc()))
        .filter(running__gt=offset)
        .order_by("org__path")
        .values_list("org__path", "running", "n")
        .first()
    )
    if running is None:
        return None
    path, total, n = running
    return path, total - n
