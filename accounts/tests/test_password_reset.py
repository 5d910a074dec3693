"""重置密码验证码 and 忘记密码 (SPEC P8)."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts import reset
from accounts.models import PasswordResetCode
from core.exceptions import DomainError, NotAllowed
from people.models import Person
from people.services import cadre_assign

NEW = "Xin-Mi#2026ma"


def test_the_branch_admin_issues_a_code_and_the_member_resets_with_it(tree):
    issued = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin)
    assert len(issued.code) == 8
    assert abs(issued.expires_at - timezone.now() - dt.timedelta(days=2)) < dt.timedelta(minutes=1)
    reset.password_reset(id_number=tree.member.id_number, code=f" {issued.code} ", new_password=NEW)
    assert Person.objects.get(pk=tree.member.pk).check_password(NEW)


@pytest.mark.parametrize("actor", ["general_admin", "uni_admin", "outsider", "member"])
def test_a_members_code_is_for_the_branch_admin_alone(tree, actor):
    with pytest.raises(NotAllowed):
        reset.reset_code_issue(person=tree.member, actor=getattr(tree, actor))


def test_a_cadres_code_comes_from_the_direct_superior_of_their_registering_organisation(tree):
    # Issue 12 settles P8: an admin of the organisation itself (a peer) no longer issues codes for its cadres.
    reset.reset_code_issue(person=tree.uni_admin, actor=tree.province_admin)
    with pytest.raises(NotAllowed):
        reset.reset_code_issue(person=tree.uni_admin, actor=tree.uni_admin)
    with pytest.raises(NotAllowed):
        reset.reset_code_issue(person=tree.uni_admin, actor=tree.root_admin)
    with pytest.raises(NotAllowed):
        reset.reset_code_issue(person=tree.uni_admin, actor=tree.college_admin)


def test_a_code_is_single_use(tree):
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    reset.password_reset(id_number=tree.member.id_number, code=code, new_password=NEW)
    with pytest.raises(DomainError, match="已使用"):
        reset.password_reset(id_number=tree.member.id_number, code=code, new_password="Another#2026x")


def test_one_live_code_per_person(tree):
    first = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    second = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    with pytest.raises(DomainError):
        reset.password_reset(id_number=tree.member.id_number, code=first, new_password=NEW)
    reset.password_reset(id_number=tree.member.id_number, code=second, new_password=NEW)


def test_an_expired_code_fails(tree):
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    PasswordResetCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(DomainError, match="已过期"):
        reset.password_reset(id_number=tree.member.id_number, code=code, new_password=NEW)


def test_every_failure_gets_the_same_answer(tree):
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    answers = set()
    for id_number, c in ((tree.member.id_number, "WRONGCOD"), ("11010519491231002X", code), ("", code),
                         (tree.branch_admin.id_number, code)):  # fmt: skip
        with pytest.raises(DomainError) as exc:
            reset.password_reset(id_number=id_number, code=c, new_password=NEW)
        answers.add(exc.value.message)
    assert len(answers) == 1


def test_the_new_password_follows_the_policy_and_the_code_survives_a_weak_try(tree):
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    with pytest.raises(DomainError, match="新密码不符合要求"):
        reset.password_reset(id_number=tree.member.id_number, code=code, new_password=tree.member.id_number[-8:])
    reset.password_reset(id_number=tree.member.id_number, code=code, new_password=NEW)


def test_only_the_hash_is_stored(tree):
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    assert not PasswordResetCode.objects.filter(code_hash__contains=code).exists()


def test_bulk_codes_for_a_branch_as_a_workbook(tree, make_person):
    make_person("第三人", branch=tree.branch)
    issued = reset.reset_codes_issue_branch(branch=tree.branch, actor=tree.branch_admin)
    assert len(issued) == 3
    rows = list(load_workbook(io.BytesIO(reset.reset_codes_workbook(issued))).active.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "身份证号码", "重置密码验证码", "有效期至")
    assert all("*" in r[1] for r in rows[1:])
    with pytest.raises(NotAllowed):
        reset.reset_codes_issue_branch(branch=tree.branch, actor=tree.general_admin)


def test_an_initial_password_account_reset_becomes_registered(tree, make_person):
    person = make_person("导入团员", password=None, branch=tree.branch)
    code = reset.reset_code_issue(person=person, actor=tree.branch_admin).code
    reset.password_reset(id_number=person.id_number, code=code, new_password=NEW)
    person = Person.objects.get(pk=person.pk)
    assert person.registered and not person.must_change_password


# --- pages and API -----------------------------------------------------------


def test_forgot_password_page(tree, client):
    code = reset.reset_code_issue(person=tree.member, actor=tree.branch_admin).code
    bad = client.post("/accounts/reset/", {"id_number": tree.member.id_number, "reset_code": "XXXXXXXX",
                      "new_password": NEW, "new_password2": NEW})  # fmt: skip
    assert "验证码不正确" in bad.content.decode()
    ok = client.post("/accounts/reset/", {"id_number": tree.member.id_number, "reset_code": code,
                     "new_password": NEW, "new_password2": NEW})  # fmt: skip
    assert ok.status_code == 302
    login = client.post("/api/v1/auth/login", {"id_number": tree.member.id_number, "password": NEW},
                        content_type="application/json")  # fmt: skip
    assert login.status_code == 200


def test_api_reset_code_and_reset(tree, client, api_login):
    r = api_login(tree.branch_admin).post(f"/api/v1/orgs/{tree.branch.id}/people/{tree.member.id}/reset-code")
    assert r.status_code == 200 and set(r.json()) == {"reset_code", "expires_at"}
    assert (
        api_login(tree.general_admin)
        .post(f"/api/v1/orgs/{tree.branch.id}/people/{tree.member.id}/reset-code")
        .status_code
        == 403
    )
    done = client.post("/api/v1/auth/reset", {"id_number": tree.member.id_number, "reset_code": r.json()["reset_code"],
                       "new_password": NEW}, content_type="application/json")  # fmt: skip
    assert done.status_code == 204
    again = client.post("/api/v1/auth/reset", {"id_number": tree.member.id_number, "reset_code": r.json()["reset_code"],
                        "new_password": NEW}, content_type="application/json")  # fmt: skip
    assert again.status_code == 400 and again.json()["code"] == "reset_failed"


def test_page_issues_codes_for_the_right_admin_only(tree, client):
    cadre_assign(person=tree.member, org=tree.branch, position="宣传委员")
    client.force_login(tree.general_admin)
    assert client.post(f"/people/{tree.member.id}/reset-code/").status_code == 404
    client.force_login(tree.branch_admin)
    assert "验证码" in client.post(f"/people/{tree.member.id}/reset-code/").content.decode()
