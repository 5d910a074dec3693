"""A 两制 round over the test tree (conftest.tree): the 院团委 opens this year's round; the 3班 branch has ten
members who joined years ago (plus its admin and 普通团员), and helpers to fill in and submit its result."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_person_plain
from evaluation import services
from evaluation.models import Evaluation
from progress.aggregates import stats_recount

LEVELS_OK = ["合格"] * 12


@pytest.fixture
def ev_tree(tree):
    t = tree
    t.extra = [
        make_person_plain(f"三班团员{i}", "20000101", branch=t.branch, league_join_date="2014-09") for i in range(10)
    ]
    stats_recount(fix=True)  # the progress figures (团支部数) the supervision table shows
    today = timezone.localdate()
    t.year = today.year
    t.round = services.round_open(org=t.college, actor=t.college_admin, year=t.year,
                                  starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=20))  # fmt: skip
    t.people = [t.branch_admin, t.member, *t.extra]
    return t


def meeting(due=12, present=10, held_on=None):
    return {"held_on": held_on or timezone.localdate(), "due": due, "present": present}


def fill(t, levels=None, **meeting_args):
    """Every member rated (合格 unless `levels` says otherwise, in t.people order) and a valid meeting."""
    levels = levels or LEVELS_OK
    items = [{"person_id": p.pk, "proposed_level": lv} for p, lv in zip(t.people, levels, strict=False)]
    return services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year, meeting=meeting(**meeting_args),
                                    items=items)  # fmt: skip


def approved(t, levels=None):
    fill(t, levels)
    services.evaluation_submit(branch=t.branch, actor=t.branch_admin, year=t.year)
    e = Evaluation.objects.get(org=t.branch, year=t.year)
    return services.evaluation_decide(evaluation=e, actor=t.general_admin, approve=True)
