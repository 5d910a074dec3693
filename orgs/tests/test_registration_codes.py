"""管理员注册码 (SPEC C1, C2)."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.exceptions import NotAllowed
from orgs import codes
from orgs.models import OrgAdmin, RegistrationCode


def test_a_code_is_eight_letters_and_digits_valid_twenty_days(tree):
    issued = codes.registration_code_issue(org=tree.uni, actor=tree.province_admin)
    assert re.fullmatch(r"[A-Za-z0-9]{8}", issued.code)
    assert abs(issued.expires_at - (timezone.now() + dt.timedelta(days=20))) < dt.timedelta(minutes=1)


def test_codes_are_random_not_sequential(tree):
    seen = {codes.registration_code_issue(org=tree.uni, actor=tree.province_admin).code for _ in range(30)}
    assert len(seen) == 30


def test_only_the_hash_of_a_code_is_stored(tree):
    issued = codes.registration_code_issue(org=tree.uni, actor=tree.province_admin)
    row = RegistrationCode.objects.get(org=tree.uni, replaced_at__isnull=True)
    assert issued.code not in row.code_hash
    assert row.code_hash == codes.code_hash(issued.code)


def test_a_new_code_replaces_the_unused_old_one(tree):
    codes.registration_code_issue(org=tree.uni, actor=tree.province_admin)
    codes.registration_code_issue(org=tree.uni, actor=tree.province_admin)
    rows = RegistrationCode.objects.filter(org=tree.uni)
    assert rows.count() == 2
    assert rows.filter(replaced_at__isnull=True).count() == 1


@pytest.mark.parametrize("actor", ["uni_admin", "root_admin", "outsider", "member"])
def test_only_the_direct_superiors_admin_issues_codes(tree, actor):
    with pytest.raises(NotAllowed):
        codes.registration_code_issue(org=tree.uni, actor=getattr(tree, actor))


def test_batch_issue_gives_every_direct_subordinate_without_an_admin_a_code_in_a_workbook(tree):
    OrgAdmin.objects.filter(org__in=[tree.city, tree.uni]).delete()
    issued = codes.registration_codes_issue_all(parent=tree.province, actor=tree.province_admin)
    assert {i.org for i in issued} == {tree.city, tree.uni}
    ws = load_workbook(io.BytesIO(codes.codes_workbook(issued))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("组织全称", "组织简称", "注册码", "有效期至")
    assert {r[2] for r in rows[1:]} == {i.code for i in issued}


def test_batch_issue_is_for_ones_own_subordinates_only(tree):
    with pytest.raises(NotAllowed):
        codes.registration_codes_issue_all(parent=tree.province, actor=tree.city_admin)


def test_code_status_reads_unissued_valid_used_expired(tree):
    assert codes.code_status(tree.uni, None) == "未生成"
    codes.registration_code_issue(org=tree.uni, actor=tree.province_admin)
    rc = RegistrationCode.objects.get(org=tree.uni)
    assert codes.code_status(tree.uni, rc) == "有效"
    rc.expires_at = timezone.now() - dt.timedelta(seconds=1)
    assert codes.code_status(tree.uni, rc) == "已过期"
    rc.used_at = timezone.now()
    assert codes.code_status(tree.uni, rc) == "已使用"


def test_api_issues_a_code_for_the_parents_admin_and_refuses_others(tree, api_login):
    ok = api_login(tree.province_admin).post(f"/api/v1/orgs/{tree.uni.id}/registration-code")
    assert ok.status_code == 200
    assert set(ok.json()) == {"code", "expires_at"}
    own = api_login(tree.uni_admin).post(f"/api/v1/orgs/{tree.uni.id}/registration-code")
    assert own.status_code == 403
    outsider = api_login(tree.outsider).post(f"/api/v1/orgs/{tree.uni.id}/registration-code")
    assert outsider.status_code == 404


def test_api_downloads_all_codes_as_xlsx(tree, api_login):
    OrgAdmin.objects.filter(org__in=[tree.city, tree.uni]).delete()
    response = api_login(tree.province_admin).post(f"/api/v1/orgs/{tree.province.id}/registration-codes.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.max_row == 3  # header + 团南京市委 + 南京医科大学团委
