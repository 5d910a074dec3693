"""EV8/RG4: the bulk recount (grouped queries over the whole year, what the province-sized recount needs) gives
exactly the figures the live refresh keeps branch by branch, over branches in every state."""

import pytest

from conftest import make_person_plain
from evaluation import aggregates
from evaluation.models import FIGURES, EvalStats, Evaluation, Item, Registration, RegistrationItem, Stage
from orgs import services as org_services
from orgs.rules import Category


@pytest.fixture
def branches(ev_tree):
    """Five branches under two committees: approved with every level and a 不参评, approved and registered,
    submitted, draft, and one with only a registration not yet confirmed."""
    t = ev_tree
    other = org_services.org_create_child(
        parent=t.uni, short_name="第二临床医学院团委", category=Category.PRIMARY, actor=t.uni_admin
    )
    names = ["甲班团支部", "乙班团支部", "丙班团支部", "丁班团支部"]
    made = [org_services.org_create_child(parent=parent, short_name=name, category=Category.BRANCH,
                                          by_operator=True)
            for parent, name in zip([t.general, other, other, t.general], names, strict=True)]  # fmt: skip
    people = {
        b.pk: [make_person_plain(f"{b.short_name[:2]}团员{i}", branch=b, password=None) for i in range(6)] for b in made
    }
    people[t.branch.pk] = t.people

    def evaluation(branch, stage, levels, excluded=0):
        e = Evaluation.objects.create(org=branch, year=t.year, stage=stage)
        for i, (person, level) in enumerate(zip(people[branch.pk], levels, strict=False)):
            takes_part = i >= excluded
            Item.objects.create(evaluation=e, person=person, participates=takes_part,
                                excluded_reason="" if takes_part else "长期病假", proposed_level=level if takes_part else "",
                                approved_level=level if takes_part and stage == Stage.APPROVED else "")  # fmt: skip
        return e

    def registration(branch, stage, outcomes):
        r = Registration.objects.create(org=branch, year=t.year, stage=stage)
        for person, outcome in zip(people[branch.pk], outcomes, strict=False):
            RegistrationItem.objects.create(registration=r, person=person, outcome=outcome)

    evaluation(t.branch, Stage.APPROVED, ["优秀", "不合格", "基本合格"] + ["合格"] * 9, excluded=1)
    evaluation(made[0], Stage.APPROVED, ["优秀", "合格", "合格", "基本合格", "合格", "合格"])
    registration(made[0], Stage.APPROVED, ["予以注册"] * 4 + ["暂缓注册", "不予注册"])
    evaluation(made[1], Stage.SUBMITTED, ["合格"] * 6)
    evaluation(made[2], Stage.DRAFT, ["优秀", "合格"])
    registration(made[3], Stage.SUBMITTED, ["予以注册"] * 3)
    Evaluation.objects.create(org=made[3], year=t.year - 1, stage=Stage.APPROVED)  # another year: not counted
    for branch in [t.branch, *made]:
        aggregates.refresh(branch, t.year)
    return t, made


def snapshot(year):
    """The stored figures (total, own) per organisation; a row of zeros counts as no row, as for the recount."""
    rows = {s.org_id: ({f: getattr(s, f) for f in FIGURES}, {f: s.own.get(f, 0) for f in FIGURES})
            for s in EvalStats.objects.filter(year=year)}  # fmt: skip
    return {i: r for i, r in rows.items() if any(r[0].values()) or any(r[1].values())}


def test_ev8_bulk_own_figures_equal_the_branch_by_branch_count(branches):
    t, made = branches
    bulk = aggregates._own_figures_all(t.year)
    assert set(bulk) == {t.branch.pk, *(b.pk for b in made)}
    for org_id, figures in bulk.items():
        assert figures == aggregates.own_figures(org_id, t.year)
    assert bulk[t.branch.pk]["participants"] == 11 and bulk[made[0].pk]["registered"] == 4


def test_ev8_recount_rebuilds_exactly_what_the_refreshes_kept(branches):
    t, _ = branches
    live = snapshot(t.year)
    assert aggregates.recount(t.year) == []
    assert live[t.root.pk][0] == {"submitted": 3, "approved": 2, "participants": 17, "excellent": 1,
                                  "qualified": 13, "basic": 2, "unqualified": 1, "registered": 4, "deferred": 1,
                                  "refused": 1}  # fmt: skip
    EvalStats.objects.filter(year=t.year).delete()
    EvalStats.objects.create(org=t.province, year=t.year, submitted=99)  # a stale row, fixed in place
    problems = aggregates.recount(t.year, fix=True)
    assert len(problems) == len(live)
    assert snapshot(t.year) == live
    assert aggregates.recount(t.year) == []
