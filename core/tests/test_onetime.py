"""One kind of one-time code for 管理员注册码 and 重置密码验证码 (issue 13, item 5; SPEC C1, C2, P8).

- both are 8 characters from one alphabet without the look-alikes 0/O/o and 1/l/I/i, case-sensitive;
- codes stored before the change keep working: registration codes hash exactly as before; old reset codes
  (upper case, compared without regard to case) still work as they did, new ones are case-sensitive;
- bulk regeneration asks first and says how many unused codes it will replace: the registration codes of
  the direct subordinates (page GET) and the reset codes of a branch (page GET), neither writing anything.
"""

import datetime as dt
import string

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import reset
from accounts.models import PasswordResetCode
from accounts.registration import admin_register
from audit.models import AuditEvent
from conftest import make_id_number
from core import onetime, pii
from core.exceptions import Conflict, DomainError
from orgs import codes
from orgs import services as org_services
from orgs.models import OrgAdmin, RegistrationCode
from orgs.rules import Category
from people.models import Person

NEW = "Xin-Mi#2026ma"


# --- the alphabet -----------------------------------------------------------------------------


def test_the_alphabet_is_digits_and_letters_without_look_alikes():
    assert set(onetime.ALPHABET) == set(string.ascii_letters + string.digits) - set("0Oo1lIi")
    assert len(set(onetime.ALPHABET)) == len(onetime.ALPHABET) == 55


def test_registration_and_reset_codes_are_8_characters_of_that_alphabet_in_both_cases(tree, make_person):
    reg = [codes.registration_code_issue(org=tree.college, actor=tree.uni_admin).code for _ in range(40)]
    people = [make_person(f"团员{i}", branch=tree.branch) for i in range(40)]
    res = [i.code for i in reset._issue(people, actor=tree.branch_admin)]
    for code in reg + res:
        assert len(code) == 8 and set(code) <= set(onetime.ALPHABET), code
        assert not set(code) & set("0Oo1lIi")
    for batch in (reg, res):  # case-sensitive codes use both cases (C1), not upper case only as reset codes did
        joined = "".join(batch)
        assert any(c.islower() for c in joined) and any(c.isupper() for c in joined)


# --- compatibility with codes stored before the change -------------------------------------------


@pytest.fixture
def new_org(tree):
    return org_services.org_create_child(
        parent=tree.uni, short_name="口腔医学院团委", category=Category.PRIMARY, actor=tree.uni_admin
    )


def person_data():
    return {"name": "新管理员", "id_number": make_id_number("19980315"), "political_status": "团员",
            "league_join_date": "2012-05", "mobile": "13912345678", "ethnicity": "汉族", "education": "大学本科",
            "occupation": "学生"}  # fmt: skip


def test_a_registration_code_stored_before_the_change_still_registers(new_org, tree):
    old_code = "aB0Ol1Io"  # the old alphabet had look-alikes; a code handed out then must still work
    RegistrationCode.objects.create(
        org=new_org,
        code_hash=pii.keyed_hash("regcode:" + old_code),  # the hash formula before issue 13
        expires_at=timezone.now() + dt.timedelta(days=5),
        created_by=tree.uni_admin,
    )
    assert codes.code_hash(old_code) == pii.keyed_hash("regcode:" + old_code)  # unchanged
    with pytest.raises(DomainError, match="注册码不正确"):
        admin_register(org_id=new_org.pk, position="书记", code=old_code.swapcase(), person_data=person_data(),
                       password="Qing-Nian#2026")  # fmt: skip
    person = admin_register(
        org_id=new_org.pk, position="书记", code=old_code, person_data=person_data(), password="Qing-Nian#2026"
    )
    assert OrgAdmin.objects.filter(org=new_org, person=person).exists()


def _old_reset_code(person, code: str):
    return PasswordResetCode.objects.create(
        person=person,
        code_hash=pii.keyed_hash("reset:" + code.upper()),  # the hash formula before issue 13
        expires_at=timezone.now() + dt.timedelta(days=1),
    )


@pytest.mark.parametrize("typed", ["ABCD2345", "abcd2345", " AbCd2345 "])
def test_a_reset_code_stored_before_the_change_still_works_in_any_case(tree, typed):
    _old_reset_code(tree.member, "ABCD2345")
    reset.password_reset(id_number=tree.member.id_number, code=typed, new_password=NEW)
    assert Person.objects.get(pk=tree.member.pk).check_password(NEW)


def test_a_new_reset_code_is_case_sensitive(tree):
    issued = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin)
    other_case = issued.code.swapcase()
    assert other_case != issued.code  # all eight digits: a chance of (8/55)^8
    with pytest.raises(DomainError):
        reset.password_reset(id_number=tree.member.id_number, code=other_case, new_password=NEW)
    assert PasswordResetCode.objects.get(person=tree.member).failed_attempts == 1  # a wrong try, counted
    reset.password_reset(id_number=tree.member.id_number, code=issued.code, new_password=NEW)
    assert Person.objects.get(pk=tree.member.pk).check_password(NEW)


def test_the_state_of_a_code(tree):
    now = timezone.now()
    row = PasswordResetCode(expires_at=now + dt.timedelta(hours=1), failed_attempts=0)
    assert onetime.state(onetime.RESET, row) == onetime.State.LIVE
    row.failed_attempts = onetime.RESET.max_wrong_tries
    assert onetime.state(onetime.RESET, row) == onetime.State.WORN_OUT
    row.failed_attempts, row.expires_at = 0, now
    assert onetime.state(onetime.RESET, row) == onetime.State.EXPIRED
    row.replaced_at = now
    assert onetime.state(onetime.RESET, row) == onetime.State.REPLACED
    row.used_at = now
    assert onetime.state(onetime.RESET, row) == onetime.State.USED


# --- bulk regeneration asks first, with the right count -------------------------------------------


@pytest.fixture
def subordinates(tree):
    """Under 团江苏省委: 团南京市委 and 南京医科大学团委 have admins; four new committees have none. Of those,
    one has a live code, one a used code, one an expired code, one a replaced code then a live one."""
    t = tree
    t.new = [
        org_services.org_create_child(parent=t.province, short_name=name, category=Category.LEADING, by_operator=True)
        for name in ("团苏州市委", "团无锡市委", "团常州市委", "团徐州市委")
    ]
    codes.registration_code_issue(org=t.new[0], actor=t.province_admin)
    used = codes.registration_code_issue(org=t.new[1], actor=t.province_admin)
    RegistrationCode.objects.filter(code_hash=codes.code_hash(used.code)).update(used_at=timezone.now())
    expired = codes.registration_code_issue(org=t.new[2], actor=t.province_admin)
    RegistrationCode.objects.filter(code_hash=codes.code_hash(expired.code)).update(expires_at=timezone.now())
    codes.registration_code_issue(org=t.new[3], actor=t.province_admin)
    codes.registration_code_issue(org=t.new[3], actor=t.province_admin)  # replaces the first
    codes.registration_code_issue(org=t.city, actor=t.province_admin)  # has an admin: bulk leaves it alone
    return t


def _codes():
    return list(RegistrationCode.objects.order_by("pk").values_list("pk", "replaced_at", "used_at"))


def test_the_registration_codes_confirm_step_counts_the_live_codes_it_replaces(subordinates, client):
    t = subordinates
    plan = codes.registration_codes_plan(parent=t.province, actor=t.province_admin)
    assert {o.short_name for o in plan.orgs} == {o.short_name for o in t.new}
    assert plan.replaces == 2  # 苏州 and 徐州's live codes; neither the used, the expired nor 南京市委's
    client.force_login(t.province_admin)
    before, events = _codes(), AuditEvent.objects.count()
    page = client.get(reverse("orgs:codes_all", args=[t.province.pk])).content.decode()
    assert "<strong>4</strong> 个尚无管理员的直属下级组织" in page
    assert "<strong>2</strong> 个组织现有未使用的有效注册码" in page
    assert _codes() == before and AuditEvent.objects.count() == events  # the question writes nothing
    response = client.post(reverse("orgs:codes_all", args=[t.province.pk]))
    assert response.status_code == 200
    live = RegistrationCode.objects.filter(onetime.live_q(onetime.REGISTRATION), org__in=t.new)
    assert live.count() == 4 and live.filter(created_at__lt=timezone.now() - dt.timedelta(seconds=30)).count() == 0


def test_the_branch_reset_codes_confirm_step_counts_the_live_codes_it_replaces(tree, client, make_person):
    others = [make_person(f"团员{i}", branch=tree.branch) for i in range(3)]
    reset.reset_code_issue(person=tree.member, actor=tree.branch_admin)
    reset.reset_code_issue(person=others[0], actor=tree.branch_admin)
    used = reset.reset_code_issue(person=others[1], actor=tree.branch_admin)
    reset.password_reset(id_number=others[1].id_number, code=used.code, new_password=NEW)
    expired = _old_reset_code(others[2], "ABCD2345")
    PasswordResetCode.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    plan = reset.reset_codes_plan_branch(branch=tree.branch, actor=tree.branch_admin)
    assert (plan.members, plan.replaces) == (5, 2)  # live: 普通团员's and 团员0's; not the used nor the expired
    client.force_login(tree.branch_admin)
    before = list(PasswordResetCode.objects.order_by("pk").values_list("pk", "replaced_at", "used_at"))
    events = AuditEvent.objects.count()
    page = client.get(reverse("people:reset_codes_branch", args=[tree.branch.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "全部 <strong>5</strong> 名成员" in text and "其中 <strong>2</strong> 名成员现有未使用的有效验证码" in text
    assert f'action="{reverse("people:reset_codes_branch", args=[tree.branch.pk])}"' in text  # the confirm form
    assert list(PasswordResetCode.objects.order_by("pk").values_list("pk", "replaced_at", "used_at")) == before
    assert AuditEvent.objects.count() == events
    members_page = client.get(reverse("people:members", args=[tree.branch.pk])).content.decode()
    assert f'href="{reverse("people:reset_codes_branch", args=[tree.branch.pk])}"' in members_page  # asks first
    response = client.post(reverse("people:reset_codes_branch", args=[tree.branch.pk]))
    assert response.status_code == 200
    assert PasswordResetCode.objects.filter(onetime.live_q(onetime.RESET)).count() == 5


@pytest.mark.parametrize("persona", ["general_admin", "member", "outsider"])
def test_only_the_branch_admin_sees_the_reset_codes_confirm_step(tree, client, persona):
    client.force_login(getattr(tree, persona))
    assert client.get(reverse("people:reset_codes_branch", args=[tree.branch.pk])).status_code == 404
    with pytest.raises(DomainError):
        reset.reset_codes_plan_branch(branch=tree.branch, actor=getattr(tree, persona))


def test_a_conflict_is_raised_when_every_subordinate_has_an_admin(tree):
    with pytest.raises(Conflict):
        codes.registration_codes_issue_all(parent=tree.general, actor=tree.general_admin)
