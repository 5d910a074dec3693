"""组织迁移 (SPEC U4): an organisation moves, with its whole subtree, under another superior.

The migrating organisation's own admin applies; an admin of its current
superior releases it (待原上级审批 → 待新上级审批); an admin of the new superior
accepts it (→ 已完成), and in that same transaction the subtree moves. The
request is a process of the approval engine (workflow.engine, kind 组织迁移):
each step is a step of the process, moved by a conditional UPDATE (two
approvers racing give one outcome), and written with an audit row. The tree rules (T3, sibling names, no move under one's own
descendant) are checked at application and again, under row locks, at each
approval: the tree may have changed in between.

The move itself is one UPDATE of the subtree's paths and depths over the
path index range (`Org.subtree_q`), so 10,000 descendants cost one statement.
"""

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, QuerySet, Value
from django.db.models.functions import Concat, Length, Substr
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from core.exceptions import Conflict, DomainError, NotAllowed, NotFound
from core.normalize import clean_text
from core.signals import subtree_moved
from orgs import access, rules
from orgs.models import Org, OrgAdmin, OrgMigration
from orgs.rules import Category
from people import org_info
from workflow import engine
from workflow.engine import Handler
from workflow.flows import RecordFlow
from workflow.models import Action as StepAction
from workflow.models import Message
from workflow.models import Status as ProcessStatus

Status = OrgMigration.Status
KIND = "组织迁移"


# --- tree rules -------------------------------------------------------------


def check_move(org: Org, to_parent: Org | None) -> None:
    """Raise DomainError unless `org` with its subtree may sit directly under `to_parent`."""
    if org.parent_id is None:
        raise DomainError("根组织不能迁移。", code="migration_root")
    if org.category == Category.PENDING:
        raise DomainError("待接转团支部由系统管理，不能迁移。", code="migration_pending_branch")
    if to_parent is None:
        raise NotFound("新上级组织不存在，可能已被删除。", code="target_not_found")
    if to_parent.pk == org.pk:
        raise DomainError("不能迁移到本组织之下。", code="move_under_self")
    if to_parent.is_descendant_of_path(org.path):
        raise DomainError("不能迁移到本组织的下级组织之下。", code="move_under_descendant")
    if to_parent.pk == org.parent_id:
        raise DomainError(f"本组织已经是{to_parent.short_name}的直属下级组织，无需迁移。", code="same_parent")
    rules.check_placement(to_parent.category, org.category)
    if Org.objects.filter(parent=to_parent, short_name=org.short_name).exclude(pk=org.pk).exists():
        raise Conflict(
            f"{to_parent.short_name}下已有名为“{org.short_name}”的组织，同级组织不能重名；请先修改本组织简称，再申请迁移。",
            code="duplicate_name",
        )
    deepest = Org.objects.filter(Org.subtree_q(org.path)).aggregate(d=Max("depth"))["d"] or org.depth
    new_deepest = deepest - org.depth + to_parent.depth + 1
    if new_deepest * Org.steplen > Org._meta.get_field("path").max_length:
        raise DomainError("迁移后组织层级过深，无法迁移。", code="too_deep")


def _recheck(org: Org, to_parent: Org | None, migration: OrgMigration) -> None:
    """At approval time a broken rule is a conflict with the tree's current state (409)."""
    if org.parent_id != migration.from_parent_id:
        raise Conflict("该组织的上级组织已发生变化，本申请已失效；请驳回或撤回后重新申请。", code="parent_changed")
    try:
        check_move(org, to_parent)
    except Conflict:
        raise
    except DomainError as e:
        raise Conflict(e.message, code=e.code) from None


def allowed_parent_categories(category: str) -> list[str]:
    return [c for c in Category.values if rules.may_contain(c, category)]


def migration_targets(*, org: Org, query: str = "") -> QuerySet[Org]:
    """Possible new superiors whose 全称 contains `query`, from the whole tree (names and categories only,
    like registration), for the searchable picker (core.picker; issue 14, item 4)."""
    qs = (
        Org.objects.filter(category__in=allowed_parent_categories(org.category))
        .exclude(Org.subtree_q(org.path))
        .exclude(pk=org.parent_id or 0)
        .only("id", "full_name", "category", "path")
        .order_by("depth", "path")
    )
    query = clean_text(query)
    return qs.filter(full_name__contains=query) if query else qs


def migration_target_search(*, org: Org, query: str, limit: int = 20) -> list[Org]:
    """The first `limit` of migration_targets for a query of two characters or more."""
    query = clean_text(query)
    if len(query) < 2:
        return []
    return list(migration_targets(org=org, query=query)[:limit])


# --- steps ------------------------------------------------------------------

RELEASE_STEP, ACCEPT_STEP = "原上级审批", "新上级审批"  # their open stages read 待原上级审批, 待新上级审批
FINAL = OrgMigration.FINAL


def _check_state(migration: OrgMigration) -> None:
    if not migration.is_open:
        raise Conflict(f"该迁移申请{migration.status}，不能再办理。", code="migration_closed")


def _fresh(migration: OrgMigration) -> OrgMigration:
    # A new instance: if a later step fails and the transaction rolls back, the caller's copy is still true.
    return OrgMigration.objects.select_related("org", "from_parent", "to_parent", "process").get(pk=migration.pk)


def _step(migration: OrgMigration, actor, label: str, opinion: str = "", *, action=StepAction.APPROVE, then=None,
          status: str = "") -> OrgMigration:  # fmt: skip
    """Move the migration's process (workflow.engine: one of two racing callers succeeds)."""
    try:
        engine.process_move(process=migration.process, actor=actor, action=action, opinion=opinion, label=label,
                            then=then, status=status)  # fmt: skip
    except Conflict:
        raise Conflict("该迁移申请刚刚已被他人处理，请刷新后查看。", code="migration_closed") from None
    return _fresh(migration)


def waiting_org(migration: OrgMigration) -> Org | None:
    """Whose turn it is: the current superior, then the new superior; None once closed."""
    if migration.status == Status.RELEASE:
        return migration.from_parent
    if migration.status == Status.ACCEPT:
        return migration.to_parent
    return None


def _require_turn(migration: OrgMigration, actor) -> Org:
    org = waiting_org(migration)
    if org is None or not access.is_admin_of(actor, org):
        who = "原上级组织" if migration.status == Status.RELEASE else "新上级组织"
        name = org.short_name if org else (migration.to_name if migration.status == Status.ACCEPT else "")
        raise NotAllowed(f"该申请现由{who}（{name}）的管理员审批。", code="forbidden")
    engine.require_handler(actor, migration.process)  # W1: never on a process one started
    return org


@transaction.atomic
def migration_apply(*, org: Org, to_parent: Org | None, reason: str, actor) -> OrgMigration:
    access.require_manage(actor, org, as_parent=False, action="申请组织迁移")
    reason = clean_text(reason)
    if not reason:
        raise DomainError("请填写迁移原因。", code="reason_required")
    if len(reason) > 200:
        raise DomainError("迁移原因不能超过200个字。", code="reason_too_long")
    org = Org.objects.select_for_update().get(pk=org.pk)
    check_move(org, to_parent)
    engine.require_none_open(KIND, org=org, name=org.short_name)  # W3, before anything is written
    from_parent = Org.objects.get(pk=org.parent_id)
    process = engine.process_start(
        kind=KIND, title=f"{org.full_name} → {to_parent.full_name}", started_by=actor, starting_org=org,
        subject_org=org, first=Handler(RELEASE_STEP, org=from_parent), opinion=reason, label="提交申请",
    )  # fmt: skip
    migration = OrgMigration.objects.create(
        org=org, from_parent=from_parent, from_name=from_parent.full_name, to_parent=to_parent,
        to_name=to_parent.full_name, reason=reason, requested_by=actor, process=process,
    )  # fmt: skip
    audit_record(
        actor=actor, verb="申请组织迁移", target=org, org=org,
        changes={"from": from_parent.full_name, "to": to_parent.full_name, "reason": reason},
    )  # fmt: skip
    return migration


@transaction.atomic
def migration_approve(*, migration: OrgMigration, actor, note: str = "") -> OrgMigration:
    """Release (the current superior) or accept (the new superior); acceptance moves the subtree."""
    migration = _fresh(migration)
    _check_state(migration)
    acting = _require_turn(migration, actor)
    note = clean_text(note)
    if migration.status == Status.RELEASE:
        org = Org.objects.get(pk=migration.org_id)
        to_parent = Org.objects.filter(pk=migration.to_parent_id or 0).first()
        _recheck(org, to_parent, migration)
        migration = _step(migration, actor, "原上级组织同意迁出", note, then=Handler(ACCEPT_STEP, org=to_parent))
        audit_record(actor=actor, verb="同意组织迁出", target=org, org=acting, changes={"to": migration.to_name})
        return migration
    migration = _step(migration, actor, "新上级组织同意接收", note, status=ProcessStatus.APPROVED)
    OrgMigration.objects.filter(pk=migration.pk).update(completed_at=timezone.now())
    moved = _move(migration)
    # W4: open processes of the organisations that moved end (their approvers were the old superiors).
    engine.terminate_open(orgs=Org.objects.filter(Org.subtree_q(moved.path)), exclude_ids=[migration.process_id],
                          opinion=f"{moved.short_name}已迁移至{migration.to_name}")  # fmt: skip
    audit_record(
        actor=actor, verb="组织迁移完成", target=moved, org=acting,
        changes={"from": migration.from_name, "to": migration.to_name, "path": moved.path},
    )  # fmt: skip
    migration = _fresh(migration)
    _prompt_full_name(migration, moved, actor)
    return migration


@transaction.atomic
def migration_reject(*, migration: OrgMigration, actor, reason: str) -> OrgMigration:
    migration = _fresh(migration)
    _check_state(migration)
    acting = _require_turn(migration, actor)
    reason = clean_text(reason)
    if not reason:
        raise DomainError("请填写驳回理由。", code="reason_required")
    migration = _step(migration, actor, "驳回", reason, action=StepAction.REJECT, status=ProcessStatus.REJECTED)
    audit_record(actor=actor, verb="驳回组织迁移", target=migration.org, org=acting, changes={"reason": reason})
    return migration


@transaction.atomic
def migration_withdraw(*, migration: OrgMigration, actor) -> OrgMigration:
    """The applying organisation (any of its admins) takes back an open request."""
    migration = _fresh(migration)
    _check_state(migration)
    if not access.is_admin_of(actor, migration.org):
        raise NotAllowed("只有申请迁移的组织的管理员可以撤回申请。", code="forbidden")
    migration = _step(migration, actor, "撤回申请", action=StepAction.WITHDRAW, status=ProcessStatus.WITHDRAWN)
    audit_record(actor=actor, verb="撤回组织迁移申请", target=migration.org, org=migration.org)
    return migration


# --- the 全称 after the move (O2) ---------------------------------------------------------------------------------
# The 全称 usually carries the old superior's name (T6 proposes parent's 全称 + 简称). After the move the new
# direct superior, who alone corrects it (O2), is asked to check it: a to-do message, and on the migration's page
# and the organisation's information page the proposed 全称 with a one-click confirmation.

FULL_NAME_CHECKED = "核对组织全称"


def proposed_full_name(org: Org, parent: Org) -> str:
    return f"{parent.full_name}{org.short_name}"


def _prompt_full_name(migration: OrgMigration, org: Org, actor) -> None:
    """Messages (W5) to the new superior's admins (a to-do) and the moved organisation's admins."""
    proposed = proposed_full_name(org, migration.to_parent)
    if proposed == org.full_name:
        return
    to_parent = migration.to_parent
    ask = (f"待办：{org.short_name}已迁入{to_parent.short_name}，其组织全称仍为“{org.full_name}”，建议更正为“{proposed}”；"
           "请在该组织迁移申请的页面核对并确认。")  # fmt: skip
    tell = (f"{org.short_name}已迁移至{to_parent.short_name}。组织全称仍为“{org.full_name}”，"
            f"将由新上级组织管理员核对更正（建议为“{proposed}”）。")  # fmt: skip
    notes = {}
    for pk in OrgAdmin.objects.filter(org=org).values_list("person_id", flat=True):
        notes[pk] = Message(recipient_id=pk, kind=Message.Kind.PROGRESS, process=migration.process, text=tell[:300])
    for pk in OrgAdmin.objects.filter(org=to_parent).values_list("person_id", flat=True):
        if pk != getattr(actor, "pk", None):  # the accepting admin sees the prompt on the page at once
            notes[pk] = Message(recipient_id=pk, kind=Message.Kind.TODO, process=migration.process, text=ask[:300])
    Message.objects.bulk_create(notes.values())


def full_name_check(org: Org) -> OrgMigration | None:
    """The completed migration of `org` whose 全称 the new superior has not checked yet (None if nothing to check).

    Checked means: confirmed here (核对组织全称), or the 全称 corrected on the information page since the move.
    Its `proposed` attribute is the new superior's 全称 + the organisation's 简称.
    """
    if org.parent_id is None:
        return None
    migration = (
        OrgMigration.objects.filter(org=org, status=Status.DONE, to_parent_id=org.parent_id, completed_at__isnull=False)
        .select_related("to_parent")
        .order_by("-completed_at", "-id")
        .first()
    )
    if migration is None:
        return None
    trail = AuditEvent.objects.filter(target_type=Org._meta.model_name, target_id=str(org.pk),
                                      at__gte=migration.completed_at)  # fmt: skip
    if trail.filter(Q(verb=FULL_NAME_CHECKED) | Q(verb="更正组织信息", changes__has_key="full_name")).exists():
        return None
    migration.proposed = proposed_full_name(org, migration.to_parent)
    migration.subtree_with_old_name = _descendants_named(org, org.full_name).count()
    return migration


def _descendants_named(org: Org, prefix: str) -> QuerySet[Org]:
    return Org.objects.filter(Org.subtree_q(org.path)).exclude(pk=org.pk).filter(full_name__startswith=prefix)


@transaction.atomic
def migration_full_name_confirm(*, migration: OrgMigration, actor, full_name: str, descendants: bool = False) -> Org:
    """The new direct superior's admin confirms (or corrects) the moved organisation's 全称; `descendants`:
    subordinates whose 全称 begins with the old one get the new beginning too. Audited."""
    migration = _fresh(migration)
    org = Org.objects.select_for_update().get(pk=migration.org_id)
    if migration.status != Status.DONE or org.parent_id != migration.to_parent_id:
        raise Conflict("只有已完成迁移、仍在新上级组织之下的组织需要核对全称。", code="full_name_not_pending")
    if not access.is_admin_of_parent(actor, org):
        raise NotAllowed(f"迁移后的组织全称由直属上级组织（{migration.to_name}）的管理员核对更正。", code="forbidden")
    full_name = clean_text(full_name)
    if not full_name:
        raise DomainError("请填写组织全称。", code="full_name_required")
    if len(full_name) > Org._meta.get_field("full_name").max_length:
        raise DomainError("组织全称不能超过200个字，请核对。", code="full_name_too_long")
    old = org.full_name
    renamed = 0
    if full_name != old:
        org = org_info.org_info_update(org=org, actor=actor, data={"full_name": full_name})  # O2, audited
        if descendants:
            limit = Org._meta.get_field("full_name").max_length - len(full_name) + len(old)
            renamed = (
                _descendants_named(org, old)
                .annotate(n=Length("full_name"))
                .filter(n__lte=limit)
                .update(full_name=Concat(Value(full_name), Substr("full_name", len(old) + 1)))
            )
    audit_record(
        actor=actor, verb=FULL_NAME_CHECKED, target=org, org=org,
        changes={"full_name": [old, full_name], **({"descendants_renamed": renamed} if renamed else {})},
    )  # fmt: skip
    org.descendants_renamed = renamed
    return org


class MigrationFlow(RecordFlow):
    """组织迁移 (U4): the current superior releases, the new superior accepts; acceptance moves the subtree."""

    kind = KIND
    record_model = OrgMigration
    record_gone = "该组织迁移的申请记录已不存在。"
    record_arg = "migration"
    approve_with = (migration_approve, "note")
    reject_with = (migration_reject, "reason")
    withdraw_with = (migration_withdraw,)

    def may_handle(self, actor, step) -> bool:
        return step.handler_org is not None and access.is_admin_of(actor, step.handler_org)

    def sync(self, process) -> None:
        OrgMigration.objects.filter(process=process).update(status=process.stage(FINAL), updated_at=timezone.now())

    def detail_url(self, process) -> str:
        m = OrgMigration.objects.filter(process=process).only("pk").first()
        return reverse("orgs:migration_detail", args=[m.pk]) if m else ""


engine.register(MigrationFlow())


# --- the move -----------------------------------------------------------------


def _next_child_path(parent: Org) -> str:
    last = (
        Org.objects.filter(depth=parent.depth + 1, path__range=Org._get_children_path_interval(parent.path))
        .order_by("-path")
        .only("path", "depth")
        .first()
    )
    return last._inc_path() if last else Org._get_path(parent.path, parent.depth + 1, 1)


def subtree_move(*, org: Org, to_parent: Org) -> Org:
    """Move `org` and everything below it to be the last child of `to_parent`.

    Callers hold the transaction and have checked the rules. The three rows
    (the organisation, its old and its new superior) are locked in id order,
    which also serialises this with add_child under either superior.
    """
    ids = sorted({org.pk, org.parent_id, to_parent.pk})
    locked = {o.pk: o for o in Org.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    org, old_parent, to_parent = locked[org.pk], locked[org.parent_id], locked[to_parent.pk]
    old_path, new_path = org.path, _next_child_path(to_parent)
    new_value = Concat(Value(new_path), Substr("path", len(old_path) + 1))
    update = {"path": new_value}
    if len(old_path) != len(new_path):
        update["depth"] = Length(new_value) / Org.steplen
    Org.objects.filter(Org.subtree_q(old_path)).update(**update)
    subtree_moved.send(sender=Org, old_path=old_path, new_path=new_path)  # progress: totals follow the subtree
    last_order = (
        Org.objects.filter(parent=to_parent).exclude(category=Category.PENDING).aggregate(m=Max("sort_order"))["m"]
    )
    try:
        with transaction.atomic():
            Org.objects.filter(pk=org.pk).update(parent=to_parent, sort_order=(last_order or 0) + 1)
    except IntegrityError:
        raise Conflict(
            f"{to_parent.short_name}下已有名为“{org.short_name}”的组织，同级组织不能重名。", code="duplicate_name"
        ) from None
    Org.objects.filter(pk=old_parent.pk).update(numchild=F("numchild") - 1)
    Org.objects.filter(pk=to_parent.pk).update(numchild=F("numchild") + 1)
    return Org.objects.get(pk=org.pk)


def _move(migration: OrgMigration) -> Org:
    ids = sorted(i for i in {migration.org_id, migration.from_parent_id, migration.to_parent_id} if i)
    locked = {o.pk: o for o in Org.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    org, to_parent = locked[migration.org_id], locked.get(migration.to_parent_id)
    _recheck(org, to_parent, migration)
    return subtree_move(org=org, to_parent=to_parent)


# --- selectors ----------------------------------------------------------------


def _with_related(qs: QuerySet[OrgMigration]) -> QuerySet[OrgMigration]:
    return qs.select_related("org", "from_parent", "to_parent", "requested_by", "process")


def migrations_todo(person) -> QuerySet[OrgMigration]:
    """Migrations waiting for this person's approval (counted by the menu's to-do total)."""
    # Their organisations that can be a migration's old or new superior: nothing sits under a branch (rules).
    ids = {o.id for o in access.admin_orgs(person) if not o.is_branch}
    if not ids:
        return OrgMigration.objects.none()
    qs = OrgMigration.objects.filter(
        Q(status=Status.RELEASE, from_parent_id__in=ids) | Q(status=Status.ACCEPT, to_parent_id__in=ids)
    )
    return _with_related(qs).order_by("created_at", "id")


def migrations_of_org(org: Org) -> QuerySet[OrgMigration]:
    return _with_related(OrgMigration.objects.filter(org=org)).prefetch_related("process__steps__actor").order_by("-id")


def migrations_for(person, *, role: str = "") -> QuerySet[OrgMigration]:
    """'mine' (my organisations' requests), 'todo' (waiting for me), or both."""
    if role == "todo":
        return migrations_todo(person).prefetch_related("process__steps__actor")
    ids = access.admin_org_ids(person)
    mine = Q(org_id__in=ids)
    if role != "mine":
        mine |= Q(from_parent_id__in=ids) | Q(to_parent_id__in=ids)
    return _with_related(OrgMigration.objects.filter(mine)).prefetch_related("process__steps__actor").order_by("-id")


def can_view_migration(person, migration: OrgMigration) -> bool:
    """The migrating organisation and everyone above it, the new superior and everyone above it."""
    if access.can_view(person, migration.org):
        return True
    return any(o is not None and access.can_view(person, o) for o in (migration.from_parent, migration.to_parent))


def get_migration_for_viewer(person, pk: int) -> OrgMigration:
    migration = _with_related(OrgMigration.objects.filter(pk=pk)).prefetch_related("process__steps__actor").first()
    if migration is None or not can_view_migration(person, migration):
        raise NotFound("未找到该迁移申请，或您无权查看。", code="migration_not_found")
    return migration


def is_my_turn(person, migration: OrgMigration) -> bool:
    org = waiting_org(migration)
    started_it = migration.process.started_by_id == person.pk  # W1: never on one's own request
    return org is not None and access.is_admin_of(person, org) and not started_it
