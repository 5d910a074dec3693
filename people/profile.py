"""Editing a person's own record (SPEC P1, P10, P11, C4).

Two services share one cleaning step:

- `profile_update`: the person themself (个人中心, PATCH /me) edits their own
  fields; 入团年月 and 发展团员编号 are the branch admin's (P11), and name
  and ID number are nobody's (P1).
- `member_record_update`: the member's branch admin edits the same fields
  plus 入团年月 (C4) and 发展团员编号 (P11, unique nationwide).

Nothing is saved unless every field is good; every save is audited.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.services import audit_record, diff
from core.exceptions import Invalid, NotAllowed, join_messages
from core.normalize import clean_code, clean_text

from . import access
from .models import Person
from .services import development_number_conflict, require_development_number_free, require_in_league
from .validation import (
    FIELD_LABELS,
    check_development_number,
    check_join_date,
    check_party_applied_on,
    clean_person_fields,
    parse_year_month,
)

# What a person edits themself (P10, P11).
OWN_FIELDS = ("ethnicity", "political_status", "education", "occupation", "mobile", "email", "party_applied_on")
# P11: what only the branch admin edits.
RESERVED_FIELDS = ("league_join_date", "development_number")
# P1: a record never becomes another person's; replacing someone is delete-then-add.
FIXED_FIELDS = ("name", "id_number")
# Fields that count for completeness (S4): once filled, they cannot be emptied again.
NOT_CLEARABLE = ("ethnicity", "political_status", "education", "occupation", "mobile")
RESERVED_NOTE = "如需修改，请联系所在团支部管理员"


@transaction.atomic
def profile_update(*, person: Person, actor, data: dict) -> Person:
    """个人中心: a person edits their own fields. `party_applied` (bool) may accompany `party_applied_on`."""
    access.require(actor.pk == person.pk, "只能修改本人的个人信息。")
    require_in_league(person, "修改个人信息")
    # 姓名 and 身份证号码 change for nobody (P1), so the note names the way that works: the branch admin
    # deletes the record and enters it again; 入团年月 and 发展团员编号 the branch admin edits (P11).
    refused = [
        {"field": f, "message": f"{FIELD_LABELS[f]}不能修改：登记有误时，请联系所在团支部管理员删除本记录后重新录入。"}
        for f in FIXED_FIELDS
        if f in data and _differs(person, f, data[f])
    ] + [
        {"field": f, "message": f"{FIELD_LABELS[f]}不能由本人修改，{RESERVED_NOTE}。"}
        for f in RESERVED_FIELDS
        if f in data and _differs(person, f, data[f])
    ]
    if refused:
        raise NotAllowed(
            join_messages(e["message"] for e in refused), code="field_reserved_for_branch_admin", errors=refused
        )
    clean, errors = _clean_own(person, data, allowed=OWN_FIELDS + FIXED_FIELDS + RESERVED_FIELDS)
    if errors:
        raise Invalid(
            "个人信息有误：" + join_messages(e["message"] for e in errors), code="invalid_person", errors=errors
        )
    return _save(person, clean, actor=actor, verb="修改个人信息")


@transaction.atomic
def member_record_update(*, person: Person, actor, data: dict) -> Person:
    """The branch admin edits a member's record, 入团年月 and 发展团员编号 included (P11)."""
    require_in_league(person, "修改")
    access.require(
        access.can_manage_member(actor, person), "只有该团员所在团支部的管理员可以修改入团年月和发展团员编号。"
    )
    fixed = [
        {"field": f, "message": f"{FIELD_LABELS[f]}不能修改：如需更换人员，请删除后重新录入。"}
        for f in FIXED_FIELDS
        if f in data and _differs(person, f, data[f])
    ]
    if fixed:
        raise NotAllowed(join_messages(e["message"] for e in fixed), code="field_not_editable", errors=fixed)
    clean, errors = _clean_own(person, data, allowed=OWN_FIELDS + FIXED_FIELDS + RESERVED_FIELDS)
    _clean_reserved(person, data, clean, errors)
    if errors:
        raise Invalid(
            "团员信息有误：" + join_messages(e["message"] for e in errors), code="invalid_person", errors=errors
        )
    number = clean.get("development_number")
    if number != person.development_number:
        require_development_number_free(number, person=person)
    return _save(person, clean, actor=actor, verb="修改团员信息")


def _clean_own(person: Person, data: dict, *, allowed: tuple[str, ...]) -> tuple[dict, list[dict]]:
    unknown = [k for k in data if k not in allowed and k != "party_applied"]
    errors = [{"field": k, "message": f"不能修改的字段：{k}。"} for k in unknown]
    simple = {k: data[k] for k in OWN_FIELDS if k in data and k != "party_applied_on"}
    clean, field_errors = clean_person_fields(simple, required=())
    errors += field_errors
    failed = {e["field"] for e in errors}
    for field in NOT_CLEARABLE:
        if field in clean and not clean[field] and getattr(person, field) and field not in failed:
            errors.append({"field": field, "message": f"{FIELD_LABELS[field]}是必填信息，不能清空。"})
    if "party_applied_on" in data or "party_applied" in data:
        try:
            clean["party_applied_on"] = _party_applied_on(person, data)
        except ValidationError as e:
            errors.append({"field": "party_applied_on", "message": e.messages[0]})
    return clean, errors


def _party_applied_on(person: Person, data: dict) -> dt.date | None:
    """是否递交入党申请书 (+ month): no → None; yes → the month, which must be given."""
    applied = data.get("party_applied")
    raw = data.get("party_applied_on")
    if applied is False or applied == "":
        return None
    if not clean_text(raw) and not isinstance(raw, dt.date):
        if applied:
            raise ValidationError("已递交入党申请书的，请填写递交年月，例如 2020-09。")
        return None
    return check_party_applied_on(raw, birth=person.birth_date)


def _clean_reserved(person: Person, data: dict, clean: dict, errors: list[dict]) -> None:
    """入团年月 by C4 against the birth date in the ID number; 发展团员编号 by P11 against the resulting join date."""
    join = person.league_join_date
    join_changed = False
    if "league_join_date" in data:
        raw = data["league_join_date"]
        if not clean_text(raw) and not isinstance(raw, dt.date):
            errors.append({"field": "league_join_date", "message": "请填写入团年月。"})
            return
        try:
            join = parse_year_month(raw)
            check_join_date(join, person.birth_date)
        except ValidationError as e:
            errors.append({"field": "league_join_date", "message": e.messages[0]})
            return
        clean["league_join_date"] = join
        join_changed = join != person.league_join_date
    number_changed = "development_number" in data and _differs(person, "development_number", data["development_number"])
    if not (join_changed or number_changed):
        return
    raw_number = data["development_number"] if "development_number" in data else person.development_number
    try:
        clean["development_number"] = check_development_number(raw_number, join)
    except ValidationError as e:
        errors.append({"field": "development_number", "message": e.messages[0]})


def _differs(person: Person, field: str, raw) -> bool:
    """Whether a submitted value would change the stored one (sending back what GET returned is no change)."""
    current = getattr(person, field)
    if field == "name":
        return clean_text(raw) != current
    if field == "id_number":
        return clean_code(raw).upper() != current
    if field == "development_number":
        return (clean_code(raw).upper() or None) != current
    if field == "league_join_date":
        if not clean_text(raw) and not isinstance(raw, dt.date):
            return current is not None
        try:
            return parse_year_month(raw) != current
        except ValidationError:
            return True
    return True


def _save(person: Person, clean: dict, *, actor, verb: str) -> Person:
    changes = diff(person, list(clean), clean)
    if not changes:
        return person
    was_complete = person.complete
    for field in changes:
        setattr(person, field, clean[field])
    try:
        with transaction.atomic():
            person.save(update_fields=list(changes))
    except IntegrityError:
        # Another save took the same number between the check and this write.
        if "development_number" in changes:
            raise development_number_conflict(clean["development_number"]) from None
        raise
    if person.complete != was_complete:
        changes["complete"] = [was_complete, person.complete]
    audit_record(actor=actor, verb=verb, target=person, org=person.branch, changes=changes)
    return person
