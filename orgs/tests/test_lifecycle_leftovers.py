"""Issue 14, item 9: life-cycle leftovers.

- After 组织迁移 the 全称 still names the old superior: the new superior is asked to check it (O2, U4).
- Replacing the secretary (O4) leaves no second 书记: the former secretary's post ends or changes.
- The 待接转团支部 (U2) is shown and treated as the system's holding branch, not an ordinary subordinate.
- The delete confirmation speaks of what is being deleted (U2).
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from conftest import make_id_number
from core.exceptions import DomainError, NotAllowed
from orgchanges import admin_changes, deletion
from orgchanges.migration import (
    full_name_check,
    migration_apply,
    migration_approve,
    migration_full_name_confirm,
)
from orgs import codes, services
from orgs.models import Org, OrgMigration
from orgs.rules import Category
from people import org_info
from people.models import Cadre, Person
from people.services import cadre_assign
from workflow.models import Message

# --- 组织迁移: the 全称 after the move -------------------------------------------------------------------------


def migrate_uni(tree) -> OrgMigration:
    m = migration_apply(org=tree.uni, to_parent=tree.other_province, reason="学校划转", actor=tree.uni_admin)
    m = migration_approve(migration=m, actor=tree.province_admin)
    return migration_approve(migration=m, actor=tree.outsider)


OLD = "共青团江苏省委员会南京医科大学团委"
NEW = "共青团浙江省委员会南京医科大学团委"


def test_after_the_move_the_new_superior_is_asked_to_check_the_full_name(tree, make_person):
    second = make_person("浙江第二管理员", birth="19870303")
    cadre_assign(person=second, org=tree.other_province, position="副书记")
    from people.admins import org_admin_add

    org_admin_add(org=tree.other_province, person=second)
    m = migrate_uni(tree)
    uni = Org.objects.get(pk=tree.uni.pk)
    assert uni.full_name == OLD  # nothing renamed behind anyone's back
    todo = Message.objects.get(recipient=second, process=m.process, kind=Message.Kind.TODO, text__contains="全称")
    assert OLD in todo.text and NEW in todo.text and "核对" in todo.text
    told = Message.objects.filter(recipient=tree.uni_admin, process=m.process, text__contains=NEW)
    assert told.exists()  # the moved organisation's admin learns who corrects it
    check = full_name_check(uni)
    assert check is not None and check.pk == m.pk and check.proposed == NEW
    assert check.subtree_with_old_name == Org.objects.filter(Org.subtree_q(uni.path)).count() - 1


def test_confirming_the_proposal_renames_the_org_and_optionally_its_subordinates(tree):
    m = migrate_uni(tree)
    org = migration_full_name_confirm(migration=m, actor=tree.outsider, full_name=NEW, descendants=True)
    assert org.full_name == NEW and Org.objects.get(pk=tree.uni.pk).full_name == NEW
    college = Org.objects.get(pk=tree.college.pk)
    assert college.full_name == NEW + "第一临床医学院团委"
    assert org.descendants_renamed == Org.objects.filter(Org.subtree_q(org.path)).count() - 1
    assert AuditEvent.objects.filter(verb="核对组织全称", target_id=str(tree.uni.pk)).exists()
    assert full_name_check(Org.objects.get(pk=tree.uni.pk)) is None  # asked once


def test_keeping_the_old_name_also_counts_as_checked(tree):
    m = migrate_uni(tree)
    migration_full_name_confirm(migration=m, actor=tree.outsider, full_name=OLD)
    assert Org.objects.get(pk=tree.uni.pk).full_name == OLD
    assert Org.objects.get(pk=tree.college.pk).full_name.startswith(OLD)
    assert full_name_check(Org.objects.get(pk=tree.uni.pk)) is None


@pytest.mark.parametrize("who", ["uni_admin", "province_admin"])
def test_only_the_new_direct_superior_confirms_the_full_name(tree, who):
    m = migrate_uni(tree)
    with pytest.raises(NotAllowed, match="直属上级组织"):
        migration_full_name_confirm(migration=m, actor=getattr(tree, who), full_name="改名")
    assert Org.objects.get(pk=tree.uni.pk).full_name == OLD


def test_an_open_migration_has_nothing_to_check(tree):
    m = migration_apply(org=tree.uni, to_parent=tree.other_province, reason="学校划转", actor=tree.uni_admin)
    assert full_name_check(tree.uni) is None
    with pytest.raises(DomainError, match="已完成迁移"):
        migration_full_name_confirm(migration=m, actor=tree.outsider, full_name=NEW)


def test_the_migration_page_offers_the_new_superior_a_one_click_confirmation(tree, client):
    m = migrate_uni(tree)
    client.force_login(tree.outsider)
    page = client.get(reverse("orgs:migration_detail", args=[m.pk])).content.decode()
    assert "核对组织全称" in page and f'value="{NEW}"' in page
    done = client.post(
        reverse("orgs:migration_action", args=[m.pk, "full_name"]), {"full_name": NEW, "descendants": "1"}, follow=True
    )
    assert f"已确认南京医科大学团委的组织全称：{NEW}" in done.content.decode()
    assert Org.objects.get(pk=tree.uni.pk).full_name == NEW
    assert "确认组织全称" not in client.get(reverse("orgs:migration_detail", args=[m.pk])).content.decode()


def test_the_moved_organisations_info_page_says_who_checks_the_name(tree, client):
    migrate_uni(tree)
    client.force_login(tree.uni_admin)
    page = client.get(reverse("orgs:info", args=[tree.uni.pk])).content.decode()
    assert "核对组织全称" in page and NEW in page and "确认组织全称" not in page
    assert "由直属上级组织（团浙江省委）的管理员核对更正" in page


# --- O4: one 书记 after the secretary is replaced -------------------------------------------------------------


def post_info(client, org, **fields):
    data = {"phone": "025-86862000", "email": "", "secretary_name": "", "secretary_id_number": "",
            "secretary_mobile": "", **fields}  # fmt: skip
    return client.post(reverse("orgs:info", args=[org.pk]), data, follow=True)


def secretaries(org) -> list[str]:
    return sorted(Cadre.objects.filter(org=org, position="书记").values_list("person__name", flat=True))


def test_a_former_secretary_who_is_no_admin_gives_up_the_post_and_stays_a_member(tree, client):
    cadre_assign(person=tree.member, org=tree.branch, position="书记")
    Org.objects.filter(pk=tree.branch.pk).update(secretary=tree.member)
    Cadre.objects.filter(org=tree.branch, person=tree.branch_admin).update(position="组织委员")
    client.force_login(tree.branch_admin)
    id_number = make_id_number("20000303")
    page = post_info(client, tree.branch, secretary_name="新任书记", secretary_id_number=id_number).content.decode()
    assert "原书记普通团员的书记职务已结束，仍是本支部团员。" in page
    assert secretaries(tree.branch) == ["新任书记"]
    assert not Cadre.objects.filter(org=tree.branch, person=tree.member).exists()
    assert Person.objects.get(pk=tree.member.pk).branch_id == tree.branch.pk
    assert AuditEvent.objects.filter(verb="结束书记职务", target_id=str(tree.member.pk)).exists()


def test_a_former_secretary_who_is_an_admin_becomes_a_committee_member(tree, client):
    Org.objects.filter(pk=tree.general.pk).update(secretary=tree.general_admin)
    client.force_login(tree.general_admin)
    id_number = make_id_number("19980404")
    page = post_info(
        client, tree.general, secretary_name="新团总支书记", secretary_id_number=id_number
    ).content.decode()
    assert "原书记团总支管理员不再担任书记" in page and "团内职务改为委员" in page
    assert secretaries(tree.general) == ["新团总支书记"]
    assert Cadre.objects.get(org=tree.general, person=tree.general_admin).position == "委员"
    event = AuditEvent.objects.get(verb="变更团干部职务", target_id=str(tree.general_admin.pk))
    assert event.changes["position"] == ["书记", "委员"]


def test_the_service_says_what_became_of_the_former_secretary(tree):
    id_number = make_id_number("19970505")
    org = org_info.org_info_update(org=tree.general, actor=tree.college_admin,
                                   data={"secretary_name": "新书记", "secretary_id_number": id_number})  # fmt: skip
    assert org.secretary_notes and "团总支管理员" in org.secretary_notes[0]
    assert secretaries(tree.general) == ["新书记"]
    again = org_info.org_info_update(org=org, actor=tree.college_admin, data={"phone": "025-86862000"})
    assert again.secretary_notes == [] and secretaries(tree.general) == ["新书记"]


# --- the 待接转团支部 -----------------------------------------------------------------------------------------------


@pytest.fixture
def pending(tree):
    result = deletion.org_delete(org=tree.branch, actor=tree.general_admin)
    return Org.objects.get(pk=result["pending_branch_id"])


def test_no_code_admin_or_information_for_the_pending_branch(tree, pending):
    with pytest.raises(DomainError, match=r"待接转团支部.*不生成注册码") as e:
        codes.registration_code_issue(org=pending, actor=tree.general_admin)
    assert e.value.code == "pending_branch"
    person = Person.objects.filter(branch=pending).first()
    with pytest.raises(DomainError, match="不设管理员"):
        admin_changes.admin_change_request(org=pending, person=person, action="add", actor=tree.general_admin)
    with pytest.raises(DomainError, match="无需填写组织信息"):
        org_info.org_info_update(org=pending, actor=tree.general_admin, data={"phone": "025-86862000"})
    assert pending not in codes.registration_codes_plan(parent=tree.general, actor=tree.general_admin).orgs


def test_the_pending_branch_is_not_sorted_with_the_others(tree, pending):
    other = services.org_create_child(parent=tree.general, short_name="四班团支部", category=Category.BRANCH,
                                      actor=tree.general_admin)  # fmt: skip
    services.children_reorder(parent=tree.general, ordered_ids=[other.pk], actor=tree.general_admin)
    assert Org.objects.get(pk=pending.pk).sort_order == 9999
    with pytest.raises(DomainError, match="待接转团支部除外"):
        services.children_reorder(parent=tree.general, ordered_ids=[pending.pk, other.pk], actor=tree.general_admin)


def test_the_children_page_shows_the_pending_branch_as_what_it_is(tree, pending, client):
    client.force_login(tree.general_admin)
    page = client.get(reverse("orgs:children", args=[tree.general.pk])).content.decode()
    row = page[page.index('class="pending-branch"') :]
    row = row[: row.index("</tr>")]
    assert "暂存已删除团支部的团员" in row and "系统建立" in row
    assert "9999" not in row and "未注册" not in row
    assert "生成注册码" not in row and "管理员</a>" not in row and "组织信息</a>" not in row
    assert reverse("orgs:delete", args=[pending.pk]) not in row  # members inside: nothing to delete
    assert reverse("people:members", args=[pending.pk]) in row
    order = client.get(reverse("orgs:children_order", args=[tree.general.pk])).content.decode()
    assert f'value="{pending.pk}"' not in order


def test_the_detail_page_says_what_the_pending_branch_is_for(tree, pending, client):
    client.force_login(tree.general_admin)
    page = client.get(reverse("orgs:detail", args=[pending.pk])).content.decode()
    assert "暂存已删除团支部的团员" in page and "尚未注册管理员" not in page


# --- the delete confirmation --------------------------------------------------------------------------------------


def test_the_branch_confirmation_speaks_of_its_members(tree, client):
    client.force_login(tree.general_admin)
    response = client.get(reverse("orgs:delete", args=[tree.branch.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and Org.objects.filter(pk=tree.branch.pk).exists()
    assert "有 <strong>2</strong> 名团员" in page and "待接转团支部" in page
    assert "确认删除五年制临床医学2017级3班团支部" in page


def test_the_committee_confirmation_speaks_of_its_subordinates_and_posts_not_members(tree, client):
    client.force_login(tree.college_admin)
    page = client.get(reverse("orgs:delete", args=[tree.general.pk])).content.decode()
    assert "暂不能删除" in page and "五年制临床医学2017级3班团支部" in page and "团员将移入" not in page
    assert "确认删除" not in page and "结束以上职务并删除" not in page
    deletion.org_delete(org=tree.branch, actor=tree.general_admin)
    Person.objects.filter(branch__parent=tree.general).update(branch=None)
    deletion.org_delete(org=Org.objects.get(parent=tree.general), actor=tree.general_admin)
    page = client.get(reverse("orgs:delete", args=[tree.general.pk])).content.decode()
    assert "团总支管理员" in page and "结束以上职务并删除" in page and "团员将" not in page


def test_the_list_no_longer_promises_members_moving_for_every_row(tree, client):
    client.force_login(tree.college_admin)
    page = client.get(reverse("orgs:children", args=[tree.college.pk])).content.decode()
    assert "团支部的团员将移入" not in page
    assert f'href="{reverse("orgs:delete", args=[tree.general.pk])}"' in page


def test_the_preview_data(tree):
    branch = deletion.deletion_preview(tree.branch)
    assert branch["kind"] == "branch" and branch["members"] == 2 and not branch["blocked"]
    general = deletion.deletion_preview(tree.general)
    assert general["kind"] == "committee" and general["children"] == ["五年制临床医学2017级3班团支部"]
    assert "自下而上" in general["blocked"] and general["admins"] == ["团总支管理员"]
