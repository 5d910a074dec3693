"""毕业生 (SPEC-2 GR1–GR6): each rule of the services, the importers and the switch, named by its id."""

import datetime as dt

import pytest

from audit.models import AuditEvent
from conftest import make_person_plain
from core.exceptions import Conflict, Invalid, NotAllowed
from graduates import importers, selectors, services
from graduates.models import GraduateFlag, GraduationMark, GraduationSwitch
from orgs import rules as org_rules
from orgs import services as org_services
from orgs.models import Org
from orgs.rules import Category
from people import members
from people.models import Person
from rating import rules as rating_rules
from transfers import services as transfer_services
from transfers.models import Status, TransferRequest

from .conftest import sheet_rows, switched

# --- GR1 ------------------------------------------------------------------------------------------------------------


def test_GR1_any_committee_admin_above_marks_a_branch_and_may_change_it(grad_tree):
    t = grad_tree
    services.mark_set(org=t.class4, actor=t.uni_admin, expected=f"{t.year + 1}-06")  # two committees up
    assert GraduationMark.objects.get(org=t.class4).expected == f"{t.year + 1}-06"
    services.mark_set(org=t.class4, actor=t.general_admin, expected=f"{t.year + 2}-07")
    mark = GraduationMark.objects.get(org=t.class4)
    assert (mark.expected_year, mark.expected_month, mark.no_date_reason) == (t.year + 2, 7, "")
    services.mark_set(org=t.class4, actor=t.general_admin, no_date_reason="混合支部")
    mark.refresh_from_db()
    assert (mark.expected, mark.no_date_reason) == ("", "混合支部")
    assert AuditEvent.objects.filter(verb="标记毕业时间").count() == 3


def test_GR1_a_branch_admin_may_not_mark_and_nothing_changes(grad_tree):
    t = grad_tree
    with pytest.raises(NotAllowed, match="团支部管理员不能标记毕业时间"):
        services.mark_set(org=t.branch, actor=t.branch_admin, expected=f"{t.year}-06")
    with pytest.raises(NotAllowed, match="只有上级团委"):
        services.mark_set(org=t.branch, actor=t.outsider, expected=f"{t.year}-06")
    assert not GraduationMark.objects.exists()


@pytest.mark.parametrize(
    ("expected", "reason", "message"),
    [
        (None, None, "二者只填一项"),
        ("2027-06", "教师支部", "二者只填一项"),
        ("明年六月", None, "无法识别"),
        ("2001-06", None, "预计毕业年月应在"),
        (None, "班级", "无毕业时间原因只能是"),
    ],
)
def test_GR1_a_date_or_a_reason_exactly(grad_tree, expected, reason, message):
    t = grad_tree
    with pytest.raises(Invalid, match=message):
        services.mark_set(org=t.class4, actor=t.general_admin, expected=expected, no_date_reason=reason)
    assert not GraduationMark.objects.exists()


def test_GR1_only_branches_are_marked(grad_tree):
    t = grad_tree
    with pytest.raises(Invalid, match="只有学校的团支部标记毕业时间"):
        services.mark_set(org=t.general, actor=t.college_admin, expected=f"{t.year}-06")


def test_GR1_marks_from_excel_report_each_row_and_a_dry_run_writes_nothing(grad_tree):
    t = grad_tree
    rows = [
        {"full_name": t.class4.full_name, "expected": f"{t.year}-06", "no_date_reason": ""},
        {"full_name": t.branch.full_name, "expected": "", "no_date_reason": "教师支部"},
        {"full_name": "共青团不存在的支部委员会", "expected": f"{t.year}-06", "no_date_reason": ""},
        {"full_name": t.general.full_name, "expected": f"{t.year}-06", "no_date_reason": ""},
    ]
    dry = importers.marks_import(org=t.general, file=rows, actor=t.general_admin, dry_run=True)
    assert [r.status for r in dry.rows] == ["将创建", "将创建", "失败", "失败"]
    assert "未找到组织" in dry.rows[2].message and "只有团支部标记毕业时间" in dry.rows[3].message
    assert not GraduationMark.objects.exists()
    report = importers.marks_import(org=t.general, file=rows, actor=t.general_admin, dry_run=False)
    assert report.created == 2
    assert GraduationMark.objects.get(org=t.branch).no_date_reason == "教师支部"
    again = importers.marks_import(org=t.general, file=rows[:1], actor=t.general_admin, dry_run=True)
    assert again.rows[0].status == "跳过"


def test_GR1_a_branch_admin_may_not_import_marks(grad_tree):
    t = grad_tree
    rows = [{"full_name": t.branch.full_name, "expected": f"{t.year}-06", "no_date_reason": ""}]
    with pytest.raises(NotAllowed, match="团支部管理员不能标记毕业时间"):
        importers.marks_import(org=t.branch, file=rows, actor=t.branch_admin, dry_run=False)
    assert not GraduationMark.objects.exists()


# --- GR2 ------------------------------------------------------------------------------------------------------------


def test_GR2_the_switch_day_turns_this_years_classes_into_graduated_orgs_once(grad_tree):
    t = grad_tree
    services.mark_set(org=t.class4, actor=t.general_admin, expected=f"{t.year}-06")
    services.mark_set(org=t.branch, actor=t.general_admin, expected=f"{t.year + 1}-06")
    assert services.switch_due(today=dt.date(t.year, 5, 31)) == 0  # before 06-01
    assert Org.objects.get(pk=t.class4.pk).category == Category.BRANCH
    assert services.switch_due(today=dt.date(t.year, 6, 1)) == 1
    assert services.switch_due(today=dt.date(t.year, 6, 1)) == 0  # the job running twice switches nothing more
    class4 = Org.objects.get(pk=t.class4.pk)
    assert class4.category == Category.GRADUATED and class4.is_branch
    assert Org.objects.get(pk=t.branch.pk).category == Category.BRANCH  # next year's class stays
    assert Person.objects.filter(branch=class4).count() == 3  # members kept
    switch = GraduationSwitch.objects.get()
    assert (switch.org_id, switch.year, switch.members) == (class4.pk, t.year, 3)
    assert AuditEvent.objects.filter(verb="转为毕业生团组织").count() == 1


def test_GR2_the_switch_date_is_a_setting(grad_tree, settings):
    t = grad_tree
    settings.GRADUATION_SWITCH_DATE = "07-15"
    services.mark_set(org=t.class4, actor=t.general_admin, expected=f"{t.year}-06")
    assert services.switch_due(today=dt.date(t.year, 7, 14)) == 0
    assert services.switch_due(today=dt.date(t.year, 7, 15)) == 1


def test_GR2_a_graduated_org_is_a_system_leaf_not_rated_and_its_mark_is_fixed(grad_tree):
    t = grad_tree
    class4 = switched(t, t.class4)
    assert Category.GRADUATED in org_rules.SYSTEM_CATEGORIES
    assert Category.GRADUATED not in org_rules.creatable_categories(Category.GENERAL)
    assert org_rules.creatable_categories(Category.GRADUATED) == []
    assert rating_rules.eligibility(class4, t.year)  # not rated in 对标定级
    with pytest.raises(Conflict, match="已转为毕业生团组织"):
        services.mark_set(org=class4, actor=t.general_admin, expected=f"{t.year + 1}-06")


def test_GR2_members_of_a_graduated_org_can_still_be_transferred_out(grad_tree):
    t = grad_tree
    switched(t, t.class4)
    person = t.grads[0]
    tr = transfer_services.transfer_submit(actor=t.general_admin, person=person, to_org=t.destination, reason="升学")
    assert tr.status == Status.RECEIVER


# --- GR3 ------------------------------------------------------------------------------------------------------------


def test_GR3_flags_are_set_changed_and_cleared_by_the_branch_or_its_superior(grad_tree):
    t = grad_tree
    services.flag_set(person=t.member, actor=t.branch_admin, flag="延迟毕业")
    assert GraduateFlag.objects.get(person=t.member).flag == "延迟毕业"
    services.flag_set(person=t.member, actor=t.general_admin, flag="教师")
    assert GraduateFlag.objects.get(person=t.member).flag == "教师"
    services.flag_set(person=t.member, actor=t.general_admin, flag="")
    assert not GraduateFlag.objects.exists()
    with pytest.raises(NotAllowed):
        services.flag_set(person=t.member, actor=t.college_admin, flag="教师")  # read-only two levels up
    with pytest.raises(Invalid, match="毕业生标记只能是"):
        services.flag_set(person=t.member, actor=t.branch_admin, flag="休学")


def test_GR3_floating_only_after_31_july(grad_tree):
    t = grad_tree
    with pytest.raises(Invalid, match="7月31日之后"):
        services.flag_set(person=t.member, actor=t.branch_admin, flag="毕业学生流动团员", today=dt.date(t.year, 7, 31))
    assert not GraduateFlag.objects.exists()
    services.flag_set(person=t.member, actor=t.branch_admin, flag="毕业学生流动团员", today=dt.date(t.year, 8, 1))
    assert GraduateFlag.objects.get().flag == "毕业学生流动团员"


def test_GR3_this_years_graduate_only_in_a_mixed_branch(grad_tree):
    t = grad_tree
    with pytest.raises(Invalid, match="混合支部"):
        services.flag_set(person=t.member, actor=t.branch_admin, flag="本届毕业生")
    services.mark_set(org=t.branch, actor=t.general_admin, no_date_reason="混合支部")
    services.flag_set(person=t.member, actor=t.branch_admin, flag="本届毕业生")
    assert GraduateFlag.objects.get().flag == "本届毕业生"


# --- GR4 ------------------------------------------------------------------------------------------------------------


def test_GR4_the_sheet_lists_the_branchs_members_with_masked_numbers(grad_tree):
    t = grad_tree
    from excel.readers import read_rows

    content = importers.transfers_template_bytes(t.class4, actor=t.general_admin)
    sheet = read_rows(content, columns=importers.TRANSFER_COLUMNS, template_name=importers.TRANSFERS_TITLE,
                      sheet_name=importers.TRANSFERS_SHEET, max_rows=importers.TRANSFERS_MAX)  # fmt: skip
    assert sorted(r.values["name"] for r in sheet.rows) == sorted(p.name for p in t.grads)
    assert {r.values["id_number"] for r in sheet.rows} == {p.id_number_masked for p in t.grads}
    with pytest.raises(NotAllowed):
        importers.transfers_template_bytes(t.class4, actor=t.college_admin)


def test_GR4_one_transfer_request_per_person_blank_rows_skipped(grad_tree):
    t = grad_tree
    class4 = switched(t, t.class4)
    rows = sheet_rows(t.grads[:2], t.destination.full_name) + sheet_rows(t.grads[2:])
    dry = importers.transfers_import(branch=class4, file=rows, actor=t.general_admin, dry_run=True)
    assert [r.status for r in dry.rows] == ["将创建", "将创建", "跳过"]
    assert not TransferRequest.objects.exists()
    report = importers.transfers_import(branch=class4, file=rows, actor=t.general_admin, dry_run=False)
    assert report.created == 2
    transfers = TransferRequest.objects.order_by("pk")
    assert [(tr.person_id, tr.kind, tr.to_org_id, tr.status) for tr in transfers] == [
        (p.pk, "办理转出", t.destination.pk, Status.RECEIVER) for p in t.grads[:2]
    ]
    assert all(tr.process_id for tr in transfers)  # on the engine


def test_GR4_an_unknown_destination_is_reported_and_nothing_is_half_done(grad_tree):
    t = grad_tree
    rows = sheet_rows(t.grads[:1], t.destination.full_name) + sheet_rows(t.grads[1:2], "共青团不存在的团委")
    report = importers.transfers_import(branch=t.class4, file=rows, actor=t.general_admin, dry_run=False)
    assert [r.status for r in report.rows] == ["失败", "失败"]
    assert "转入组织“共青团不存在的团委”不存在" in report.rows[1].message
    assert "整表办理" in report.rows[0].message and "第3行" in report.rows[0].message
    assert not TransferRequest.objects.exists()


def test_GR4_a_refusal_while_submitting_takes_back_the_others(grad_tree, monkeypatch):
    t = grad_tree
    rows = sheet_rows(t.grads[:2], t.destination.full_name)
    real = transfer_services.transfer_submit
    calls = []

    def second_refused(**kwargs):
        calls.append(kwargs["person"])
        if len(calls) == 2:
            raise Conflict("该团员的转接刚刚被他人办理。", code="race")
        return real(**kwargs)

    monkeypatch.setattr(importers.transfer_services, "transfer_submit", second_refused)
    report = importers.transfers_import(branch=t.class4, file=rows, actor=t.general_admin, dry_run=False)
    assert [r.status for r in report.rows] == ["失败", "失败"]
    assert report.rows[1].message == "该团员的转接刚刚被他人办理。"
    assert not TransferRequest.objects.exists()


def test_GR4_only_the_branch_or_its_superior_and_rows_must_name_its_members(grad_tree):
    t = grad_tree
    rows = sheet_rows(t.grads[:1], t.destination.full_name)
    with pytest.raises(NotAllowed):
        importers.transfers_import(branch=t.class4, file=rows, actor=t.uni_admin, dry_run=False)
    stranger = sheet_rows([t.member], t.destination.full_name)  # a member of another branch
    report = importers.transfers_import(branch=t.class4, file=stranger, actor=t.general_admin, dry_run=False)
    assert "没有姓名为" in report.rows[0].message
    bad_reason = sheet_rows(t.grads[:1], t.destination.full_name, reason="毕业")
    report = importers.transfers_import(branch=t.class4, file=bad_reason, actor=t.general_admin, dry_run=False)
    assert "请从下拉列表中选择转接原因" in report.rows[0].message
    assert not TransferRequest.objects.exists()


# --- GR5 ------------------------------------------------------------------------------------------------------------


def test_GR5_the_season_counts_per_subordinate_and_lists_who_has_not_started(grad_tree):
    t = grad_tree
    class4 = switched(t, t.class4)
    services.flag_set(person=t.grads[2], actor=t.general_admin, flag="延迟毕业")  # stays: not graduating
    importers.transfers_import(branch=class4, file=sheet_rows(t.grads[:1], t.destination.full_name),
                               actor=t.general_admin, dry_run=False)  # fmt: skip
    data = selectors.season(org=t.college, year=t.year)
    (row,) = data["rows"]
    assert row.as_api() == {"org_id": t.general.pk, "short_name": t.general.short_name, "graduating": 2,
                            "initiated": 1, "approved": 0, "pending": 1, "returned": 0}  # fmt: skip
    assert list(selectors.not_initiated(org=t.college, year=t.year)) == [t.grads[1]]
    tr = TransferRequest.objects.get()
    transfer_services.transfer_reject(transfer=tr, actor=t.receiver, reason="不是本校学生")
    row = selectors.season(org=t.college, year=t.year)["rows"][0]
    assert (row.pending, row.returned, row.graduating) == (0, 1, 2)


def test_GR5_approved_transfers_still_count_as_graduates(grad_tree):
    t = grad_tree
    class4 = switched(t, t.class4)
    tr = transfer_services.transfer_submit(
        actor=t.general_admin, person=t.grads[0], to_org=t.destination, reason="升学"
    )
    transfer_services.transfer_approve(transfer=tr, actor=t.receiver)
    assert Person.objects.get(pk=t.grads[0].pk).branch_id == t.destination.pk
    row = selectors.season(org=t.general, year=t.year)["rows"]
    counts = {r.org_id: r for r in row}[class4.pk]
    assert (counts.graduating, counts.initiated, counts.approved, counts.pending) == (3, 1, 1, 0)


def test_GR5_a_mixed_branch_counts_its_flagged_graduates(grad_tree):
    t = grad_tree
    services.mark_set(org=t.class4, actor=t.general_admin, no_date_reason="混合支部")
    services.flag_set(person=t.grads[0], actor=t.general_admin, flag="本届毕业生")
    row = {r.org_id: r for r in selectors.season(org=t.general, year=t.year)["rows"]}[t.class4.pk]
    assert row.graduating == 1


# --- GR6 ------------------------------------------------------------------------------------------------------------


def test_GR6_after_the_season_an_empty_graduated_org_is_offered_and_deleted(grad_tree):
    t = grad_tree
    class4 = switched(t, t.class4)
    Person.objects.filter(branch=class4).update(branch=t.destination)  # all transferred out
    during = dt.date(t.year, 7, 31)
    (item,) = selectors.cleanup(org=t.general, today=during)
    assert (item.org.pk, item.members, item.offered) == (class4.pk, 0, False)
    with pytest.raises(Conflict, match="7月31日"):
        services.graduated_delete(org=class4, actor=t.general_admin, today=during)
    after = dt.date(t.year, 8, 1)
    (item,) = selectors.cleanup(org=t.general, today=after)
    assert item.offered
    services.graduated_delete(org=class4, actor=t.general_admin, today=after)
    assert not Org.objects.filter(pk=class4.pk).exists()
    assert GraduationSwitch.objects.get().org_name == class4.full_name  # the record stays


def test_GR6_one_still_holding_members_is_listed_not_deleted(grad_tree):
    t = grad_tree
    class4 = switched(t, t.class4)
    after = dt.date(t.year, 8, 1)
    (item,) = selectors.cleanup(org=t.general, today=after)
    assert (item.members, item.offered) == (3, False)
    with pytest.raises(Conflict, match="还有3名团员"):
        services.graduated_delete(org=class4, actor=t.general_admin, today=after)
    with pytest.raises(Conflict, match="不是毕业生团组织"):
        services.graduated_delete(org=t.branch, actor=t.general_admin, today=after)
    assert Org.objects.filter(pk=class4.pk).exists()


def test_gr2_a_graduated_organisation_receives_no_transfer(tree):
    """A 毕业生团组织 only holds its class until they leave: a transfer into it is refused when it is asked for."""
    Org.objects.filter(pk=tree.branch.pk).update(category=Category.GRADUATED)
    graduated = Org.objects.get(pk=tree.branch.pk)
    other = org_services.org_create_child(parent=tree.general, short_name="新班团支部", category=Category.BRANCH,
                                          actor=tree.general_admin)  # fmt: skip
    mover = make_person_plain("想转入的团员", "20000101", branch=other)
    with pytest.raises(Invalid, match="不能转入毕业生团组织"):
        transfer_services.transfer_submit(actor=tree.general_admin, person=mover, to_org=graduated, reason="其他")
    assert not TransferRequest.objects.filter(person=mover).exists()


def test_gr2_a_graduated_organisation_takes_no_new_members_by_import(tree):
    """Like a hand entry, the member import refuses a 毕业生团组织 before reading any row."""
    Org.objects.filter(pk=tree.branch.pk).update(category=Category.GRADUATED)
    with pytest.raises(Invalid, match="是毕业生团组织，只保留已毕业班级的团员直至转出"):
        members.require_member_importer(tree.branch_admin, Org.objects.get(pk=tree.branch.pk))
