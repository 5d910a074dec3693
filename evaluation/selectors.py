"""Reads of 两制 for the pages, the API and the exports: the rounds, and the supervision table (EV8/RG4)."""

from dataclasses import dataclass

from django.utils import timezone

from orgs.models import Org

from . import aggregates
from .models import FIGURES
from .rules import rounds_covering


@dataclass
class SupervisionRow:
    org_id: int
    short_name: str
    has_children: bool
    branches: int  # 团支部 in the subtree (the progress aggregates)
    figures: dict

    def __getattr__(self, name):
        if name in FIGURES:
            return self.figures[name]
        raise AttributeError(name)

    @property
    def excellent_share(self) -> str:
        """The 优秀 share of the approved participants (EV3 caps each branch at 30 %)."""
        n = self.figures["participants"]
        return f"{self.figures['excellent'] * 100 / n:.1f}%" if n else "—"

    @property
    def done_share(self) -> str:
        return f"{self.figures['approved'] * 100 / self.branches:.1f}%" if self.branches else "—"

    def as_api(self) -> dict:
        return {"org_id": self.org_id, "short_name": self.short_name, "branches": self.branches, **self.figures}


def _branches(org: Org) -> int:
    stats = getattr(org, "stats", None)
    return stats.branches if stats else 0


def supervision(*, org: Org, year: int) -> dict:
    """One row per direct subordinate with its subtree's totals, and the organisation's own total (3 queries)."""
    org = Org.objects.select_related("stats").get(pk=org.pk)
    total, rows = aggregates.stats_rows(org, year)
    return {
        "as_of": timezone.now(), "org": org, "year": year,
        "total": SupervisionRow(org.pk, org.short_name, True, _branches(org), total),
        "rows": [SupervisionRow(c.pk, c.short_name, bool(c.numchild), _branches(c), f) for c, f in rows],
    }  # fmt: skip


def open_round_card(org: Org):
    """管理中心 during an open round (issue 16 item 5): the round and the organisation's figures, or None."""
    today = timezone.localdate()
    rnd = rounds_covering(org).filter(starts_on__lte=today, ends_on__gte=today).order_by("org__path").first()
    if rnd is None:
        return None
    table = supervision(org=org, year=rnd.year)
    return {"round": rnd, "total": table["total"]}
