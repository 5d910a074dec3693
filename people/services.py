"""State changes of people records."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.services import audit_record
from core.exceptions import Conflict, Invalid, join_messages

from .models import AccountState, Cadre, Person
from .validation import check_development_number, clean_person_fields


def validate_new_password(password: str, person: Person, field: str = "password") -> None:
    """The password policy (settings.AUTH_PASSWORD_VALIDATORS), as a DomainError with field messages."""
    try:
        password_validation.validate_password(password, user=person)
    except ValidationError as e:
        label = "新密码" if field == "new_password" else "密码"
        raise Invalid(
            f"{label}不符合要求：" + join_messages(e.messages),
            code="weak_password",
            errors=[{"field": field, "message": m} for m in e.messages],
        ) from None


def left_message(person: Person, action: str) -> str:
    return f"{person.name}已{person.league_status}，其团员记录只读，不能{action}；如需恢复，请申请恢复团籍。"


def require_in_league(person: Person, action: str) -> None:
    """ST3: a member who left keeps a read-only record: no edits, transfers, posts or ratings (Conflict)."""
    if person.has_left:
        raise Conflict(left_message(person, action), code="person_left")


def person_find(id_number: str) -> Person | None:
    return Person.objects.by_id_number(id_number).first()


# 发展团员编号 (P11) of a person being entered or registering. The shape is
# validation.check_development_number's, as in the member import and the
# branch admin's record edit; uniqueness is nationwide and answered 409.


def development_number_taken(number: str, *, person: Person | None = None) -> bool:
    qs = Person.objects.filter(development_number=number)
    if person is not None and person.pk:
        qs = qs.exclude(pk=person.pk)
    return qs.exists()


def development_number_conflict(number: str) -> Conflict:
    message = f"发展团员编号“{number}”已被其他团员使用。发展团员编号全国唯一，请核对后重新填写。"
    return Conflict(
        message, code="development_number_taken", errors=[{"field": "development_number", "message": message}]
    )


def require_development_number_free(number: str | None, *, person: Person | None = None) -> None:
    """P11: nobody else (`person` is the one it is for) holds the number; Conflict otherwise."""
    if number and development_number_taken(number, person=person):
        raise development_number_conflict(number)


def development_number_fill(person: Person, number: str | None) -> bool:
    """An existing record takes an entered number if it has none (whether it was set is returned).

    The number must fit the 入团年月 on record. A different number already on
    record is never overwritten (P11: the branch admin edits it): it is
    refused, so the person entering it checks.
    """
    if not number or number == person.development_number:
        return False
    message = ""
    if person.development_number:
        message = (
            f"填写的发展团员编号“{number}”与系统中该人员登记的不一致，请核对；"
            "如登记有误，请由其所在团支部管理员在团员信息中更正。"
        )
    elif person.league_join_date is not None:
        try:
            check_development_number(number, person.league_join_date)
        except ValidationError as e:
            message = f"系统中该人员登记的入团年月为{person.league_join_date:%Y年%m月}：{e.messages[0]}"
    if message:
        raise Invalid(message, code="development_number_mismatch",
                      errors=[{"field": "development_number", "message": message}])  # fmt: skip
    require_development_number_free(number, person=person)
    person.development_number = number
    return True


def person_save_new(person: Person) -> None:
    """INSERT a new person; a development number taken by a concurrent entry is a Conflict, not an error page."""
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        if person.development_number and development_number_taken(person.development_number):
            raise development_number_conflict(person.development_number) from None
        raise


@transaction.atomic
def person_create(
    *,
    data: dict,
    actor=None,
    password: str | None = None,
    account_state: str = AccountState.INITIAL,
    branch=None,
    org=None,
) -> Person:
    """A new person (P1, P10); with "development_number" in `data`, P11 is checked too (unique: 409)."""
    clean, errors = clean_person_fields(data)
    if errors:
        raise Invalid("人员信息有误：" + join_messages(e["message"] for e in errors), errors=errors)
    if person_find(clean["id_number"]):
        raise Conflict("该身份证号码已在系统中登记，不能重复录入。", code="person_exists")
    require_development_number_free(clean.get("development_number"))
    # Someone entered without a branch (a cadre, a secretary) is registered with the organisation that
    # entered them: its direct superior answers for their record (people.access.responsible_org_id).
    person = Person(**clean, branch=branch, home_org=None if branch else org, account_state=account_state)
    if password:
        validate_new_password(password, person)
        person.activate_account(password)
    else:
        person.set_unusable_password()
        person.must_change_password = account_state == AccountState.INITIAL
    person_save_new(person)
    audit_record(
        actor=actor, verb="录入人员", target=person, org=org or branch, changes={"id_number": person.id_number}
    )
    return person


@transaction.atomic
def cadre_assign(*, person: Person, org, position: str, actor=None) -> Cadre:
    post, created = Cadre.objects.update_or_create(person=person, org=org, defaults={"position": position})
    audit_record(
        actor=actor,
        verb="任命团干部" if created else "变更团干部职务",
        target=org,
        org=org,
        changes={"person": person.name, "position": position},
    )
    return post
