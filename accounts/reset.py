"""重置密码验证码 and 忘记密码 (SPEC P8).

The right admin (people.access.can_reset_password) issues a code and hands
it over; the person uses it with their ID number to set a new password.
One live code per person (a new one replaces the old), single use, valid
two days: a core.onetime code (8 characters, case-sensitive, no look-alikes,
stored only as a keyed hash). Every failure of the reset itself gets the
same answer, so the form reveals nothing about who exists.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core import onetime
from core.exceptions import DomainError
from excel.workbooks import table_workbook, to_bytes
from orgs import access as org_access
from people import access
from people.models import Person
from people.services import person_find, validate_new_password

from .models import PasswordResetCode
from .services import credentials_revoke

KIND = onetime.RESET
LENGTH = onetime.LENGTH
VALID = KIND.valid
MAX_WRONG_TRIES = KIND.max_wrong_tries  # wrong codes tried while one code is live: then it is void (issue 12, item 14)
# The one answer for unknown ID, wrong, expired or used code and too many attempts (issue 8).
RESET_FAILED = (
    "身份证号码或验证码不正确，或验证码已过期、已使用，或尝试次数过多。请核对后稍后重试，或请管理员重新生成验证码。"
)


@dataclass
class IssuedResetCode:
    person: Person
    code: str
    expires_at: datetime


def _issue(people: list[Person], actor) -> list[IssuedResetCode]:
    """A new code for each person, replacing their live one: two queries however many people there are."""
    codes = onetime.issue_for(KIND, PasswordResetCode, "person", people, actor)
    return [IssuedResetCode(person=p, code=c.code, expires_at=c.expires_at) for p, c in zip(people, codes, strict=True)]


@transaction.atomic
def reset_code_issue(*, person: Person, actor) -> IssuedResetCode:
    access.require(
        access.can_reset_password(actor, person),
        "只有该团员所在团支部的管理员（团干部：其所在组织或直属上级组织的管理员）可以生成重置密码验证码。",
    )
    [issued] = _issue([person], actor)
    audit_record(actor=actor, verb="生成重置密码验证码", target=person, org=person.branch)
    return issued


@dataclass
class BranchPlan:
    """What 批量生成重置密码验证码 would do now: a code for each of `members`, `replaces` of their live codes
    stopping working."""

    members: int
    replaces: int


def _require_branch_admin(actor, branch) -> None:

    access.require(
        org_access.is_admin_of(actor, branch) and branch.is_branch, "只有本支部管理员可以批量生成重置密码验证码。"
    )


def reset_codes_plan_branch(*, branch, actor) -> BranchPlan:
    """The confirm step of the branch's bulk reset codes (changes nothing)."""
    _require_branch_admin(actor, branch)
    members = Person.objects.filter(branch=branch)
    replaces = onetime.count_live(PasswordResetCode.objects.filter(person__in=members), KIND)
    return BranchPlan(members=members.count(), replaces=replaces)


@transaction.atomic
def reset_codes_issue_branch(*, branch, actor) -> list[IssuedResetCode]:
    """§7: codes for every member of a branch at once, for its admin."""
    _require_branch_admin(actor, branch)
    issued = _issue(list(Person.objects.filter(branch=branch).order_by("name", "id")), actor)
    audit_record(actor=actor, verb="批量生成重置密码验证码", target=branch, org=branch, changes={"count": len(issued)})
    return issued


def reset_codes_filename(branch) -> str:
    """The branch's name and the day, as the admin looks for the file later (issue 14, item 11)."""
    return f"重置密码验证码_{branch.short_name}_{timezone.localdate():%Y%m%d}.xlsx"


def reset_codes_workbook(issued: list[IssuedResetCode]) -> bytes:

    rows = ([i.person.name, i.person.id_number_masked, i.code, onetime.expiry_text(i.expires_at)] for i in issued)
    columns = (("姓名", 12), ("身份证号码", 22), ("重置密码验证码", 18), ("有效期至", 20))
    return to_bytes(table_workbook("重置密码验证码", columns, rows))


def _live_codes(person: Person):
    return PasswordResetCode.objects.filter(onetime.live_q(KIND), person=person)


def _try_code(person: Person | None, code: str) -> PasswordResetCode | None:
    """The person's live code if `code` is it; a wrong code counts against the live one (void at the 5th).

    Its own transaction, committed before the refusal is raised, so the count survives the refusal; the
    live row is locked (SQLite: the write lock), so concurrent guesses take turns and none sees a stale count.
    """
    if person is None:
        return None
    with transaction.atomic():
        live = _live_codes(person).select_for_update().order_by("-created_at").first()
        if live is None:
            return None
        if onetime.matches(KIND, live.code_hash, code):
            return live
        onetime.count_wrong_try(PasswordResetCode, live.pk)
    return None


def password_reset(*, id_number: str, code: str, new_password: str) -> Person:
    person = person_find(id_number) if id_number else None
    live = _try_code(person, code)
    if live is None:
        raise DomainError(RESET_FAILED, code="reset_failed")
    with transaction.atomic():
        return _reset(person, live, new_password)


def _reset(person: Person, live: PasswordResetCode, new_password: str) -> Person:
    validate_new_password(new_password, person, field="new_password")  # not a wrong try: the code was right
    if not _live_codes(person).filter(pk=live.pk).update(used_at=timezone.now()):
        raise DomainError(RESET_FAILED, code="reset_failed")
    person.activate_account(new_password)
    person.save(update_fields=["password", "account_state", "must_change_password", "registered_at"])

    credentials_revoke(person=person)  # every API token; sessions end with the old password's hash
    audit_record(actor=person, verb="重置密码", target=person, org=person.branch)
    return person
