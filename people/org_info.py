"""组织信息 (SPEC O1–O4): what an organisation's own admin fills in, and what its superior corrects.

`org_info_update` takes raw strings (from the form or the API), checks every
field, and saves only when all are valid, so a bad value changes nothing.
Empty fields are allowed (partial work is saved); `completeness` says what
is still missing.
"""

import datetime as dt

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record, diff
from core.exceptions import DomainError, Invalid, NotAllowed, join_messages
from core.normalize import clean_code, clean_text
from core.validators import parse_id_number, parse_mobile
from orgs import access, rules
from orgs.industries import INDUSTRY_NAMES
from orgs.models import Org
from people import access as people_access
from people import post_offers
from people import services as people_services
from people.choices import SECRETARY
from people.models import Person
from people.secretary import secretary_posts_end

QUOTA_FIELDS = ("admin_quota", "admin_staffed", "inst_quota", "inst_staffed")
OWN_FIELDS = ("industry", "phone", "email", *QUOTA_FIELDS, "founded_on")
# O2: set at creation (or once), then only the direct superior corrects them.
LOCKED_FIELDS = ("short_name", "full_name", "category", "industry")
# SPEC-2 DJ1: whether a 团支部 is a 临时团支部 or 流动团员团支部 (not rated) is its direct superior's to say.
SUPERIOR_FIELDS = ("branch_kind",)
SECRETARY_FIELDS = ("secretary_name", "secretary_id_number", "secretary_mobile")


def parse_phone(raw: str) -> str:
    text = clean_text(raw)
    try:
        number = phonenumbers.parse(text, "CN")
        ok = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        ok = False
    if not ok:
        raise ValidationError(f"联系电话“{text}”格式不正确：座机请带区号，如 025-83201234；也可填写11位手机号码。")
    return text


def parse_quota(raw) -> int | None:
    text = clean_code(raw)
    if text == "":
        return None  # O3: empty is "not filled in", never 0
    if not text.isdigit():
        raise ValidationError("请填写不小于0的整数；没有编制的请填0。")
    if len(text) > 6:
        raise ValidationError("编制数不能超过999999，请核对。")
    return int(text)


def editable_fields(actor, org: Org) -> set[str]:
    fields: set[str] = set()
    if access.is_admin_of(actor, org):
        fields |= set(OWN_FIELDS) | set(SECRETARY_FIELDS)
        if org.industry:
            fields.discard("industry")
    if access.is_admin_of_parent(actor, org):
        fields |= set(OWN_FIELDS) | set(SECRETARY_FIELDS) | set(LOCKED_FIELDS)
        if org.category == rules.Category.BRANCH:
            fields |= set(SUPERIOR_FIELDS)
    return fields


def _clean(org: Org, data: dict) -> tuple[dict, list[dict]]:
    clean, errors = {}, []

    def check(field, parser):
        if field not in data:
            return
        try:
            clean[field] = parser(data[field])
        except ValidationError as e:
            errors.append({"field": field, "message": e.messages[0]})

    for field in ("short_name", "full_name"):
        check(field, clean_text)
    check("category", clean_text)
    check("industry", lambda v: _industry(clean_code(v)))
    check("phone", lambda v: parse_phone(v) if clean_text(v) else "")
    check("email", lambda v: _email(clean_text(v)))
    for field in QUOTA_FIELDS:
        check(field, parse_quota)
    check("founded_on", _founded_on)
    check("branch_kind", lambda v: _branch_kind(clean_text(v)))
    check("secretary_name", clean_text)
    check("secretary_id_number", lambda v: parse_id_number(v).value if clean_code(v) else "")
    check("secretary_mobile", lambda v: parse_mobile(v) if clean_code(v) else "")
    return clean, errors


def _industry(code: str) -> str:
    if code and code not in INDUSTRY_NAMES:
        raise ValidationError("请从列表中选择单位所属行业类别。")
    return code


def _founded_on(raw) -> dt.date | None:
    """成立时间 (SPEC-2 DJ1/DJ3): YYYY-MM-DD, not in the future; empty is "not filled in"."""
    text = clean_code(raw)
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"成立时间“{text}”格式不正确，请按 2018-09-01 的格式填写。") from None
    if day > timezone.localdate():
        raise ValidationError("成立时间不能晚于今天。")
    return day


def _branch_kind(value: str) -> str:
    if value not in ("", *rules.BranchKind.values):
        raise ValidationError(f"团支部类型只能是{'、'.join(rules.BranchKind.values)}，或留空（普通团支部）。")
    return value


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(f"电子邮箱“{value}”格式不正确，例如 tuanwei@example.cn。") from None
    return value


def _check_structure(org: Org, clean: dict, errors: list[dict]) -> None:
    """Corrections of 类别/简称 by the superior must still satisfy T3 and T7."""
    category = clean.get("category", org.category)
    short_name = clean.get("short_name", org.short_name)
    if "category" in clean and category != org.category:
        try:
            if category in rules.SYSTEM_CATEGORIES:
                raise DomainError(f"不能改为{category}。")
            rules.check_placement(org.parent.category, category)
            for child_category in set(org.children().values_list("category", flat=True)):
                rules.check_placement(category, child_category)
        except DomainError as e:
            errors.append({"field": "category", "message": e.message})
    if ("short_name" in clean or "category" in clean) and (short_name, category) != (org.short_name, org.category):
        try:
            rules.check_short_name(short_name, category)
            if Org.objects.filter(parent_id=org.parent_id, short_name=short_name).exclude(pk=org.pk).exists():
                raise DomainError(f"同级已有名为“{short_name}”的组织，同级组织不能重名。")
        except DomainError as e:
            errors.append({"field": "short_name", "message": e.message})
    if "full_name" in clean and not clean["full_name"]:
        errors.append({"field": "full_name", "message": "组织全称不能为空。"})


def _secretary(org: Org, clean: dict, errors: list[dict], actor) -> Person | None:
    """O4: the secretary is a person holding 书记 here; linked by ID number or created."""
    name, id_number, mobile = (clean.get(f) for f in SECRETARY_FIELDS)
    if not any((name, id_number, mobile)):
        return None
    if not name or not id_number:
        for field, value, label in (("secretary_name", name, "姓名"), ("secretary_id_number", id_number, "身份证号码")):
            if not value:
                errors.append({"field": field, "message": f"请填写书记的{label}。"})
        return None
    person = people_services.person_find(id_number)
    if person is not None and person.name != name:
        errors.append(
            {
                "field": "secretary_name",
                "message": "姓名与系统中该身份证号码登记的姓名不一致；更换书记请填写新书记本人的姓名和身份证号码。",
            }
        )
        return None
    return person or Person(name=name, id_number=id_number)


@transaction.atomic
def org_info_update(*, org: Org, actor, data: dict) -> Org:
    """Check and save; a new secretary (O4) ends the 书记 post of whoever else held it (people.secretary), and
    the returned organisation's `secretary_notes` say so."""
    allowed = editable_fields(actor, org)
    if not allowed:
        raise NotAllowed("只有本组织或直属上级组织的管理员可以修改组织信息。", code="forbidden")
    rules.refuse_pending(org, "它无需填写组织信息。")
    refused = [f for f in data if f not in allowed and data[f] not in (None, "") and f in (*OWN_FIELDS, *LOCKED_FIELDS)]
    refused = [f for f in refused if clean_text(data[f]) != clean_text(getattr(org, f) or "")]
    kind = data.get("branch_kind")
    if kind and org.category != rules.Category.BRANCH:
        message = "只有团支部可以标记为临时团支部或流动团员团支部。"
        raise Invalid(message, code="invalid_org_info", errors=[{"field": "branch_kind", "message": message}])
    if "branch_kind" not in allowed and kind is not None and clean_text(kind) != org.branch_kind:
        raise NotAllowed("团支部类型由直属上级组织管理员设定。", code="locked_field",
                         errors=[{"field": "branch_kind", "message": "团支部类型由直属上级组织管理员设定。"}])  # fmt: skip
    if refused:
        raise NotAllowed(
            "组织简称、全称、类别和已填写的行业类别只能由直属上级组织管理员更正。",
            code="locked_field",
            errors=[
                {"field": f, "message": "本组织管理员不能修改此项，请联系直属上级组织管理员更正。"} for f in refused
            ],
        )
    data = {k: v for k, v in data.items() if k in allowed}
    clean, errors = _clean(org, data)
    _check_structure(org, clean, errors)
    secretary = _secretary(org, clean, errors, actor) if not errors else None
    if errors:
        raise Invalid(
            "组织信息有误：" + join_messages(e["message"] for e in errors), code="invalid_org_info", errors=errors
        )

    notes: list[str] = []
    org_fields = [f for f in (*OWN_FIELDS, *LOCKED_FIELDS, *SUPERIOR_FIELDS) if f in clean]
    changes = diff(org, org_fields, clean)
    for field in org_fields:
        setattr(org, field, clean[field])
    if secretary is not None and secretary.pk is not None and not people_access.can_view_person(actor, secretary):
        # Someone on record outside the actor's reach: offered the post, never linked or changed (issue 12).
        if org.secretary_id != secretary.id:
            post_offers.post_offer_make(org=org, person=secretary, position=SECRETARY, secretary=True, actor=actor)
            changes["secretary_offered"] = secretary.name
        secretary = None
    if secretary is not None:
        if secretary.pk is None:
            mobile = clean.get("secretary_mobile", "")
            secretary = people_services.person_create(
                data={"name": secretary.name, "id_number": secretary.id_number, "mobile": mobile}, actor=actor, org=org
            )
        # A person already on record keeps their own mobile: the secretary maintains it (S1), nobody else.
        people_services.cadre_assign(person=secretary, org=org, position=SECRETARY, actor=actor)
        if org.secretary_id != secretary.id:
            changes["secretary"] = [str(org.secretary or ""), secretary.name]
            post_offers.withdraw_secretary_offers(org=org, actor=actor)
            notes = secretary_posts_end(org=org, keep=secretary, actor=actor)  # O4: one 书记 afterwards
        org.secretary = secretary
    org.save()
    if changes:
        corrected = [f for f in LOCKED_FIELDS if f in changes and access.is_admin_of_parent(actor, org)]
        audit_record(
            actor=actor, verb="更正组织信息" if corrected else "填写组织信息", target=org, org=org, changes=changes
        )
    org.secretary_notes = notes  # what became of the former secretary (O4), for the page to say
    return org
