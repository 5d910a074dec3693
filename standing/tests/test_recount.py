"""ST3: a member who left is out of every figure. After any sequence of status changes, approvals, refusals and
restores, the stored progress figures equal a full recount and count exactly the members in good standing."""

import random

import pytest

from conftest import make_person_plain
from core.exceptions import DomainError
from orgs.models import Org
from orgs.rules import Category
from orgs.services import org_create_child
from people.admins import org_admin_add
from people.models import Person
from people.services import cadre_assign
from progress.aggregates import stats_recount
from progress.models import OrgStats
from standing import services
from standing.models import StatusChange


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def test_figures_equal_a_full_recount_after_random_status_changes(st_tree, committed):
    t = st_tree
    rng = random.Random(18)
    second = org_create_child(parent=t.general, short_name="临床医学2017级5班团支部", category=Category.BRANCH,
                              actor=t.general_admin)  # fmt: skip
    branches = [t.branch, second]
    for i in range(8):
        p = make_person_plain(f"随机团员{i}", "19950101", branch=rng.choice(branches))
        if i % 3 == 0:
            cadre_assign(person=p, org=p.branch, position="组织委员")  # a branch post ends with the membership
    deputy = make_person_plain("团总支副书记", "19970101")
    cadre_assign(person=deputy, org=t.general, position="副书记")
    org_admin_add(org=t.general, person=deputy)  # approves what the 团总支's other admin asked (W1)
    stats_recount(fix=True)

    def request():
        p = Person.objects.filter(branch__in=branches, admin_posts=None, pending_status="").order_by("?").first()
        if p:
            status = rng.choice(["超龄离团", "自愿退团", "自行脱团", "开除团籍"])
            reason = "连续6个月不交纳团费" if status == "自行脱团" else "支部大会决定"
            actor = t.branch_admin if p.branch_id == t.branch.pk else t.general_admin
            services.status_change_request(person=p, actor=actor, status=status, reason=reason)

    def decide():
        change = StatusChange.objects.filter(status="待审核").order_by("?").first()
        if change is None:
            return
        approver = deputy if change.requested_by_id == t.general_admin.pk else t.general_admin
        if rng.random() < 0.75:
            services.status_change_approve(change=change, actor=approver)
        else:
            services.status_change_reject(change=change, actor=approver, opinion="情况不符")

    def restore():
        p = Person.objects.filter(left_org__in=branches, pending_status="").exclude(league_status="正常").first()
        if p:
            services.restore_request(person=p, actor=t.branch_admin, branch=t.branch, reason="恢复团籍")

    steps = [request, request, decide, decide, restore]
    for i in range(60):
        step = rng.choice(steps)
        with committed():
            try:
                step()
            except DomainError:
                pass  # a refusal changes nothing
        assert stats_recount() == [], f"step {i}: {step.__name__}"
    left = Person.objects.exclude(league_status="正常")
    assert left.exists() and not left.filter(branch__isnull=False).exists()
    stats = OrgStats.objects.get(org=Org.objects.get(pk=t.root.pk))
    assert stats.members == Person.objects.filter(league_status="正常").exclude(branch=None).count()
