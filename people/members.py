"""Members of branches (SPEC P2, P5, P6, P9): one at a time, verification, deletion.

The Excel import checks each row with the same function (`check_new_member`), so a row
and a form are refused for the same reasons with the same words.
"""

from django.db import transaction

from audit.services import audit_record
from core.exceptions import Conflict, Invalid, NotAllowed, join_messages
from orgs import access as org_access
from orgs.models import Org, OrgAdmin
from orgs.rules import Category

from . import access
from .choices import BRANCH_POSITIONS
from .models import AccountState, Cadre, Person
from .services import (
    development_number_fill,
    person_create,
    person_find,
    person_save_new,
    require_development_number_free,
    require_in_league,
    validate_new_password,
)
from .validation import clean_person_fields

MEMBER_REQUIRED = ("name", "id_number", "political_status", "league_join_date")  # P10 import-mandatory
MEMBER_FIELDS = (
    "name", "id_number", "ethnicity", "political_status", "league_join_date",
    "education", "occupation", "mobile", "email",
)  # fmt: skip
# Entered one at a time (page, API, self-registration): with the 发展团员编号 (P11). The Excel import
# reads it only when the file has the column (people.member_import).
ENTRY_FIELDS = (*MEMBER_FIELDS, "development_number")


# What an admin learns about an ID number held outside their own subtree: that it is on record, and
# how to proceed; never where (issue 12, item 7).
HELD_ELSEWHERE_MESSAGE = (
    "该身份证号码已在系统中登记，不能重复录入。如该团员已转入本支部，请通过“组织关系转接 → 办理转入”"
    "填写其姓名和身份证号码申请转入，申请会交由其现所在团组织审批。"
)


def held_elsewhere_message(person: Person, branch: Org, actor) -> str:
    """Why `person` cannot be entered into `branch`; the holding branch is named only inside the actor's subtree."""
    if person.branch_id == branch.id:
        return f"{person.name}已是本支部成员。"
    holder = person.branch if person.branch_id else None
    if holder is None or not org_access.can_view(actor, holder):
        return HELD_ELSEWHERE_MESSAGE
    return (
        f"该身份证号码已登记为“{holder.full_name}”的团员，不能重复录入。"
        f"如该团员已转入本支部，请通过“组织关系转接 → 办理转入”申请转接。"
    )


def check_new_member(
    branch: Org, data: dict, position: str = "", *, fields: tuple[str, ...] = ENTRY_FIELDS
) -> tuple[dict, list[dict]]:
    """Clean one member's fields, 发展团员编号 (P11) included, and refuse what cannot be entered; no database.

    The member import checks each row with this function (imports.importers.members), with the
    递交入党申请书年月 of its template and without 发展团员编号 for a template from before that column.
    """
    clean, errors = clean_person_fields({k: data.get(k) for k in fields}, required=MEMBER_REQUIRED)
    if position and position not in BRANCH_POSITIONS:
        errors.append(
            {
                "field": "position",
                "message": f"团内职务“{position}”不可选，请从下拉列表中选择：{'、'.join(BRANCH_POSITIONS)}；普通团员请留空。",
            }
        )
    return clean, errors


def require_member_importer(actor, branch: Org) -> None:
    """P5 (1)(2): the branch's admin, or the admin of its direct superior."""
    if not branch.is_branch:
        raise Invalid(
            f"{branch.short_name}是{branch.category}，团员只能录入到团支部：请选择一个直属团支部（录入下级支部成员）。",
            code="not_a_branch",
        )
    if branch.category == Category.GRADUATED:
        raise Invalid(
            f"{branch.short_name}是毕业生团组织，只保留已毕业班级的团员直至转出，不能录入新团员。", code="graduated"
        )
    if not access.can_enter_members(actor, branch):
        raise NotAllowed(
            f"只有{branch.short_name}的管理员或其直属上级组织的管理员可以录入该支部的团员团干部；更上级组织只能查看。",
            code="forbidden",
        )


def member_target(*, org: Org, branch_id: int | None, actor) -> Org:
    """The branch members are entered into: `org` itself, or its direct subordinate branch `branch_id` (P5-1)."""
    if branch_id is None or branch_id == org.pk:
        target = org
    else:
        target = org_access.fetch_org(actor, branch_id)
        if target.parent_id != org.pk:
            raise NotAllowed(
                f"{target.short_name}不是{org.short_name}的直属团支部：录入下级支部成员只能选择直属团支部，"
                "更下级的团支部由其直属上级组织或支部自己的管理员录入。",
                code="forbidden",
            )
    require_member_importer(actor, target)
    return target


@transaction.atomic
def member_add(*, branch: Org, data: dict, position: str = "", actor) -> Person:
    """P5 (1)(2): the branch admin, or the direct superior's admin, enters one member."""
    if branch.category not in (Category.BRANCH, Category.PENDING):
        raise Invalid("团员只能录入到团支部。", code="not_a_branch")
    access.require(access.can_enter_members(actor, branch), "只有本支部管理员或直属上级组织管理员可以录入团员。")
    clean, errors = check_new_member(branch, data, position)
    if errors:
        raise Invalid(
            "团员信息有误：" + join_messages(e["message"] for e in errors), code="invalid_person", errors=errors
        )
    existing = person_find(clean["id_number"])
    if existing is not None:
        require_in_league(existing, "重新录入团支部")  # ST3: only 恢复团籍 brings a member who left back
        if existing.branch_id is None and existing.name == clean["name"]:
            # A cadre or secretary already on record joins a branch: link, do not duplicate.
            development_number_fill(existing, clean.pop("development_number"))
            existing.branch = branch
            for field, value in clean.items():
                if value not in (None, "") and not getattr(existing, field):
                    setattr(existing, field, value)
            existing.save()
            person = existing
        else:
            raise Conflict(held_elsewhere_message(existing, branch, actor), code="person_held_elsewhere")
    else:
        person = person_create(data=clean, actor=actor, branch=branch, account_state=AccountState.INITIAL)
    if position:
        Cadre.objects.update_or_create(person=person, org=branch, defaults={"position": position})
    audit_record(actor=actor, verb="录入团员", target=person, org=branch, changes={"id_number": person.id_number})
    return person


@transaction.atomic
def member_delete(*, person: Person, actor) -> None:
    """P9: the branch admin alone deletes a member; their posts elsewhere end with the record."""
    access.require(access.can_manage_member(actor, person), "只有该团员所在团支部的管理员可以删除团员。")

    if OrgAdmin.objects.filter(person=person).exists():
        raise Conflict(f"{person.name}是组织管理员，请先撤销其管理员身份再删除。", code="person_is_admin")
    if Org.objects.filter(secretary=person).exists():
        raise Conflict(f"{person.name}被登记为组织书记，请先在组织信息中更换书记再删除。", code="person_is_secretary")
    branch = person.branch
    audit_record(actor=actor, verb="删除团员", target=person, org=branch, changes={"id_number": person.id_number})
    person.delete()


@transaction.atomic
def member_verify(*, person: Person, approve: bool, actor) -> Person | None:
    """P5 (3): the branch admin verifies a self-registered member (认证) or rejects them."""
    access.require(access.can_manage_member(actor, person), "只有该团员所在团支部的管理员可以认证。")
    if person.verified:
        raise Conflict(f"{person.name}已经认证过了。", code="already_verified")
    branch = person.branch
    if approve:
        person.verified = True
        person.save(update_fields=["verified"])
        audit_record(actor=actor, verb="认证团员", target=person, org=branch)
        return person
    audit_record(actor=actor, verb="驳回团员注册", target=person, org=branch, changes={"id_number": person.id_number})
    person.delete()
    return None


@transaction.atomic
def member_self_register(*, branch_id: int, data: dict, password: str, before_lookup=None) -> Person:
    """P5 (3) 团员团干部注册: the person chooses their branch and waits (待认证) for its admin.

    Anonymous, so no ID-number oracle (issue 12, item 6): every rule that does not depend on whether the
    ID number is on record, the password rules included, is checked first, so a refusal answers the same
    for a known and an unknown number; only then `before_lookup(id_number)` (the caller's rate limit,
    core.ratelimits.check_code_attempt) runs, and the look-up that may answer person_exists.
    """
    branch = Org.objects.filter(pk=branch_id, category=Category.BRANCH).first()
    if branch is None:
        raise Invalid("请选择要加入的团支部（只能选择团支部）。", code="not_a_branch",
                      errors=[{"field": "branch_id", "message": "请选择团支部。"}])  # fmt: skip
    clean, errors = clean_person_fields({k: data.get(k) for k in ENTRY_FIELDS}, required=(*MEMBER_REQUIRED, "mobile"))
    if errors:
        raise Invalid(
            "个人信息有误：" + join_messages(e["message"] for e in errors), code="invalid_person", errors=errors
        )
    person = Person(**clean, branch=branch, verified=False)
    validate_new_password(password, person)
    if before_lookup is not None:
        before_lookup(clean["id_number"])
    if person_find(clean["id_number"]) is not None:
        raise Conflict(
            "该身份证号码已在系统中登记。已由组织录入的，请用身份证号码登录（初始密码为身份证号码后8位）或使用“忘记密码”；"
            "需要更换团支部的，请申请组织关系转接。",
            code="person_exists",
        )
    require_development_number_free(clean["development_number"])
    person.activate_account(password)
    person_save_new(person)
    audit_record(actor=person, verb="团员自行注册", target=person, org=branch)
    return person
