"""SPEC-2 EV1–EV8 and RG1–RG4, a test (or several) named for each rule, through the services."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_person_plain
from core.exceptions import Conflict, Invalid, NotAllowed
from evaluation import aggregates, rules, services
from evaluation.models import Appeal, EvalRound, Evaluation, Item, Registration
from people.models import Person
from workflow import engine
from workflow.models import Process

from .conftest import approved, fill

pytestmark = pytest.mark.django_db


def test_ev1_round_covers_the_subtree_once(ev_tree):
    t = ev_tree
    assert rules.round_for(t.branch, t.year) == t.round
    with pytest.raises(Conflict, match="已开启"):
        services.round_open(org=t.general, actor=t.general_admin, year=t.year, starts_on=t.round.starts_on,
                            ends_on=t.round.ends_on)  # fmt: skip
    with pytest.raises(NotAllowed):
        services.round_open(org=t.branch, actor=t.branch_admin, year=t.year + 1, starts_on=t.round.starts_on,
                            ends_on=t.round.ends_on)  # fmt: skip
    assert rules.round_for(t.branch, t.year + 1) is None


def test_ev2_participants_exclusions_and_not_participating(ev_tree, settings):
    t = ev_tree
    party = make_person_plain("党员团员", "19990101", branch=t.branch, political_status="中共党员")
    new = make_person_plain("新团员", "20080101", branch=t.branch, league_join_date=f"{t.year}-01")
    view = services.evaluation_view(branch=t.branch, year=t.year)
    reasons = {r.person.pk: r.excluded_reason for r in view.rows}
    assert reasons[party.pk].startswith("中共党员") and reasons[new.pk].startswith("入团不满12个月")
    assert view.participants == 12
    settings.EVAL_PARTY_MEMBERS = True
    assert services.evaluation_view(branch=t.branch, year=t.year).participants == 13
    with pytest.raises(Invalid, match="请填写原因"):
        services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                                 items=[{"person_id": t.member.pk, "participates": False}])  # fmt: skip
    view = services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                                    items=[{"person_id": t.member.pk, "participates": False, "excluded_reason": "出国"}])  # fmt: skip
    assert {r.person.pk: r.excluded_reason for r in view.rows}[t.member.pk] == "出国" and view.participants == 12


def test_ev3_excellent_limit_enforced_on_submission_and_approval(ev_tree):
    t = ev_tree
    assert rules.excellent_limit(32) == 9 and rules.excellent_limit(12) == 3
    fill(t, ["优秀"] * 4 + ["合格"] * 8)
    with pytest.raises(Conflict, match="优秀4人，超过参评人数12人的30%（最多3人）"):
        services.evaluation_submit(branch=t.branch, actor=t.branch_admin, year=t.year)
    assert not Process.objects.filter(kind=services.EVAL_KIND).exists()
    fill(t, ["优秀"] * 3 + ["合格"] * 9)
    services.evaluation_submit(branch=t.branch, actor=t.branch_admin, year=t.year)


def test_ev4_meeting_must_have_more_than_two_thirds(ev_tree):
    t = ev_tree
    assert rules.meeting_problem(timezone.localdate(), 12, 8).startswith("评议会议应到12人、实到8人")
    assert rules.meeting_problem(timezone.localdate(), 12, 9) == ""
    fill(t, present=8)
    with pytest.raises(Conflict, match="会议无效"):
        services.evaluation_submit(branch=t.branch, actor=t.branch_admin, year=t.year)
    with pytest.raises(Invalid, match="只能是优秀、合格、基本合格、不合格"):
        services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                                 items=[{"person_id": t.member.pk, "proposed_level": "良好"}])  # fmt: skip
    outsider = make_person_plain("外支部团员", "20000101", branch=None)
    with pytest.raises(Invalid, match="不是本支部团员"):
        services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                                 items=[{"person_id": outsider.pk, "proposed_level": "合格"}])  # fmt: skip


def test_ev5_submit_approve_return_and_reopen(ev_tree):
    t = ev_tree
    fill(t)
    process = services.evaluation_submit(branch=t.branch, actor=t.branch_admin, year=t.year)
    assert [s.process_id for s in engine.todo_steps(t.general_admin)] == [process.pk]
    with pytest.raises(Conflict, match="已提交上级审核"):
        fill(t)
    with pytest.raises(Conflict, match="未办结"):
        services.evaluation_submit(branch=t.branch, actor=t.branch_admin, year=t.year)
    # only the direct superior: through the engine's generic action
    with pytest.raises(NotAllowed):
        engine.process_act(process=process, actor=t.college_admin, action="approve")
    engine.process_act(process=process, actor=t.general_admin, action="return", opinion="会议记录不全")
    e = Evaluation.objects.get(org=t.branch)
    assert e.stage == "已退回" and Process.objects.get(pk=process.pk).status == "已退回"
    fill(t)
    process = services.evaluation_submit(branch=t.branch, actor=t.branch_admin, year=t.year)
    engine.process_act(process=process, actor=t.general_admin, action="approve")
    assert Item.objects.filter(evaluation=e, approved_level="合格").count() == 12
    with pytest.raises(Conflict, match="不能再修改等次"):
        services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                                 items=[{"person_id": t.member.pk, "proposed_level": "优秀"}])  # fmt: skip
    with pytest.raises(NotAllowed):
        services.evaluation_reopen(branch=t.branch, actor=t.branch_admin, year=t.year)
    services.evaluation_reopen(branch=t.branch, actor=t.general_admin, year=t.year)
    assert Evaluation.objects.get(pk=e.pk).stage == "已退回"
    assert not Item.objects.filter(evaluation=e).exclude(approved_level="").exists()


def test_ev5_submission_after_the_window(ev_tree):
    t = ev_tree
    fill(t)
    EvalRound.objects.filter(pk=t.round.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(Conflict, match="现在不能提交评议结果"):
        services.evaluation_submit(branch=t.branch, actor=t.branch_admin, year=t.year)


def test_ev6_correction_period_re_evaluation_and_talk(ev_tree):
    t = ev_tree
    approved(t, ["合格", "不合格", "基本合格"] + ["合格"] * 9)
    today = timezone.localdate()
    with pytest.raises(Invalid, match="3至6个月"):
        services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                                 items=[{"person_id": t.member.pk, "correction_until": today + dt.timedelta(days=30)}])  # fmt: skip
    until = today + dt.timedelta(days=120)
    services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                             items=[{"person_id": t.member.pk, "correction_until": until}])  # fmt: skip
    with pytest.raises(Conflict, match="整改期到"):
        services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                                 items=[{"person_id": t.member.pk, "re_level": "合格"}])  # fmt: skip
    Item.objects.filter(person=t.member).update(correction_until=today)
    services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                             items=[{"person_id": t.member.pk, "re_level": "合格"}])  # fmt: skip
    basic = t.extra[0]
    with pytest.raises(Invalid, match="谈心谈话"):
        services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                                 items=[{"person_id": basic.pk, "talk": {"held_on": today}}])  # fmt: skip
    services.evaluation_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                             items=[{"person_id": basic.pk, "talk": {"held_on": today, "note": "谈心谈话，明确改进方向"}}])  # fmt: skip
    assert Item.objects.get(person=basic).talk_note == "谈心谈话，明确改进方向"


def test_ev7_own_years_and_one_appeal(ev_tree):
    t = ev_tree
    approved(t, ["合格", "不合格"] + ["合格"] * 10)
    assert services.my_years(t.member)[0] == {"year": t.year, "level": "不合格", "outcome": None,
                                              "correction_until": None, "appealed": False, "appeal_upheld": None}  # fmt: skip
    with pytest.raises(Conflict, match="无需申诉"):
        services.appeal_make(person=t.branch_admin, year=t.year, reason="我有异议")
    appeal = services.appeal_make(person=t.member, year=t.year, reason="评议时我在外实习，未能说明情况")
    with pytest.raises(Conflict, match="只能申诉一次"):
        services.appeal_make(person=t.member, year=t.year, reason="再次申诉")
    engine.process_act(process=appeal.process, actor=t.general_admin, action="approve", opinion="情况属实")
    assert Appeal.objects.get(pk=appeal.pk).upheld and services.my_years(t.member)[0]["level"] == "基本合格"


def test_ev8_rg4_supervision_equals_the_recount(ev_tree):
    t = ev_tree
    approved(t, ["优秀", "不合格"] + ["合格"] * 10)
    services.registration_submit(branch=t.branch, actor=t.branch_admin, year=t.year)
    services.registration_decide(
        registration=Registration.objects.get(org=t.branch), actor=t.general_admin, approve=True
    )
    total, rows = aggregates.stats_rows(t.college, t.year)
    assert rows[0][1] == {"submitted": 1, "approved": 1, "participants": 12, "excellent": 1, "qualified": 10,
                          "basic": 0, "unqualified": 1, "registered": 11, "deferred": 1, "refused": 0}  # fmt: skip
    assert total == rows[0][1]
    assert aggregates.recount(t.year) == []


def test_rg1_registration_after_evaluation_confirmed_by_superior(ev_tree):
    t = ev_tree
    with pytest.raises(Conflict, match="审核认证后进行"):
        services.registration_submit(branch=t.branch, actor=t.branch_admin, year=t.year)
    approved(t)
    process = services.registration_submit(branch=t.branch, actor=t.branch_admin, year=t.year)
    assert process.kind == services.REGISTRATION_KIND
    engine.process_act(process=process, actor=t.general_admin, action="approve")
    reg = Registration.objects.get(org=t.branch)
    assert reg.stage == "已通过" and reg.items.filter(outcome="予以注册").count() == 12


def test_rg2_outcomes_gated_by_level_party_and_previous_year(ev_tree):
    t = ev_tree
    party = make_person_plain("党员团员", "19990101", branch=t.branch, political_status="中共党员")
    approved(t, ["合格", "不合格"] + ["合格"] * 10)
    _, rows = services.registration_view(branch=t.branch, year=t.year)
    by = {r.person.pk: r for r in rows}
    assert by[t.member.pk].allowed.outcomes == ("暂缓注册", "不予注册")
    assert by[party.pk].outcome == "予以注册"
    with pytest.raises(Conflict, match="不能予以注册"):
        services.registration_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                                   items=[{"person_id": t.member.pk, "outcome": "予以注册"}])  # fmt: skip
    # not registered the year before: 不予注册 unless an exception with a reason
    prev = Registration.objects.create(org=t.branch, year=t.year - 1, stage="已通过", confirmed_at=timezone.now())
    prev.items.create(person=t.branch_admin, outcome="暂缓注册")
    _, rows = services.registration_view(branch=t.branch, year=t.year)
    row = next(r for r in rows if r.person.pk == t.branch_admin.pk)
    assert row.outcome == "不予注册" and row.allowed.needs_exception
    with pytest.raises(Invalid, match="例外理由"):
        services.registration_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                                   items=[{"person_id": t.branch_admin.pk, "outcome": "予以注册"}])  # fmt: skip
    services.registration_save(branch=t.branch, actor=t.branch_admin, year=t.year,
                               items=[{"person_id": t.branch_admin.pk, "outcome": "予以注册",
                                       "exception_reason": "上年度因病暂缓，已恢复"}])  # fmt: skip


def test_rg3_overdue_after_15_months(ev_tree):
    t = ev_tree
    old = timezone.now() - dt.timedelta(days=500)
    reg = Registration.objects.create(org=t.branch, year=t.year - 2, stage="已通过", confirmed_at=old)
    reg.items.create(person=t.member, outcome="予以注册")
    recent = Registration.objects.create(org=t.branch, year=t.year - 1, stage="已通过", confirmed_at=timezone.now())
    for p in t.extra:
        recent.items.create(person=p, outcome="予以注册")
    overdue = list(services.overdue(org=t.college))
    assert t.member in overdue and t.extra[0] not in overdue
    assert t.branch_admin in overdue  # never registered, joined years ago
    young = make_person_plain("新团员", "20080101", branch=t.branch, league_join_date=f"{t.year}-01")
    assert young not in list(services.overdue(org=t.college))
    assert Person.objects.count() > 0
