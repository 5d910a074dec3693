"""DJ7: the statistics equal a full recount (rule by rule, organisation by organisation) after random operations."""

import random

import pytest

from core.exceptions import DomainError
from orgs.models import Org
from orgs.rules import BranchKind
from people.models import Person
from rating import rules, selectors, services
from rating.models import Level, Rating
from rating.selectors import LEVEL_KEYS

from .conftest import add_branch, self_rate

pytestmark = pytest.mark.django_db


def recount(org: Org, year: int) -> dict:
    """Per direct subordinate: each organisation of its subtree judged alone by rules.eligibility."""
    out = {}
    for child in Org.objects.filter(parent=org):
        counts = dict.fromkeys(["eligible", "self_rated", "reviewed", *LEVEL_KEYS.values()], 0)
        for o in child.subtree():
            if rules.eligibility(o, year):
                continue
            counts["eligible"] += 1
            r = Rating.objects.filter(org=o, year=year).first()
            if r is None:
                continue
            counts["self_rated"] += 1
            if r.status == Rating.Status.REVIEWED:
                counts["reviewed"] += 1
                counts[LEVEL_KEYS[r.reviewed_level]] += 1
        out[child.pk] = counts
    return out


def test_dj7_statistics_equal_a_recount_after_random_operations(rating_tree):
    t = rating_tree
    rng = random.Random(17)
    branches = [t.branch]
    for i in range(5):
        branches.append(add_branch(t, rng.choice([t.general, t.college]), f"随机{i}班团支部"))
    admins = {t.branch.pk: t.branch_admin, **{b.pk: b.admin for b in branches[1:]}}
    for _ in range(40):
        b = Org.objects.get(pk=rng.choice(branches).pk)
        op = rng.random()
        try:
            if op < 0.4:
                self_rate(b, admins[b.pk], t.year, rng.choice([Level.FOUR, Level.THREE, Level.TWO]))
            elif op < 0.7:
                reviewer = {t.general.pk: t.general_admin, t.college.pk: t.college_admin}[b.parent_id]
                services.review(org=b, actor=reviewer, year=t.year, level=rng.choice(Level.values[1:]), reason="复核")
            elif op < 0.8:
                Org.objects.filter(pk=b.pk).update(branch_kind=rng.choice(["", BranchKind.TEMPORARY]))
            elif op < 0.9:
                Person.objects.filter(branch=b).update(political_status=rng.choice(["中共党员", "团员"]))
            else:
                Org.objects.filter(pk=b.pk).update(
                    founded_on=rng.choice([None, rules.months_before(t.round.starts_on, 3)])
                )
        except DomainError:
            pass
        table = selectors.stats(org=t.college, year=t.year)
        got = {
            r.org_id: {k: v for k, v in r.as_api().items() if k not in ("org_id", "short_name")} for r in table["rows"]
        }
        assert got == recount(t.college, t.year)
    assert Rating.objects.exists()
