"""本级团干部 of a committee (SPEC P1–P4, P6, P7, P10): entering, deleting, changing positions.

Only a 团的领导机关, 团委, 团工委 or 团总支 has cadres of its own here; a
branch's cadres are entered with its members (P3, P5). The organisation's
admin and its direct superior's admin act (P4, §8). A person is found by ID
number and linked if known (a person may hold posts in several committees,
P2), else created on the initial password (P7); a name that differs from the
record is refused, never used to rename the record (P1). The Excel import is
imports.importers.cadres, which checks each row with `check_cadre`.
"""

from django.db import IntegrityError, transaction

from audit.services import audit_record
from core.exceptions import Conflict, DomainError, Invalid, NotAllowed, NotFound, join_messages
from core.normalize import clean_text
from orgs.models import Org, OrgAdmin

from . import access, post_offers, services
from .choices import COMMITTEE_POSITIONS, SECRETARY
from .models import Cadre, Person, PostOffer
from .validation import FIELD_LABELS, clean_person_fields

PERSON_FIELDS = (
    "name", "id_number", "ethnicity", "political_status", "league_join_date",
    "education", "occupation", "mobile", "email",
)  # fmt: skip
# P10: what a new person's record must have when it is entered (import-mandatory).
REQUIRED_NEW = ("political_status", "league_join_date")


# Who may act


def check_cadre_org(org: Org) -> None:
    if org.is_branch:
        raise DomainError(
            f"{org.short_name}是{org.category}：团支部的团干部随团员一起录入（录入团员团干部），"
            "其团内职务即在本支部的职务；这里只录入团委、团工委、团总支和团的领导机关的本级团干部。",
            code="branch_cadres",
        )


def require_cadre_manager(actor, org: Org) -> None:
    """P3, P4: committees only; the organisation's own admin or its direct superior's admin."""
    check_cadre_org(org)
    if not access.can_manage_cadres(actor, org):
        raise NotAllowed(
            f"只有{org.short_name}的管理员或其直属上级组织的管理员可以录入、删除和变更其团干部；更上级组织只能查看。",
            code="forbidden",
        )


def check_position(position: str) -> str:
    position = clean_text(position)
    if not position:
        raise Invalid(
            f"请填写本级团内职务（从下拉列表中选择：{'、'.join(COMMITTEE_POSITIONS)}）。",
            code="bad_position",
            errors=[{"field": "position", "message": "请从列表中选择团内职务。"}],
        )
    if position not in COMMITTEE_POSITIONS:
        raise Invalid(
            f"团内职务“{position}”不可选，请从以下职务中选择：{'、'.join(COMMITTEE_POSITIONS)}。",
            code="bad_position",
            errors=[{"field": "position", "message": "请从列表中选择团内职务。"}],
        )
    return position


# Services


def check_cadre_fields(person_data: dict) -> tuple[dict, list[dict]]:
    """A cadre's personal fields without the database (P1, P10, C4).

    发展团员编号 (P11) is checked against the 入团年月 entered with it whenever the input has the field:
    the page and the API always do; a cadre template from before the column existed does not.
    """
    fields = (*PERSON_FIELDS, "development_number")
    return clean_person_fields({k: person_data.get(k) for k in fields if k in person_data})


def check_cadre(person_data: dict, position: str) -> tuple[dict, list[dict]]:
    """Everything about one cadre's input that needs no database: the post and the personal fields.

    The cadre import checks each row with it (imports.importers.cadres); `cadre_add` makes the same checks.
    """
    errors = []
    try:
        position = check_position(position)
    except Invalid as e:
        position = ""
        errors.append({"field": "position", "message": e.message})
    clean, field_errors = check_cadre_fields(person_data)
    return {**clean, "position": position}, errors + field_errors


def missing_for_new(clean: dict) -> list[dict]:
    """P10: what a person new to the system must have when entered as a cadre, one error a missing field."""
    return [
        {"field": f, "message": f"请填写{FIELD_LABELS[f]}（新录入人员必填）。"}
        for f in REQUIRED_NEW
        if not clean.get(f)
    ]


def _clean_person(person_data: dict) -> tuple[dict, Person | None]:
    """Clean values and the existing person with that ID number (None if new); raises Invalid."""
    clean, errors = check_cadre_fields(person_data)
    person = services.person_find(clean["id_number"]) if not errors else None
    if not errors and person is not None and person.name != clean["name"]:
        errors.append({"field": "name", "message": name_mismatch_message(clean["name"])})
    if not errors and person is None:
        errors += missing_for_new(clean)
    if errors:
        code = "name_mismatch" if any(e["field"] == "name" for e in errors) and person else "invalid_person"
        raise Invalid("人员信息有误：" + join_messages(e["message"] for e in errors), code=code, errors=errors)
    return clean, person


def name_mismatch_message(name: str) -> str:
    return (
        f"填写的姓名“{name}”与系统中该身份证号码登记的姓名不一致。同一身份证号码只对应一个人："
        "如果是更换团干部，请先删除原团干部，再录入新任团干部本人的姓名和身份证号码；"
        "如果登记的姓名有误，请联系其所在组织管理员更正。"
    )


@transaction.atomic
def cadre_add(*, org: Org, person_data: dict, position: str, actor) -> Cadre | PostOffer:
    """录入本级团干部: create the person (initial password, P7), or link one already on record.

    Someone the actor can already see (a member or cadre of its subtree) is linked at once;
    anyone else gets a PostOffer and holds the post only once they (or the admin responsible
    for their record) accept it (issue 12). A link never writes the person's own fields.
    """
    require_cadre_manager(actor, org)
    position = check_position(position)
    clean, person = _clean_person(person_data)
    if person is not None:
        existing = Cadre.objects.filter(org=org, person=person).first()
        if existing is not None:
            raise already_cadre(person, org, existing.position)
        if not access.can_view_person(actor, person):
            return post_offers.post_offer_make(org=org, person=person, position=position, actor=actor)
    else:
        try:
            with transaction.atomic():
                person = services.person_create(data=clean, actor=actor, org=org)
        except IntegrityError:
            raise Conflict("该身份证号码刚刚已被录入，请刷新页面后重试。", code="person_exists") from None
    try:
        with transaction.atomic():
            post = Cadre.objects.create(person=person, org=org, position=position)
    except IntegrityError:
        raise already_cadre(person, org, position) from None
    audit_record(
        actor=actor,
        verb="录入本级团干部",
        target=person,
        org=org,
        changes={"person": person.name, "position": position},
    )
    return post


def already_cadre(person: Person, org: Org, position: str) -> Conflict:
    return Conflict(
        f"{person.name}已是{org.short_name}的团干部（{position}），不能重复录入；"
        "如需变更职务，请在团干部列表中使用“职务变更”。",
        code="cadre_exists",
    )


def _post_or_404(org: Org, person: Person) -> Cadre:
    post = Cadre.objects.select_for_update().filter(org=org, person=person).first()
    if post is None:
        raise NotFound(f"{person.name}不是{org.short_name}的团干部。", code="cadre_not_found")
    return post


@transaction.atomic
def cadre_remove(*, org: Org, person: Person, actor) -> None:
    """删除 a cadre who left. The person's record stays: they may be a member or cadre elsewhere.

    The organisation row is locked, as `org_admin_add` locks it, so a cadre
    cannot be deleted while being made admin.
    """
    require_cadre_manager(actor, org)
    org = Org.objects.select_for_update().get(pk=org.pk)
    post = _post_or_404(org, person)
    if OrgAdmin.objects.filter(org=org, person=person).exists():
        raise Conflict(
            f"{person.name}是{org.short_name}的管理员，不能直接删除：请先在“管理员变更”中撤销其管理员，再删除该团干部。",
            code="cadre_is_admin",
        )
    if org.secretary_id == person.pk:
        raise Conflict(
            f"{person.name}是{org.short_name}组织信息中登记的团组织书记，不能直接删除：请先在“组织信息”中填写新任书记，再删除。",
            code="cadre_is_secretary",
        )
    post.delete()
    audit_record(
        actor=actor,
        verb="删除本级团干部",
        target=person,
        org=org,
        changes={"person": person.name, "position": post.position},
    )


@transaction.atomic
def cadre_change_position(*, org: Org, person: Person, position: str, actor) -> Cadre:
    """团干部职务变更."""
    require_cadre_manager(actor, org)
    position = check_position(position)
    org = Org.objects.select_for_update().get(pk=org.pk)
    post = _post_or_404(org, person)
    if post.position == position:
        return post
    if org.secretary_id == person.pk and position != SECRETARY:
        raise Conflict(
            f"{person.name}是{org.short_name}组织信息中登记的团组织书记，职务须为书记：请先在“组织信息”中填写新任书记，再变更其职务。",
            code="cadre_is_secretary",
        )
    old = post.position
    post.position = position
    post.save(update_fields=["position", "updated_at"])
    audit_record(
        actor=actor,
        verb="变更团干部职务",
        target=person,
        org=org,
        changes={"person": person.name, "position": [old, position]},
    )
    return post
