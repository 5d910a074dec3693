"""SPEC-2 DJ1–DJ7, a test (or several) named for each rule, through the services."""

import datetime as dt

import pytest
from django.utils import timezone

from core.exceptions import Conflict, Invalid, NotAllowed
from orgs.models import Org
from orgs.rules import BranchKind
from people.models import Person
from rating import rules, selectors, services
from rating.models import Rating, RatingRound
from workflow import engine
from workflow.models import Process

from .conftest import KEY_PROJECT, add_branch, self_rate

pytestmark = pytest.mark.django_db


# --- DJ1: who is rated -------------------------------------------------------------------------------------------


def test_dj1_branch_and_general_founded_six_months_before_are_rated(rating_tree):
    t = rating_tree
    assert rules.eligibility(t.branch, t.year) == ""
    assert rules.eligibility(t.general, t.year) == ""
    assert "只有团支部和团总支" in rules.eligibility(t.college, t.year)


def test_dj1_young_organisation_is_not_rated(rating_tree):
    t = rating_tree
    Org.objects.filter(pk=t.branch.pk).update(founded_on=t.round.starts_on - dt.timedelta(days=100))
    reason = rules.eligibility(Org.objects.get(pk=t.branch.pk), t.year)
    assert "成立不满6个月" in reason
    # a branch created on the platform today, with no confirmed date, is young as well
    fresh = add_branch(t, t.general, "新建团支部", founded=None)
    assert "成立不满6个月" in rules.eligibility(fresh, t.year)


@pytest.mark.parametrize("kind", [BranchKind.TEMPORARY, BranchKind.FLOATING])
def test_dj1_flagged_branches_are_not_rated(rating_tree, kind):
    t = rating_tree
    Org.objects.filter(pk=t.branch.pk).update(branch_kind=kind)
    assert rules.eligibility(Org.objects.get(pk=t.branch.pk), t.year) == f"{kind}不参加对标定级。"


def test_dj1_all_party_branch_is_not_rated(rating_tree):
    t = rating_tree
    party = add_branch(t, t.general, "教工党员团支部", political_status="中共党员")
    assert "全体团员均为中共党员" in rules.eligibility(party, t.year)
    Person.objects.filter(pk=party.admin.pk).update(political_status="团员")
    assert rules.eligibility(party, t.year) == ""


def test_dj1_pending_branch_and_no_round(rating_tree):
    t = rating_tree
    assert "尚未开启" in rules.eligibility(t.branch, t.year + 1)
    with pytest.raises(Conflict, match="尚未开启"):
        self_rate(t.branch, t.branch_admin, t.year + 1)


def test_dj1_ineligible_organisation_cannot_self_rate(rating_tree):
    t = rating_tree
    Org.objects.filter(pk=t.branch.pk).update(branch_kind=BranchKind.TEMPORARY)
    with pytest.raises(Conflict, match="临时团支部不参加"):
        self_rate(Org.objects.get(pk=t.branch.pk), t.branch_admin, t.year)
    assert not Rating.objects.exists()


def test_dj1_query_and_explanation_agree(rating_tree):
    t = rating_tree
    add_branch(t, t.general, "教工党员团支部", political_status="中共党员")
    add_branch(t, t.general, "新建团支部", founded=None)
    flagged = add_branch(t, t.college, "流动团员团支部")
    Org.objects.filter(pk=flagged.pk).update(branch_kind=BranchKind.FLOATING)
    add_branch(t, t.college, "二班团支部")
    by_query = set(Org.objects.filter(rules.eligible_q(t.college, t.year)).values_list("pk", flat=True))
    by_rule = {o.pk for o in t.college.subtree() if not rules.eligibility(o, t.year)}
    assert by_query == by_rule and len(by_rule) == 3  # the 团总支, its 3班 and 二班


# --- DJ2: levels ------------------------------------------------------------------------------------------------


def test_dj2_top_levels_need_a_year(rating_tree):
    t = rating_tree
    young = t.round.starts_on - dt.timedelta(days=250)  # rated (over 6 months) but not a year old
    with pytest.raises(Invalid, match="需要组织成立满一年"):
        self_rate(t.branch, t.branch_admin, t.year, "四星", founded_on=young, last_election_on=young)
    assert (
        self_rate(t.branch, t.branch_admin, t.year, "三星", founded_on=young, last_election_on=young).self_level
        == "三星"
    )


def test_dj2_general_with_weak_branch_cannot_be_five_star(rating_tree):
    t = rating_tree
    self_rate(t.branch, t.branch_admin, t.year, "二星")
    with pytest.raises(Invalid, match="团总支不能定为五星"):
        self_rate(t.general, t.general_admin, t.year, "五星")
    assert self_rate(t.general, t.general_admin, t.year, "四星").self_level == "四星"


def test_dj2_level_outside_the_five(rating_tree):
    t = rating_tree
    with pytest.raises(Invalid, match="等级只能是"):
        self_rate(t.branch, t.branch_admin, t.year, "六星")


# --- DJ3: self-rating ---------------------------------------------------------------------------------------------


def test_dj3_self_rating_records_confirmations_and_opens_review(rating_tree):
    t = rating_tree
    rating = self_rate(t.branch, t.branch_admin, t.year, "三星", founded_on=dt.date(2019, 9, 1))
    assert rating.status == "待复核" and rating.founded_on == dt.date(2019, 9, 1) and rating.party_applicants == 2
    assert Org.objects.get(pk=t.branch.pk).founded_on == dt.date(2019, 9, 1)
    process = Process.objects.get(pk=rating.process_id)
    assert process.kind == services.KIND and process.is_open
    assert [s.process_id for s in engine.todo_steps(t.general_admin)] == [process.pk]
    view = services.rating_view(org=t.branch, actor=t.general_admin, year=t.year)
    assert view.as_api()["changes_left"] == 3 and view.as_api()["changed_since_review"] is False


def test_dj3_five_star_needs_key_project_of_300_to_800(rating_tree):
    t = rating_tree
    for text in ("太短", "长" * 801):
        with pytest.raises(Invalid, match="重点工作项目"):
            self_rate(t.branch, t.branch_admin, t.year, "五星", key_project=text)
    assert self_rate(t.branch, t.branch_admin, t.year, "五星", key_project=KEY_PROJECT).key_project == KEY_PROJECT


def test_dj3_three_changes_then_refused_and_marked(rating_tree):
    t = rating_tree
    self_rate(t.branch, t.branch_admin, t.year, "三星")
    for level in ("二星", "三星", "四星"):
        rating = self_rate(t.branch, t.branch_admin, t.year, level)
    assert rating.changed_since_review and services.changes_left(rating) == 0 and rating.first_level == "三星"
    with pytest.raises(Conflict, match="最多修改3次"):
        self_rate(t.branch, t.branch_admin, t.year, "三星")
    assert Rating.objects.get(pk=rating.pk).self_level == "四星"


def test_dj3_only_own_admin_self_rates_and_reason_required(rating_tree):
    t = rating_tree
    with pytest.raises(NotAllowed):
        self_rate(t.branch, t.general_admin, t.year)
    with pytest.raises(Invalid, match="自评理由"):
        self_rate(t.branch, t.branch_admin, t.year, reason=" ")
    with pytest.raises(Invalid, match="成立时间"):
        self_rate(t.branch, t.branch_admin, t.year, founded_on=None)
    assert not Rating.objects.exists()


def test_dj3_after_the_window_closes(rating_tree):
    t = rating_tree
    RatingRound.objects.filter(pk=t.round.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(Conflict, match="截止"):
        self_rate(t.branch, t.branch_admin, t.year)


# --- DJ4: review -----------------------------------------------------------------------------------------------------


def test_dj4_review_by_direct_superior_closes_the_process(rating_tree):
    t = rating_tree
    rating = self_rate(t.branch, t.branch_admin, t.year, "三星")
    for outsider in (t.branch_admin, t.college_admin, t.outsider):
        with pytest.raises(NotAllowed):
            services.review(org=t.branch, actor=outsider, year=t.year, level="三星")
    reviewed = services.review(org=t.branch, actor=t.general_admin, year=t.year, level="三星")
    assert reviewed.status == "已复核" and reviewed.reviewed_level == "三星"
    assert Process.objects.get(pk=rating.process_id).status == "已通过"


def test_dj4_a_different_level_needs_a_reason(rating_tree):
    t = rating_tree
    self_rate(t.branch, t.branch_admin, t.year, "三星")
    with pytest.raises(Invalid, match="请填写理由"):
        services.review(org=t.branch, actor=t.general_admin, year=t.year, level="二星")
    assert services.review(org=t.branch, actor=t.general_admin, year=t.year, level="二星", reason="组织生活不规范")


def test_dj4_no_review_while_hollow_branches_remain(rating_tree):
    t = rating_tree
    self_rate(t.branch, t.branch_admin, t.year, "三星")
    add_branch(t, t.general, "空壳团支部", members=1)
    with pytest.raises(Conflict, match="空壳团支部") as refused:
        services.review(org=t.branch, actor=t.general_admin, year=t.year, level="三星")
    assert refused.value.status == 409
    assert Rating.objects.get(org=t.branch).status == "待复核"


def test_dj4_review_before_self_rating_refused(rating_tree):
    t = rating_tree
    with pytest.raises(Conflict, match="尚未填写"):
        services.review(org=t.branch, actor=t.general_admin, year=t.year, level="三星")


# --- DJ5: share ------------------------------------------------------------------------------------------------------


def _rated_branches(t, n):
    return [add_branch(t, t.general, f"{i + 1}班团支部") for i in range(n)]


def test_dj5_share_limit_refused_with_counts(rating_tree):
    t = rating_tree
    branches = [t.branch, *_rated_branches(t, 6)]  # 7 rated → 30 % = 2 at 四星 or 五星
    for b in branches:
        self_rate(b, b.admin if hasattr(b, "admin") else t.branch_admin, t.year, "四星")
    services.review(org=branches[0], actor=t.general_admin, year=t.year, level="四星")
    services.review(org=branches[1], actor=t.general_admin, year=t.year, level="四星")
    with pytest.raises(Conflict, match="最多2个") as refused:
        services.review(org=branches[2], actor=t.general_admin, year=t.year, level="四星")
    assert refused.value.code == "share_exceeded" and "直属参评组织7个" in refused.value.message
    assert services.review(org=branches[2], actor=t.general_admin, year=t.year, level="三星", reason="名额已满")


def test_dj5_higher_committee_tightens_five_star_share(rating_tree):
    t = rating_tree
    # the 团总支 opens its own round inside the 院团委's: five-star at most 20 % (and no looser top share)
    with pytest.raises(Conflict, match="只能收紧"):
        services.round_open(org=t.general, actor=t.general_admin, year=t.year, starts_on=t.round.starts_on,
                            ends_on=t.round.ends_on, top_share=40)  # fmt: skip
    services.round_open(org=t.general, actor=t.general_admin, year=t.year, starts_on=t.round.starts_on,
                        ends_on=t.round.ends_on, five_star_share=10)  # fmt: skip
    branches = [t.branch, *_rated_branches(t, 9)]  # 10 rated → 五星 at most 1
    for b in branches[:2]:
        self_rate(b, getattr(b, "admin", t.branch_admin), t.year, "五星")
    services.review(org=branches[0], actor=t.general_admin, year=t.year, level="五星")
    with pytest.raises(Conflict, match="五星不能超过参评组织的10%"):
        services.review(org=branches[1], actor=t.general_admin, year=t.year, level="五星")


# --- DJ6: locks ------------------------------------------------------------------------------------------------------


def test_dj6_reviewed_self_rating_is_locked(rating_tree):
    t = rating_tree
    self_rate(t.branch, t.branch_admin, t.year, "三星")
    services.review(org=t.branch, actor=t.general_admin, year=t.year, level="三星")
    with pytest.raises(Conflict, match="自评已锁定"):
        self_rate(t.branch, t.branch_admin, t.year, "四星")


def test_dj6_none_level_may_rerate_once_reopening_review(rating_tree):
    t = rating_tree
    self_rate(t.branch, t.branch_admin, t.year, "二星")
    services.review(org=t.branch, actor=t.general_admin, year=t.year, level="不予定级", reason="一票否决")
    rating = self_rate(t.branch, t.branch_admin, t.year, "三星")
    assert rating.status == "待复核" and rating.rerated and Process.objects.get(pk=rating.process_id).is_open
    services.review(org=t.branch, actor=t.general_admin, year=t.year, level="不予定级", reason="整改未到位")
    with pytest.raises(Conflict, match="自评已锁定"):
        self_rate(t.branch, t.branch_admin, t.year, "三星")


def test_dj6_reviewer_changes_result_until_lock_time(rating_tree):
    t = rating_tree
    self_rate(t.branch, t.branch_admin, t.year, "三星")
    services.review(org=t.branch, actor=t.general_admin, year=t.year, level="三星")
    assert (
        services.review(org=t.branch, actor=t.general_admin, year=t.year, level="二星", reason="复查").reviewed_level
        == "二星"
    )
    RatingRound.objects.filter(pk=t.round.pk).update(locks_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(Conflict, match="锁定"):
        services.review(org=t.branch, actor=t.general_admin, year=t.year, level="三星")
    assert Rating.objects.get(org=t.branch).reviewed_level == "二星"


def test_dj6_default_lock_time_is_31_december_noon(tree):
    t = tree
    rnd = services.round_open(org=t.uni, actor=t.uni_admin, year=2026, starts_on=dt.date(2026, 3, 1),
                              ends_on=dt.date(2026, 6, 30))  # fmt: skip
    locks = timezone.localtime(rnd.locks_at)
    assert (locks.year, locks.month, locks.day, locks.hour, locks.minute) == (2026, 12, 31, 12, 0)


# --- DJ7: statistics --------------------------------------------------------------------------------------------------


def test_dj7_statistics_per_direct_subordinate(rating_tree):
    t = rating_tree
    other = add_branch(t, t.college, "院直属团支部")
    self_rate(t.branch, t.branch_admin, t.year, "三星")
    services.review(org=t.branch, actor=t.general_admin, year=t.year, level="三星")
    self_rate(other, other.admin, t.year, "二星")
    table = selectors.stats(org=t.college, year=t.year)
    rows = {r.org_id: r.as_api() for r in table["rows"]}
    assert rows[t.general.pk] | {"short_name": ""} == {
        "org_id": t.general.pk, "short_name": "", "eligible": 2, "self_rated": 1, "reviewed": 1,
        "five": 0, "four": 0, "three": 1, "two": 0, "none": 0,
    }  # fmt: skip
    assert rows[other.pk]["eligible"] == 1 and rows[other.pk]["self_rated"] == 1 and rows[other.pk]["reviewed"] == 0
    assert table["total"].eligible == 3 and table["total"].review_rate == "33.3%"
