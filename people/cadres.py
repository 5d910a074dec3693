"""本级团干部 of a committee (SPEC P1–P4, P6, P7, P10): entering, deleting, changing positions;
and 团干部职务变更 of a 团支部 (P3, P4).

Only a 团的领导机关, 团委, 团工委 or 团总支 has cadres of its own here; a
branch's cadres are entered with its members (P3, P5), and their posts change
here (`branch_position_change`, and a re-import of the member template through
`branch_post_errors`/`branch_posts_apply`). Each organisation enters its own
本级团干部 (P3: its own admin only); its admin and its direct superior's admin
delete them and change their posts (P4, §8). A person is found by ID
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
from .choices import BRANCH_POSITIONS, COMMITTEE_POSITIONS, SECRETARY
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
    """P4: committees only; the organisation's own admin or its direct superior's admin delete and change posts."""
    check_cadre_org(org)
    if not access.can_manage_cadres(actor, org):
        raise NotAllowed(
            f"只有{org.short_name}的管理员或其直属上级组织的管理员可以删除和变更其团干部；更上级组织只能查看。",
            code="forbidden",
        )


def require_cadre_entry(actor, org: Org) -> None:
    """P3: 本级团干部 are entered by the organisation's own admin only (one at a time or by template).

    A superior may delete them and change their posts (P4), never enter another organisation's cadres.
    """
    check_cadre_org(org)
    if not access.can_enter_cadres(actor, org):
        if access.can_manage_cadres(actor, org):
            message = (
                f"本级团干部只能由{org.short_name}自己的管理员录入：每个组织录入自己的团干部，上级组织不能代为录入。"
                f"您可以在{org.short_name}的团干部列表中变更其团干部的职务或删除已离任的团干部；"
                f"{org.short_name}尚无管理员的，请先为其生成管理员注册码。"
            )
        else:
            message = f"只有{org.short_name}的管理员可以录入其本级团干部；上级组织只能查看。"
        raise NotAllowed(message, code="forbidden")


def bad_position(message: str) -> Invalid:
    """A 团内职务 off the list: `message` says which ones may be chosen; the field itself asks to pick one."""
    return Invalid(message, code="bad_position", errors=[{"field": "position", "message": "请从列表中选择团内职务。"}])


def check_position(position: str) -> str:
    position = clean_text(position)
    if not position:
        raise bad_position(f"请填写本级团内职务（从下拉列表中选择：{'、'.join(COMMITTEE_POSITIONS)}）。")
    if position not in COMMITTEE_POSITIONS:
        raise bad_position(f"团内职务“{position}”不可选，请从以下职务中选择：{'、'.join(COMMITTEE_POSITIONS)}。")
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
    require_cadre_entry(actor, org)
    position = check_position(position)
    clean, person = _clean_person(person_data)
    if person is not None:
        services.require_in_league(person, "担任团内职务")
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
def cadre_change_position(
    *, org: Org, person: Person, position: str, actor, previous_position: str | None = None
) -> Cadre | None:
    """团干部职务变更; a branch's through `branch_position_change` (None: now a member without a post)."""
    if org.is_branch:
        return branch_position_change(
            branch=org, person=person, position=position, actor=actor, previous_position=previous_position
        )
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


# 团干部职务变更 of a 团支部 (P3, P4): a member's 团内职务 in their branch; "" is 团员 (no post).

MEMBER = "团员"  # what a member without a branch post is called on the pages and in the import preview


def branch_post_label(position: str) -> str:
    """团员 for no post; 团支部书记, 团支部副书记 for the branch's (co-)secretary; other posts as they are."""
    if not position:
        return MEMBER
    return f"团支部{position}" if position in ("书记", "副书记") else position


def check_branch_position(position: str) -> str:
    """A branch post ("" or 团员: no post, an ordinary member); raises Invalid for anything else."""
    position = clean_text(position)
    if position in ("", MEMBER, "普通团员", "无"):
        return ""
    if position in ("团支部书记", "支部书记"):
        position = "书记"
    elif position in ("团支部副书记", "支部副书记"):
        position = "副书记"
    if position not in BRANCH_POSITIONS:
        raise bad_position(
            f"团内职务“{position}”不可选，团支部的职务请从以下选择：{'、'.join(BRANCH_POSITIONS)}；普通团员选“团员”。"
        )
    return position


def require_branch_post_manager(actor, branch: Org) -> None:
    """P4: the branch's own admin or its direct superior's admin change its cadres' posts."""
    if not branch.is_branch:
        raise DomainError(f"{branch.short_name}不是团支部。", code="not_a_branch")
    if not access.can_manage_cadres(actor, branch):
        raise NotAllowed(
            f"只有{branch.short_name}的管理员或其直属上级组织的管理员可以变更其团干部职务；更上级组织只能查看。",
            code="forbidden",
        )


def branch_post_errors(*, before: dict, after: dict, registered, admins: set, names: dict) -> dict:
    """The rules of a branch's posts after a change, without the database: {key: why that change is refused}.

    `before`/`after`: every post holder's post (key → position, "" or missing = 团员) before and after the
    change; keys are whatever names a person (a person's id on the page, a keyed ID-number hash in the
    import); `registered`: the key of the secretary in 组织信息 (O4), or None; `admins`: the branch admins'
    keys; `names`: key → name for the messages. Rules: one 书记 per branch (the old secretary's post must
    change when a new one is named); the registered secretary keeps 书记 unless a new 书记 is named in the
    same change; an admin keeps a post (C6: an admin is a cadre of the branch).
    """
    changed = {k for k in set(before) | set(after) if before.get(k, "") != after.get(k, "")}
    secretaries = [k for k, p in after.items() if p == SECRETARY]
    new_secretaries = [k for k in secretaries if k in changed]
    errors = {}
    if len(secretaries) > 1:
        for k in new_secretaries:
            others = "、".join(names.get(o, "") for o in secretaries if o != k)
            errors[k] = (
                f"一个团支部只有一名书记：{others}仍是团支部书记。换届时请同时把原书记的职务改为其他职务"
                "（普通团员选“团员”，模板中留空），再任命新书记。"
            )
    if registered is not None and registered in changed and after.get(registered, "") != SECRETARY:
        if not new_secretaries:
            errors[registered] = (
                f"{names.get(registered, '')}是组织信息中登记的团支部书记：须同时任命新任团支部书记，"
                "才能变更其职务（在团干部职务变更中把新书记的职务选为“书记”，原书记改任其他职务）。"
            )
    for k in changed & set(admins):
        if not after.get(k, ""):
            errors[k] = (
                f"{names.get(k, '')}是本支部的管理员，管理员须担任本支部团内职务：请改任其他职务，"
                "或先在“管理员变更”中撤销其管理员，再改为普通团员。"
            )
    return errors


def _branch_state(branch: Org) -> tuple[dict, set, dict]:
    """(person id → post, admin ids, person id → name) of a branch, its posts locked."""
    posts = list(Cadre.objects.select_for_update().filter(org=branch).select_related("person"))
    before = {p.person_id: p.position for p in posts}
    names = {p.person_id: p.person.name for p in posts}
    admins = set(OrgAdmin.objects.filter(org=branch).values_list("person_id", flat=True))
    return before, admins, names


@transaction.atomic
def branch_position_change(
    *, branch: Org, person: Person, position: str, actor, previous_position: str | None = None
) -> Cadre | None:
    """团支部的团干部职务变更 (P3, P4): a member's post in their branch, "" or 团员 for none.

    Naming a new 书记 while another member holds 书记 needs `previous_position`, the old secretary's new post
    ("" for 团员): one 书记 per branch. The new 书记 becomes the secretary in 组织信息 (O4). Audited.
    """
    require_branch_post_manager(actor, branch)
    position = check_branch_position(position)
    branch = Org.objects.select_for_update().get(pk=branch.pk)
    before, admins, names = _branch_state(branch)
    names[person.pk] = person.name
    if person.branch_id != branch.pk and person.pk not in before:
        raise NotFound(
            f"{person.name}不是{branch.short_name}的团员：团支部的团干部须是本支部团员，请先录入或转入本支部。",
            code="person_not_found",
        )
    if before.get(person.pk, "") == position:
        return Cadre.objects.filter(org=branch, person=person).first()
    changes = {person.pk: position}
    holders = [k for k, p in before.items() if p == SECRETARY and k != person.pk]
    if position == SECRETARY and holders:
        if previous_position is None:
            who = "、".join(names[k] for k in holders)
            raise Conflict(
                f"{branch.short_name}现任团支部书记是{who}。一个团支部只有一名书记：任命{person.name}为团支部书记时，"
                f"请同时选择{who}改任的职务（普通团员选“团员”）。",
                code="secretary_taken",
                errors=[{"field": "previous_position", "message": f"请选择{who}改任的职务。"}],
            )
        previous_position = check_branch_position(previous_position)
        if previous_position == SECRETARY:
            raise Invalid(
                "原书记须改任其他职务：一个团支部只有一名书记。",
                code="bad_position",
                errors=[{"field": "previous_position", "message": "请选择书记以外的职务或“团员”。"}],
            )
        changes.update({k: previous_position for k in holders})
    after = {**before, **changes}
    errors = branch_post_errors(before=before, after=after, registered=branch.secretary_id, admins=admins, names=names)
    if errors:
        code = "cadre_is_admin" if set(errors) & admins else "cadre_is_secretary"
        raise Conflict(join_messages(errors.values()), code=code)
    branch_posts_apply(branch=branch, changes=changes, before=before, names=names, actor=actor)
    return Cadre.objects.filter(org=branch, person=person).first()


def branch_posts_apply(*, branch: Org, changes: dict[int, str], before: dict[int, str], names: dict, actor) -> None:
    """Write posts already checked by `branch_post_errors` (person id → post, "" for none), an audit row each.

    A new 书记 becomes the secretary in 组织信息 (O4) unless the one registered there stays 书记;
    any secretary offer still open is withdrawn (people.post_offers).
    """
    new_secretary = None
    for pk, position in changes.items():
        old = before.get(pk, "")
        if old == position:
            continue
        if position:
            Cadre.objects.update_or_create(person_id=pk, org=branch, defaults={"position": position})
        else:
            Cadre.objects.filter(person_id=pk, org=branch).delete()
        if position == SECRETARY:
            new_secretary = pk
        audit_record(
            actor=actor,
            verb="变更团干部职务",
            target=Person.objects.get(pk=pk),
            org=branch,
            changes={"person": names.get(pk, ""), "position": [branch_post_label(old), branch_post_label(position)]},
        )
    registered = branch.secretary_id
    touched = new_secretary is not None or (registered in changes and changes[registered] != SECRETARY)
    holders = list(Cadre.objects.filter(org=branch, position=SECRETARY).values_list("person_id", flat=True))
    if touched and registered not in holders and holders:
        new_secretary = new_secretary if new_secretary in holders else holders[0]
        old_name = Person.objects.filter(pk=registered).values_list("name", flat=True).first() if registered else ""
        new_name = Person.objects.filter(pk=new_secretary).values_list("name", flat=True).first()
        branch.secretary_id = new_secretary
        branch.save(update_fields=["secretary"])
        post_offers.withdraw_secretary_offers(org=branch, actor=actor)
        audit_record(
            actor=actor,
            verb="更换团支部书记",
            target=branch,
            org=branch,
            changes={"secretary": [old_name or "", new_name]},
        )
