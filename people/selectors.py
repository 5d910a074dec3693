"""Reading people lists. Selectors own select_related and filters; callers paginate."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from orgs import access as org_access
from orgs.models import Org

from .choices import ALL_POSITIONS
from .models import Cadre, Person


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

    return dict(Cadre.objects.filter(org=branch, person__in=people).values_list("person_id", "position"))


def subtree_members(org: Org) -> QuerySet[Person]:
    """Every member of every branch in the organisation's subtree; one indexed range on the branch path."""
    return Person.objects.filter(Org.subtree_q(org.path, prefix="branch__")).select_related("branch")


@dataclass(frozen=True)
class MemberAggregates:
    """What the progress aggregates (kept current within seconds) say about a subtree's members, faster than
    counting them. progress sits above people in the app order, so it registers its readers here at start-up
    (progress/apps.py, `use_member_aggregates`) and this module never imports it; without them the list counts
    and offsets its rows itself, with the same answers.

    figures(org): {"members", "members_complete"} of the org's subtree, or None where no aggregate row exists.
    branch_holding(org, offset, complete): (path of the branch holding row `offset` of the subtree's list,
    rows in the branches before it), or None past the end."""

    figures: Callable[[Org], dict | None]
    branch_holding: Callable[[Org, int, bool | None], tuple[str, int] | None]


_member_aggregates: MemberAggregates | None = None


def use_member_aggregates(aggregates: MemberAggregates) -> None:
    """Called once by progress at start-up (see MemberAggregates)."""
    global _member_aggregates
    _member_aggregates = aggregates


def subtree_member_list(org: Org, *, complete: bool | None = None) -> "SubtreeMembers":
    """团员列表 of a committee: its whole subtree's members, branch by branch in tree order, then by name.

    Sliced like a queryset (by Paginator, by the API); see SubtreeMembers for why it is not one."""
    return SubtreeMembers(org, complete)


class SubtreeMembers:
    """The ordered members of a subtree, sliceable without OFFSET scanning every row before the slice.

    A university holds hundreds of thousands of members and a province millions: OFFSET 150,000
    reads and sorts 150,000 rows. Past the first pages, the progress aggregates (each branch's own
    member figures, current within seconds) say in which branch the slice starts and how many
    members lie before it, so the query starts at that branch and skips only inside it.
    """

    SKIP_FROM = 2_000  # below this offset a plain OFFSET is cheaper than the look-up

    def __init__(self, org: Org, complete: bool | None):
        self.org, self.complete = org, complete
        self._counts: dict[str, int] | None = None

    def counts(self) -> dict[str, int]:
        """{total, complete, incomplete} of the subtree, read from the progress aggregates (kept current
        within seconds) instead of counting a province's millions of rows; counted in one query where
        the aggregates are not there. Read once per list."""
        if self._counts is None:
            stats = _member_aggregates.figures(self.org) if _member_aggregates else None
            if stats is None:
                stats = subtree_members(self.org).aggregate(
                    members=Count("id"), members_complete=Count("id", filter=Q(complete=True))
                )
            total, done = stats["members"], stats["members_complete"]
            self._counts = {"total": total, "complete": done, "incomplete": total - done}
        return self._counts

    def count(self) -> int:
        """The rows of this list (Paginator asks): the figure of its `complete` filter."""
        return self.counts()[{None: "total", True: "complete", False: "incomplete"}[self.complete]]

    def queryset(self) -> QuerySet[Person]:
        qs = subtree_members(self.org).order_by("branch__path", "name", "id")
        return qs if self.complete is None else qs.filter(complete=self.complete)

    def __getitem__(self, key: slice) -> list[Person]:
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("SubtreeMembers supports plain slices only")
        start, stop = key.start or 0, key.stop
        if start < self.SKIP_FROM or _member_aggregates is None:
            return list(self.queryset()[start:stop])
        found = _member_aggregates.branch_holding(self.org, start, self.complete)
        if found is None:
            return []
        path, before = found
        qs = self.queryset().filter(branch__path__gte=path)
        return list(qs[start - before : None if stop is None else stop - before])


# 团干部列表 (S7): committees' own cadres, 书记 first, then 副书记 … in the order of the position lists.
POSITION_RANK = Case(
    *[When(position=p, then=Value(i)) for i, p in enumerate(ALL_POSITIONS)],
    default=Value(len(ALL_POSITIONS)),
    output_field=IntegerField(),
)


def cadre_list(org: Org, *, complete: bool | None = None) -> QuerySet[Cadre]:
    """团干部列表 of one organisation, by position then name; `complete` filters on S4 (S7). The caller pages it."""
    posts = Cadre.objects.filter(org=org).select_related("person")
    if complete is not None:
        posts = posts.filter(person__complete=complete)
    return posts.annotate(position_rank=POSITION_RANK).order_by("position_rank", "person__name", "id")


def member_counts(branch: Org) -> dict:
    """Totals for the list header: members, complete, waiting for verification; one query."""

    return Person.objects.filter(branch=branch).aggregate(
        total=Count("id"),
        complete=Count("id", filter=Q(complete=True)),
        unverified=Count("id", filter=Q(verified=False)),
    )


def unverified_members_todo(person) -> QuerySet[Person]:
    """Self-registered members (待认证) in branches the person administers: their to-do list."""

    return (
        Person.objects.filter(branch_id__in=org_access.admin_org_ids(person), verified=False)
        .select_related("branch")
        .order_by("created_at")
    )
