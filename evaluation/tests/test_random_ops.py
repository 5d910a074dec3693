"""EV8/RG4: after random operations through the services (entries, submissions, approvals and returns,
reopenings, registrations, appeals) the live supervision figures equal a full recount, every step."""

import random

import pytest

from conftest import make_person_plain
from core.exceptions import DomainError
from evaluation import aggregates, services
from evaluation.models import Appeal, Evaluation, Level, Registration
from evaluation.selectors import supervision
from orgs import services as org_services
from orgs.rules import Category
from people import services as people_services
from people.admins import org_admin_add
from progress.aggregates import stats_recount

from .conftest import meeting

pytestmark = pytest.mark.django_db


def test_ev8_figures_equal_the_recount_after_random_operations(ev_tree):
    t = ev_tree
    branches = {t.branch.pk: (t.branch, t.branch_admin, t.people)}
    for n in range(2):
        b = org_services.org_create_child(parent=t.general, short_name=f"随机{n}班团支部", category=Category.BRANCH,
                                          actor=t.general_admin)  # fmt: skip
        people = [
            make_person_plain(f"随机{n}班团员{i}", "20000101", branch=b, league_join_date="2014-09") for i in range(6)
        ]
        people_services.cadre_assign(person=people[0], org=b, position="书记")
        org_admin_add(org=b, person=people[0])
        branches[b.pk] = (b, people[0], people)
    stats_recount(fix=True)
    rng = random.Random(16)
    for _ in range(60):
        branch, admin, people = branches[rng.choice(list(branches))]
        op = rng.random()
        try:
            if op < 0.3:
                items = [{"person_id": p.pk, "proposed_level": rng.choice(Level.values)} for p in people]
                services.evaluation_save(branch=branch, actor=admin, year=t.year, items=items,
                                         meeting=meeting(due=len(people), present=len(people)))  # fmt: skip
            elif op < 0.45:
                services.evaluation_submit(branch=branch, actor=admin, year=t.year)
            elif op < 0.65:
                e = Evaluation.objects.filter(org=branch, year=t.year).first()
                if e:
                    services.evaluation_decide(evaluation=e, actor=t.general_admin, approve=rng.random() < 0.7,
                                               opinion="请补充会议记录")  # fmt: skip
            elif op < 0.72:
                services.evaluation_reopen(branch=branch, actor=t.general_admin, year=t.year)
            elif op < 0.82:
                services.registration_submit(branch=branch, actor=admin, year=t.year)
            elif op < 0.92:
                r = Registration.objects.filter(org=branch, year=t.year).first()
                if r:
                    services.registration_decide(registration=r, actor=t.general_admin, approve=rng.random() < 0.8,
                                                 opinion="请核对")  # fmt: skip
            else:
                person = rng.choice(people)
                appeal = Appeal.objects.filter(item__person=person).first()
                if appeal is None:
                    services.appeal_make(person=person, year=t.year, reason="情况说明")
                else:
                    services.appeal_decide(appeal=appeal, actor=t.general_admin, upheld=rng.random() < 0.5,
                                           opinion="已核实")  # fmt: skip
        except DomainError:
            pass
        assert aggregates.recount(t.year) == []
    table = supervision(org=t.college, year=t.year)
    assert table["total"].figures == table["rows"][0].figures  # the 院团委's only subordinate holds them all
    assert Evaluation.objects.filter(stage="已通过").exists() and Registration.objects.exists()
