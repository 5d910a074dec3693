"""管理员注册 (SPEC C3–C5): a person with a code from above becomes admin and cadre of an organisation.

Every refusal says why. Two registrations racing for one code: the code is
claimed with a conditional UPDATE (used_at IS NULL), so exactly one wins on
SQLite and PostgreSQL alike; a fourth admin is refused under the lock that
people.admins.org_admin_add takes on the organisation row.
"""

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core import onetime
from core.exceptions import Conflict, Invalid, NotFound, join_messages
from core.normalize import clean_text
from core.ratelimits import check_code_attempt
from orgs import codes
from orgs.models import Org, RegistrationCode
from orgs.rules import Category
from people import services as people_services
from people.admins import org_admin_add
from people.choices import BRANCH_POSITIONS, COMMITTEE_POSITIONS
from people.models import AccountState, Person
from people.profile import RESERVED_FIELDS
from people.services import (
    development_number_fill,
    person_save_new,
    require_development_number_free,
    validate_new_password,
)
from people.validation import clean_person_fields

from .backends import id_number_key

# Every field S2/S3 count (P10), so a new admin counts as a complete cadre from the start (issue 14, item 7).
REQUIRED = ("name", "id_number", "political_status", "league_join_date", "ethnicity", "education", "occupation",
            "mobile")  # fmt: skip
PERSON_FIELDS = (
    "name", "id_number", "ethnicity", "political_status", "league_join_date",
    "education", "occupation", "mobile", "email",
)  # fmt: skip


def positions_for(org: Org) -> list[str]:
    return BRANCH_POSITIONS if org.category == Category.BRANCH else COMMITTEE_POSITIONS


def check_code(org: Org, raw_code: str) -> RegistrationCode:
    code = (raw_code or "").strip()
    if not code:
        raise Invalid(
            "请填写管理员注册码。", code="code_required", errors=[{"field": "code", "message": "请填写管理员注册码。"}]
        )
    # Looked up within the chosen organisation: another organisation's code reads as a wrong code, so a
    # guess never learns that it hit a code live elsewhere (issue 12, item 14).
    rc = RegistrationCode.objects.filter(code_hash__in=onetime.candidate_hashes(codes.KIND, code), org=org).first()
    if rc is None:
        raise Invalid(
            f"注册码不正确：请核对上级组织提供的“{org.full_name}”的8位注册码（区分大小写字母），并确认选择的组织正确。",
            code="code_invalid",
            errors=[{"field": "code", "message": "注册码不正确（区分大小写）。"}],
        )
    state = onetime.state(codes.KIND, rc)
    if state == onetime.State.USED:
        raise Conflict("该注册码已被使用，每个注册码只能注册一次；请联系上级组织管理员重新生成。", code="code_used")
    if state == onetime.State.REPLACED:
        raise Conflict(
            "该注册码已作废（上级组织已为本组织生成了新的注册码），请使用最新的注册码。", code="code_replaced"
        )
    if state == onetime.State.EXPIRED:
        local = timezone.localtime(rc.expires_at)
        raise Conflict(
            f"该注册码已于{local:%Y年%m月%d日 %H:%M}过期（有效期20天），请联系上级组织管理员重新生成。",
            code="code_expired",
        )
    return rc


@transaction.atomic
def admin_register(*, org_id: int, position: str, code: str, person_data: dict, password: str) -> Person:
    org = Org.objects.filter(pk=org_id).first()
    if org is None:
        raise NotFound("所选组织不存在，请重新搜索并选择组织。", code="org_not_found")
    if org.category == Category.PENDING:
        raise Invalid("待接转团支部由上级组织管理，不能注册管理员。", code="org_pending")
    if position not in positions_for(org):
        raise Invalid(
            f"团内职务“{position}”不可选，{org.category}可选：{'、'.join(positions_for(org))}。",
            code="bad_position",
            errors=[{"field": "position", "message": "请选择团内职务。"}],
        )
    clean, errors = clean_person_fields(
        {k: person_data.get(k) for k in (*PERSON_FIELDS, "development_number")}, required=REQUIRED
    )
    number = clean.pop("development_number", None)
    if errors:
        raise Invalid(
            "个人信息有误：" + join_messages(e["message"] for e in errors), code="invalid_person", errors=errors
        )
    rc = check_code(org, code)

    person = people_services.person_find(clean["id_number"])
    if person is None:
        require_development_number_free(number)
        person = Person(**clean, development_number=number, account_state=AccountState.ACTIVE, home_org=org)
        person.password_policy_admin = True  # about to be an admin: accounts.validators asks 12 characters
        validate_new_password(password, person)
        person.activate_account(password)
        person_save_new(person)
    else:
        if person.name != clean["name"]:
            raise Invalid(
                "姓名与系统中该身份证号码登记的姓名不一致，请核对；如登记有误，请联系所在组织管理员更正。",
                code="name_mismatch",
                errors=[{"field": "name", "message": "姓名与登记信息不一致。"}],
            )
        # A person on record proves who they are with their own password. Knowing a name, an ID number
        # and a code must never set the password of someone who has not registered (issue 12).
        if not person.registered:
            raise Conflict(
                "该身份证号码已在系统中登记，但尚未设置登录密码：请先用身份证号码和初始密码（身份证号码后8位）登录并设置"
                "新密码（初始密码已失效的，请向负责您信息的组织管理员索取重置密码验证码，通过“忘记密码”设置），"
                "然后在此处填写您设置的密码完成管理员注册。",
                code="activate_first",
                errors=[{"field": "password", "message": "请先设置登录密码，再用该密码注册。"}],
            )
        if not person.check_password(password):
            raise Invalid(
                "该身份证号码已注册账号：请填写您现有的登录密码（忘记密码请使用“忘记密码”）。",
                code="registered_password",
                errors=[{"field": "password", "message": "请填写现有的登录密码。"}],
            )
        for field, value in clean.items():
            if value in (None, "") or field in ("name", "id_number"):
                continue
            if field in RESERVED_FIELDS and getattr(person, field):
                continue  # P11: 入团年月 on record is the branch admin's to change, not the registrant's
            setattr(person, field, value)
        development_number_fill(person, number)  # against the 入团年月 on record (or just entered)
        person.save()

    claimed = RegistrationCode.objects.filter(pk=rc.pk, used_at__isnull=True, replaced_at__isnull=True).update(
        used_at=timezone.now(), used_by=person
    )
    if not claimed:
        raise Conflict("该注册码已被使用，每个注册码只能注册一次；请联系上级组织管理员重新生成。", code="code_used")
    people_services.cadre_assign(person=person, org=org, position=position, actor=person)
    org_admin_add(org=org, person=person, actor=person)
    audit_record(
        actor=person, verb="管理员注册", target=org, org=org, changes={"person": person.name, "position": position}
    )
    return person


def org_search(query: str, limit: int = 20, *, branches_only: bool = False) -> list[Org]:
    """Organisations whose 全称 contains the query, for the registration pickers (public, names only)."""
    query = clean_text(query)
    if len(query) < 2:
        return []
    qs = Org.objects.filter(category=Category.BRANCH) if branches_only else Org.objects.all()
    return list(
        qs.filter(full_name__contains=query)
        .exclude(category=Category.PENDING)
        .only("id", "full_name", "category")
        .order_by("depth", "path")[:limit]
    )


def id_lookup_limit(request):
    """团员注册's rate limit on asking whether an ID number is on record (issue 12, item 6), for
    people.members.member_self_register(before_lookup=...): per address, per ID number and site-wide, as
    for the codes; counted only for requests that passed every other rule."""

    def check(id_number: str) -> None:
        check_code_attempt(request, "id-lookup", account=id_number_key(id_number))

    return check
