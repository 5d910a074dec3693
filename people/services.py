"""State changes of people records."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record
from core.exceptions import Conflict, Invalid

from .models import AccountState, Cadre, Person
from .validation import clean_person_fields


def validate_new_password(password: str, person: Person, field: str = "password") -> None:
    """The password policy (settings.AUTH_PASSWORD_VALIDATORS), as a DomainError with field messages."""
    try:
        password_validation.validate_password(password, user=person)
    except ValidationError as e:
        label = "新密码" if field == "new_password" else "密码"
        raise Invalid(
            f"{label}不符合要求：" + "；".join(e.messages),
            code="weak_password",
            errors=[{"field": field, "message": m} for m in e.messages],
        ) from None


def person_find(id_number: str) -> Person | None:
    return Person.objects.by_id_number(id_number).first()


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
    clean, errors = clean_person_fields(data)
    if errors:
        raise Invalid("人员信息有误：" + "；".join(e["message"] for e in errors), errors=errors)
    if person_find(clean["id_number"]):
        raise Conflict("该身份证号码已在系统中登记，不能重复录入。", code="person_exists")
    person = Person(**clean, branch=branch, account_state=account_state)
    if password:
        validate_new_password(password, person)
        person.activate_account(password)
    else:
        person.set_unusable_password()
        person.must_change_password = account_state == AccountState.INITIAL
    person.save()
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
