"""两制 (SPEC-2 EV, RG): every change of the module and every permission check. Pages and API call these.

A branch's evaluation, its registration and a member's appeal are processes of the approval engine, handled by
the branch's direct superior committee (W1): 审核认证 approves, 退回修改 returns with the problems (EV5).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from core.dates import check_window
from core.exceptions import Conflict, Invalid, NotAllowed, NotFound
from core.normalize import clean_text
from orgs import access
from orgs.models import Org
from people.models import Person
from workflow import engine
from workflow.models import Action, Process
from workflow.models import Status as ProcessStatus

from . import aggregates, rules
from .models import Appeal, EvalRound, Evaluation, Item, Level, Outcome, Registration, RegistrationItem, Stage

EVAL_KIND = "团员教育评议"
REGISTRATION_KIND = "团籍注册"
APPEAL_KIND = "评议申诉"
OPEN_STAGES = (Stage.DRAFT, Stage.RETURNED)


def _invalid(field: str, message: str, code: str = "invalid") -> Invalid:
    return Invalid(message, code=code, errors=[{"field": field, "message": message}])


# --- rounds (EV1) ---------------------------------------------------------------------------------------------


@transaction.atomic
def round_open(*, org: Org, actor, year: int, starts_on: dt.date, ends_on: dt.date) -> EvalRound:
    access.require_committee_admin(actor, org, action="开启团员教育评议")
    check_window(year, starts_on, ends_on)
    above = rules.round_for(org, year)
    if above is not None:
        raise Conflict(f"{above.org.full_name}已开启{year}年度团员教育评议（{above.starts_on}至{above.ends_on}），"
                       f"覆盖本组织，无需重复开启。", code="round_exists")  # fmt: skip
    rnd = EvalRound.objects.create(org=org, year=year, starts_on=starts_on, ends_on=ends_on, opened_by=actor)
    audit_record(actor=actor, verb="开启团员教育评议", target=rnd, org=org,
                 changes={"年度": year, "开始": str(starts_on), "截止": str(ends_on)})  # fmt: skip
    return rnd


def _window(branch: Org, year: int, *, what: str) -> EvalRound:
    rnd = rules.round_for(branch, year)
    if rnd is None:
        raise Conflict(f"上级团组织尚未开启{year}年度团员教育评议。", code="no_round")
    today = timezone.localdate()
    if not rnd.starts_on <= today <= rnd.ends_on:
        raise Conflict(f"{year}年度团员教育评议的时间是{rnd.starts_on:%Y-%m-%d}至{rnd.ends_on:%Y-%m-%d}，现在不能{what}。",
                       code="window_closed")  # fmt: skip
    return rnd


# --- reading a branch's evaluation ---------------------------------------------------------------------------------


@dataclass
class Row:
    person: Person
    item: Item | None
    excluded_reason: str  # by the settings (EV2) or marked 不参评 by the branch

    @property
    def participates(self) -> bool:
        return not self.excluded_reason

    def as_api(self) -> dict:
        i = self.item
        return {
            "person_id": self.person.pk, "name": self.person.name, "participates": self.participates,
            "excluded_reason": self.excluded_reason, "proposed_level": (i.proposed_level or None) if i else None,
            "approved_level": (i.approved_level or None) if i else None,
            "correction_until": i.correction_until if i else None,
            "talk": {"held_on": i.talk_held_on, "note": i.talk_note} if i and i.talk_held_on else None,
        }  # fmt: skip


@dataclass
class EvaluationView:
    org: Org
    year: int
    round: EvalRound | None
    evaluation: Evaluation | None
    rows: list[Row]

    @property
    def stage(self) -> str:
        return self.evaluation.stage if self.evaluation else "未开始"

    @property
    def participants(self) -> int:
        return sum(r.participates for r in self.rows)

    @property
    def excellent_limit(self) -> int:
        return rules.excellent_limit(self.participants)

    def as_api(self) -> dict:
        e = self.evaluation
        return {"status": self.stage, "meeting": {"held_on": e.held_on if e else None, "due": e.due if e else None,
                                                  "present": e.present if e else None},
                "excellent_limit": self.excellent_limit, "items": [r.as_api() for r in self.rows]}  # fmt: skip


def evaluation_view(*, branch: Org, year: int) -> EvaluationView:
    """Every member of the branch is a row; those the settings leave out (EV2) or the branch marked 不参评 carry
    the reason (the caller fetched `branch` with VIEW)."""
    rnd = rules.round_for(branch, year)
    evaluation = Evaluation.objects.filter(org=branch, year=year).first()
    items = {i.person_id: i for i in Item.objects.filter(evaluation=evaluation)} if evaluation else {}
    rows = []
    for person in rules.members(branch):
        item = items.pop(person.pk, None)
        reason = rules.exclusion(person, rnd) if rnd else ""
        if not reason and item is not None and not item.participates:
            reason = item.excluded_reason
        rows.append(Row(person, item, reason))
    # Members who left the branch after its result was approved keep their row (the record of the year).
    for item in sorted(items.values(), key=lambda i: i.pk):
        if item.approved_level or not evaluation or evaluation.stage == Stage.APPROVED:
            rows.append(Row(item.person, item, "" if item.participates else item.excluded_reason))
    return EvaluationView(branch, year, rnd, evaluation, rows)


NOT_EVALUATED = "只有团支部（和直接登记团员的团总支）进行团员教育评议。"
LOCKED = "评议结果已审核认证，不能再修改等次；如需修改，请上级组织在评议时间内重新打开。"


def require_entry(actor, branch: Org) -> None:
    """Who may enter a branch's evaluation or registration (the page, the API and the Excel import)."""
    if not rules.is_evaluated(branch):
        raise NotFound(NOT_EVALUATED, code="not_a_branch")
    access.require_manage(actor, branch, action="填写本支部的团员教育评议")


# --- entering (EV2–EV4, EV6) ------------------------------------------------------------------------------------


def _check_item(data: dict, row: Row, *, approved: bool, approved_on: dt.date | None) -> dict:
    """One item's changes, checked. Before approval: 参评/不参评 and the level; after: the consequences (EV6)."""
    name, fields = row.person.name, {}
    if not approved:
        if "participates" in data:
            if data["participates"] is False:
                reason = clean_text(data.get("excluded_reason") or "")
                if not reason:
                    raise _invalid("excluded_reason", f"{name}不参评，请填写原因（如长期病假、出国）。")
                fields.update(participates=False, excluded_reason=reason[:100], proposed_level="")
            elif row.excluded_reason and (row.item is None or row.item.participates):
                raise Conflict(f"{name}：{row.excluded_reason}。", code="not_participating")
            else:
                fields.update(participates=True, excluded_reason="")
        if data.get("proposed_level") not in (None, ""):
            level = data["proposed_level"]
            if level not in Level.values:
                raise _invalid("proposed_level", f"{name}的评议等次“{level}”无效：只能是{'、'.join(Level.values)}。")
            if not fields.get("participates", row.participates):
                raise Conflict(f"{name}不参评，不能评定等次。", code="not_participating")
            fields["proposed_level"] = level
        elif data.get("proposed_level") == "":
            fields["proposed_level"] = ""
        for key, size in (("self_assessment", 500), ("votes", 50)):
            if key in data:
                fields[key] = clean_text(data[key] or "")[:size]
        if any(k in data for k in ("correction_until", "talk", "re_level")):
            raise Conflict("整改期、再评议和谈心谈话在评议结果审核认证后填写。", code="not_yet_approved")
        return fields
    if any(k in data for k in ("participates", "proposed_level")) and (
        data.get("proposed_level", row.item.proposed_level if row.item else "")
        != (row.item.proposed_level if row.item else "")
        or data.get("participates", row.participates) != row.participates
    ):
        raise Conflict(LOCKED, code="locked")
    level = row.item.approved_level if row.item else ""
    if data.get("correction_until"):
        if level != Level.UNQUALIFIED:
            raise Conflict(f"{name}不是不合格，无需整改期。", code="no_correction")
        low, high = rules.correction_window(approved_on)
        until = data["correction_until"]
        if not low <= until <= high:
            raise _invalid("correction_until", f"{name}的整改期应为3至6个月，截止日期在{low}至{high}之间。")
        fields["correction_until"] = until
    if data.get("re_level"):
        if level != Level.UNQUALIFIED or not row.item.correction_until:
            raise Conflict(f"{name}没有整改期，无需再评议。", code="no_correction")
        if timezone.localdate() < row.item.correction_until:
            raise Conflict(f"{name}的整改期到{row.item.correction_until}结束，届时再评议。", code="correction_running")
        if data["re_level"] not in (Level.QUALIFIED, Level.BASIC):
            raise _invalid("re_level", "整改期满再评议为合格或基本合格即结束整改；否则请提出除名处置。")
        fields["re_level"] = data["re_level"]
    talk = data.get("talk")
    if talk:
        if level != Level.BASIC:
            raise Conflict(f"{name}不是基本合格，无需记录谈心谈话。", code="no_talk")
        held_on, note = talk.get("held_on"), clean_text(talk.get("note") or "")
        if not held_on or not note:
            raise _invalid("talk", f"请填写与{name}谈心谈话的日期和记录。")
        fields.update(talk_held_on=held_on, talk_note=note[:500])
    return fields


@dataclass
class Entry:
    """A branch's evaluation as changes to it are checked: by evaluation_save and, row by row, by the Excel
    import (evaluation.importer), so both refuse an item for the same reasons in the same words."""

    view: EvaluationView
    approved: bool
    approved_on: dt.date | None
    rows: dict[int, Row] = field(init=False)  # by person_id

    def __post_init__(self):
        self.rows = {r.person.pk: r for r in self.view.rows}

    def check(self, data: dict) -> tuple[Row, dict]:
        """(the member's row, the fields to write) of one item merged by person_id; a DomainError if refused."""
        row = self.rows.get(data.get("person_id"))
        if row is None:
            raise _invalid(
                "person_id", f"编号为{data.get('person_id')}的人员不是本支部团员，不能评议。", "not_in_branch"
            )
        return row, _check_item(data, row, approved=self.approved, approved_on=self.approved_on)


def evaluation_entry(*, branch: Org, year: int, levels: bool = False) -> Entry:
    """What changes to the branch's evaluation are checked against; refused while it is with the superior, and
    (before approval) outside the round's window. `levels`: only levels are to change, refused once approved."""
    view = evaluation_view(branch=branch, year=year)
    evaluation = view.evaluation
    approved = evaluation is not None and evaluation.stage == Stage.APPROVED
    if evaluation is not None and evaluation.stage == Stage.SUBMITTED:
        raise Conflict("评议结果已提交上级审核，审核前不能修改；如需修改，请撤回或等待退回。", code="submitted")
    if approved and levels:
        raise Conflict(LOCKED, code="locked")
    if not approved:
        _window(branch, year, what="填写评议")
    return Entry(view, approved, timezone.localdate(evaluation.approved_at) if approved else None)


@transaction.atomic
def evaluation_save(*, branch: Org, actor, year: int, meeting: dict | None = None, items: list[dict] | None = None):
    """EV2–EV4 (and EV6 after approval): the meeting and items, merged by person_id; a bad item changes nothing."""
    require_entry(actor, branch)
    branch = Org.objects.select_for_update().get(pk=branch.pk)
    entry = evaluation_entry(branch=branch, year=year)
    changes = [entry.check(data) for data in items or []]
    if meeting is not None:
        if entry.approved:
            raise Conflict("评议结果已审核认证，不能再修改会议记录。", code="locked")
    evaluation = entry.view.evaluation
    if evaluation is None:
        evaluation = Evaluation.objects.create(org=branch, year=year)
    if meeting is not None:
        for key in ("held_on", "due", "present"):
            if key in meeting:
                setattr(evaluation, key, meeting[key])
        evaluation.save(update_fields=["held_on", "due", "present", "updated_at"])
    for row, fields in changes:
        if fields:
            Item.objects.update_or_create(evaluation=evaluation, person=row.person, defaults=fields)
    audit_record(actor=actor, verb="填写团员教育评议", target=evaluation, org=branch,
                 changes={"会议": bool(meeting), "人数": len(changes)})  # fmt: skip
    return evaluation_view(branch=branch, year=year)


def _submission_problems(view: EvaluationView) -> list[str]:
    e = view.evaluation
    problems = []
    meeting = rules.meeting_problem(e.held_on if e else None, e.due if e else None, e.present if e else None)
    if meeting:
        problems.append(meeting)
    missing = [r.person.name for r in view.rows if r.participates and not (r.item and r.item.proposed_level)]
    if missing:
        problems.append(
            f"{len(missing)}名参评团员尚未评定等次（{'、'.join(missing[:5])}{'等' if len(missing) > 5 else ''}）"
        )
    excellent = sum(1 for r in view.rows if r.participates and r.item and r.item.proposed_level == Level.EXCELLENT)
    if excellent > view.excellent_limit:
        problems.append(f"优秀{excellent}人，超过参评人数{view.participants}人的30%（最多{view.excellent_limit}人）")
    return problems


@transaction.atomic
def evaluation_submit(*, branch: Org, actor, year: int) -> Process:
    """EV5: the whole result goes to the direct superior; refused with every problem while any remains."""
    require_entry(actor, branch)
    branch = Org.objects.select_for_update().get(pk=branch.pk)
    _window(branch, year, what="提交评议结果")
    view = evaluation_view(branch=branch, year=year)
    e = view.evaluation
    if e is not None and e.stage == Stage.SUBMITTED:
        engine.require_none_open(EVAL_KIND, org=branch, name=branch.full_name)
    if e is not None and e.stage == Stage.APPROVED:
        raise Conflict("评议结果已审核认证。", code="approved")
    problems = _submission_problems(view)
    if problems or e is None:
        raise Conflict("评议结果不能提交：" + "；".join(problems or ["尚未填写"]) + "。", code="not_submittable")
    process = engine.process_start(
        kind=EVAL_KIND, title=f"{branch.full_name}{year}年度团员教育评议（参评{view.participants}人）",
        started_by=actor, first=engine.Handler(name="审核认证", org=branch.parent), subject_org=branch, starting_org=branch,
    )  # fmt: skip
    e.stage, e.process = Stage.SUBMITTED, process
    e.save(update_fields=["stage", "process", "updated_at"])
    aggregates.refresh(branch, year)
    audit_record(actor=actor, verb="提交团员教育评议", target=e, org=branch, changes={"参评": view.participants})
    return process


def _decide(record, process, actor, *, approve: bool, opinion: str, what: str):
    """Approve or return one record's open process, moving the record's stage with it."""
    engine.require_handler(actor, process)
    if approve:
        engine.process_move(process=process, actor=actor, action=Action.APPROVE, label="审核认证", opinion=opinion,
                            status=ProcessStatus.APPROVED)  # fmt: skip
        record.stage = Stage.APPROVED
    else:
        if not opinion:
            raise _invalid("opinion", f"退回{what}时请写明问题，告诉支部如何修改。", "reason_required")
        engine.process_move(process=process, actor=actor, action=Action.RETURN, opinion=opinion,
                            status=ProcessStatus.RETURNED)  # fmt: skip
        record.stage = Stage.RETURNED


@transaction.atomic
def evaluation_decide(*, evaluation: Evaluation, actor, approve: bool, opinion: str = "") -> Evaluation:
    """EV5: 审核认证 (the 优秀 limit checked again) or 退回修改 with the problems."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    process = Process.objects.filter(pk=evaluation.process_id).first()
    if evaluation.stage != Stage.SUBMITTED or process is None or not process.is_open:
        raise Conflict("该评议结果不在待审核状态。", code="process_closed")
    if approve:
        problems = _submission_problems(evaluation_view(branch=evaluation.org, year=evaluation.year))
        if problems:
            raise Conflict("不能审核认证：" + "；".join(problems) + "。请退回支部修改。", code="not_approvable")
    _decide(evaluation, process, actor, approve=approve, opinion=clean_text(opinion or ""), what="评议结果")
    if approve:
        evaluation.approved_at = timezone.now()
        # Two statements whatever the branch's size: the proposed levels become the approved ones.
        items = Item.objects.filter(evaluation=evaluation)
        items.filter(participates=True).update(approved_level=F("proposed_level"))
        items.filter(participates=False).update(approved_level="")
    evaluation.save(update_fields=["stage", "approved_at", "updated_at"])
    aggregates.refresh(evaluation.org, evaluation.year)
    audit_record(actor=actor, verb="审核认证团员教育评议" if approve else "退回团员教育评议", target=evaluation,
                 org=evaluation.org, changes={"意见": opinion})  # fmt: skip
    return evaluation


@transaction.atomic
def evaluation_reopen(*, branch: Org, actor, year: int) -> Evaluation:
    """EV5: the direct superior reopens an approved result within the round's window; the levels count no more."""
    if not access.is_admin_of_parent(actor, branch):
        raise NotAllowed("只有直属上级组织的管理员可以重新打开评议结果。", code="forbidden")
    _window(branch, year, what="重新打开评议结果")
    evaluation = Evaluation.objects.select_for_update().filter(org=branch, year=year, stage=Stage.APPROVED).first()
    if evaluation is None:
        raise Conflict("该支部本年度的评议结果尚未审核认证，无需重新打开。", code="not_approved")
    if Registration.objects.filter(org=branch, year=year).exclude(stage__in=OPEN_STAGES).exists():
        raise Conflict("该支部本年度团籍注册已提交或已确认，不能重新打开评议结果。", code="registered")
    evaluation.stage, evaluation.approved_at = Stage.RETURNED, None
    evaluation.save(update_fields=["stage", "approved_at", "updated_at"])
    Item.objects.filter(evaluation=evaluation).update(approved_level="", correction_until=None, re_level="")
    aggregates.refresh(branch, year)
    audit_record(actor=actor, verb="重新打开团员教育评议", target=evaluation, org=branch)
    return evaluation


# --- the member's own page and appeal (EV7) ------------------------------------------------------------------------


def my_years(person) -> list[dict]:
    """Each year's approved level and registration outcome of `person`."""
    years: dict[int, dict] = {}
    for item in Item.objects.filter(person=person, evaluation__stage=Stage.APPROVED).select_related("evaluation"):
        appeal = Appeal.objects.filter(item=item).first()
        years.setdefault(item.evaluation.year, {}).update(
            level=item.re_level or item.approved_level or None, correction_until=item.correction_until,
            appealed=appeal is not None, appeal_upheld=appeal.upheld if appeal else None,
        )  # fmt: skip
    regs = RegistrationItem.objects.filter(person=person, registration__stage=Stage.APPROVED).select_related(
        "registration"
    )
    for reg in regs:
        years.setdefault(reg.registration.year, {})["outcome"] = reg.outcome
    return [{"year": y, "level": d.get("level"), "outcome": d.get("outcome"), "correction_until": d.get("correction_until"),
             "appealed": d.get("appealed", False), "appeal_upheld": d.get("appeal_upheld")}
            for y, d in sorted(years.items(), reverse=True)]  # fmt: skip


@transaction.atomic
def appeal_make(*, person, year: int, reason: str) -> Appeal:
    """EV7: a member rated 不合格 appeals once, to the branch's direct superior committee."""
    reason = clean_text(reason or "")
    if not reason:
        raise _invalid("reason", "请填写申诉理由。", "reason_required")
    item = (Item.objects.select_for_update().filter(person=person, evaluation__year=year,
                                                    evaluation__stage=Stage.APPROVED).select_related("evaluation__org").first())  # fmt: skip
    if item is None or item.approved_level != Level.UNQUALIFIED:
        raise Conflict(f"您{year}年度的评议等次不是不合格，无需申诉。", code="not_unqualified")
    if Appeal.objects.filter(item=item).exists():
        raise Conflict("每个年度的评议结果只能申诉一次，您已申诉过。", code="appealed")
    branch = item.evaluation.org
    process = engine.process_start(
        kind=APPEAL_KIND, title=f"{person.name}对{year}年度评议等次（不合格）的申诉", started_by=person,
        first=engine.Handler(name="申诉处理", org=branch.parent), subject_person=person, starting_org=branch,
        opinion=reason,
    )  # fmt: skip
    appeal = Appeal.objects.create(item=item, reason=reason[:500], process=process)
    audit_record(actor=person, verb="评议申诉", target=appeal, org=branch, changes={"年度": year})
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor, upheld: bool, opinion: str = "") -> Appeal:
    """An upheld appeal raises the level to 基本合格 and ends the correction period; a rejected one keeps 不合格."""
    appeal = Appeal.objects.select_for_update().select_related("item__evaluation__org").get(pk=appeal.pk)
    process = Process.objects.filter(pk=appeal.process_id).first()
    if process is None or not process.is_open:
        raise Conflict("该申诉已处理。", code="process_closed")
    engine.require_handler(actor, process)
    opinion = clean_text(opinion or "")
    if not upheld and not opinion:
        raise _invalid("opinion", "驳回申诉时请写明理由。", "reason_required")
    engine.process_move(process=process, actor=actor, action=Action.APPROVE if upheld else Action.REJECT,
                        label="申诉成立" if upheld else "维持原等次", opinion=opinion,
                        status=ProcessStatus.APPROVED if upheld else ProcessStatus.REJECTED)  # fmt: skip
    appeal.upheld = upheld
    appeal.save(update_fields=["upheld", "updated_at"])
    if upheld:
        item = appeal.item
        item.approved_level, item.correction_until = Level.BASIC, None
        item.save(update_fields=["approved_level", "correction_until"])
        aggregates.refresh(item.evaluation.org, item.evaluation.year)
    audit_record(actor=actor, verb="处理评议申诉", target=appeal, org=appeal.item.evaluation.org,
                 changes={"申诉成立": upheld})  # fmt: skip
    return appeal


# --- 团籍注册 (RG1–RG3) -------------------------------------------------------------------------------------------


@dataclass
class RegRow:
    person: Person
    allowed: rules.Allowed
    item: RegistrationItem | None

    @property
    def outcome(self) -> str:
        return self.item.outcome if self.item else self.allowed.proposed

    def as_api(self) -> dict:
        return {"person_id": self.person.pk, "name": self.person.name, "outcome": self.outcome,
                "allowed": list(self.allowed.outcomes), "why": self.allowed.why,
                "exception_reason": self.item.exception_reason if self.item else ""}  # fmt: skip


def registration_view(*, branch: Org, year: int) -> tuple[Registration | None, list[RegRow]]:
    """Every member with the outcomes RG2 allows and the one recorded (or proposed)."""
    registration = Registration.objects.filter(org=branch, year=year).first()
    stored = (
        {i.person_id: i for i in RegistrationItem.objects.filter(registration=registration)} if registration else {}
    )
    evaluation = evaluation_view(branch=branch, year=year)
    approved = evaluation.evaluation is not None and evaluation.evaluation.stage == Stage.APPROVED
    ids = [r.person.pk for r in evaluation.rows]
    before = dict(RegistrationItem.objects.filter(person_id__in=ids, registration__year=year - 1,
                                                  registration__stage=Stage.APPROVED).values_list("person_id", "outcome"))  # fmt: skip
    rows = []
    for r in evaluation.rows:
        if r.person.branch_id != branch.pk:
            continue
        level = (r.item.approved_level if r.item else "") if approved else ""
        prev = before.get(r.person.pk)
        allowed = rules.allowed_outcomes(
            person=r.person, level=level, excluded_reason=r.excluded_reason, re_level=r.item.re_level if r.item else "",
            registered_before=None if prev is None else prev == Outcome.REGISTERED,
        )  # fmt: skip
        rows.append(RegRow(r.person, allowed, stored.get(r.person.pk)))
    return registration, rows


@transaction.atomic
def registration_save(*, branch: Org, actor, year: int, items: list[dict]) -> tuple:
    """RG1–RG2: outcomes merged by person_id, each within what RG2 allows; 予以注册 of someone not registered the
    year before needs an exception reason (which the superior's confirmation confirms)."""
    require_entry(actor, branch)
    branch = Org.objects.select_for_update().get(pk=branch.pk)
    registration, rows = registration_view(branch=branch, year=year)
    if registration is not None and registration.stage in (Stage.SUBMITTED, Stage.APPROVED):
        raise Conflict(f"本年度团籍注册已{registration.stage}，不能修改。", code="submitted")
    by_id = {r.person.pk: r for r in rows}
    changes = []
    for data in items:
        row = by_id.get(data.get("person_id"))
        if row is None:
            raise _invalid("person_id", f"编号为{data.get('person_id')}的人员不是本支部团员。", "not_in_branch")
        outcome = data.get("outcome")
        if outcome not in row.allowed.outcomes:
            raise Conflict(f"{row.person.name}不能{outcome}：{row.allowed.why}。", code="outcome_not_allowed")
        reason = clean_text(data.get("exception_reason") or "")
        if outcome == Outcome.REGISTERED and row.allowed.needs_exception and not reason:
            raise _invalid(
                "exception_reason", f"{row.person.name}上一年度未注册，予以注册须填写例外理由。", "exception_required"
            )
        changes.append((row, outcome, reason[:200]))
    if registration is None:
        registration = Registration.objects.create(org=branch, year=year)
    for row, outcome, reason in changes:
        RegistrationItem.objects.update_or_create(registration=registration, person=row.person,
                                                  defaults={"outcome": outcome, "exception_reason": reason})  # fmt: skip
    audit_record(actor=actor, verb="填写团籍注册", target=registration, org=branch, changes={"人数": len(changes)})
    return registration_view(branch=branch, year=year)


@transaction.atomic
def registration_submit(*, branch: Org, actor, year: int) -> Process:
    require_entry(actor, branch)
    branch = Org.objects.select_for_update().get(pk=branch.pk)
    if not Evaluation.objects.filter(org=branch, year=year, stage=Stage.APPROVED).exists():
        raise Conflict("团籍注册在本年度评议结果审核认证后进行（RG1）。", code="not_evaluated")
    registration, rows = registration_view(branch=branch, year=year)
    if registration is not None and registration.stage == Stage.SUBMITTED:
        engine.require_none_open(REGISTRATION_KIND, org=branch, name=branch.full_name)
    if registration is not None and registration.stage == Stage.APPROVED:
        raise Conflict("本年度团籍注册已确认。", code="approved")
    stored = {i.person_id for i in registration.items.all()} if registration else set()
    # Members not entered get the outcome RG2 proposes: the submission holds every member.
    registration = registration or Registration.objects.create(org=branch, year=year)
    for row in rows:
        if row.person.pk not in stored:
            outcome = row.allowed.proposed
            RegistrationItem.objects.create(registration=registration, person=row.person, outcome=outcome)
    process = engine.process_start(
        kind=REGISTRATION_KIND, title=f"{branch.full_name}{year}年度团籍注册（{len(rows)}人）", started_by=actor,
        first=engine.Handler(name="确认", org=branch.parent), subject_org=branch, starting_org=branch,
    )  # fmt: skip
    registration.stage, registration.process = Stage.SUBMITTED, process
    registration.save(update_fields=["stage", "process", "updated_at"])
    audit_record(actor=actor, verb="提交团籍注册", target=registration, org=branch, changes={"人数": len(rows)})
    return process


@transaction.atomic
def registration_decide(*, registration: Registration, actor, approve: bool, opinion: str = "") -> Registration:
    """RG1: the direct superior confirms (its confirmation also confirms the exceptions) or returns it."""
    registration = Registration.objects.select_for_update().select_related("org").get(pk=registration.pk)
    process = Process.objects.filter(pk=registration.process_id).first()
    if registration.stage != Stage.SUBMITTED or process is None or not process.is_open:
        raise Conflict("该团籍注册不在待确认状态。", code="process_closed")
    _decide(registration, process, actor, approve=approve, opinion=clean_text(opinion or ""), what="团籍注册")
    if approve:
        registration.confirmed_at = timezone.now()
    registration.save(update_fields=["stage", "confirmed_at", "updated_at"])
    aggregates.refresh(registration.org, registration.year)
    audit_record(actor=actor, verb="确认团籍注册" if approve else "退回团籍注册", target=registration,
                 org=registration.org, changes={"意见": opinion})  # fmt: skip
    return registration


def overdue(*, org: Org):
    """RG3: members of the subtree more than 15 months since their last registration (never registered: since
    joining), with that date, oldest first."""
    since = rules.overdue_since()
    last = Max("registration_items__registration__confirmed_at",
               filter=Q(registration_items__outcome=Outcome.REGISTERED,
                        registration_items__registration__stage=Stage.APPROVED))  # fmt: skip
    return (
        Person.objects.filter(Org.subtree_q(org.path, "branch__"))
        .annotate(last_registered=last)
        .annotate(since=Coalesce(TruncDate("last_registered"), "league_join_date"))
        .filter(since__lt=since)
        .select_related("branch")
        .order_by("since", "id")
    )


# --- the workflows on the engine ------------------------------------------------------------------------------------


class _StageFlow(engine.Definition):
    """A branch's submission to its direct superior: 通过 (审核认证/确认) or 退回修改 with the problems."""

    may_return = True
    decide = None  # the module's decision service: (record, actor, approve, opinion)

    def approve(self, process, *, actor, opinion):
        type(self).decide(self.record(process), actor, True, opinion)
        return Process.objects.get(pk=process.pk)

    def return_(self, process, *, actor, opinion):
        type(self).decide(self.record(process), actor, False, opinion)
        return Process.objects.get(pk=process.pk)

    def reject(self, process, *, actor, opinion):
        raise Conflict(f"{self.kind}不能驳回；有问题请退回修改，写明问题。", code="action_not_allowed")

    def detail_url(self, process) -> str:
        record = self.record_model.objects.filter(process=process).first()
        return reverse(self.page, args=[record.org_id, record.year]) if record else ""


class EvaluationFlow(_StageFlow):
    kind, record_model, record_gone, page = EVAL_KIND, Evaluation, "该评议记录已不存在。", "evaluation:branch"

    @staticmethod
    def decide(record, actor, approve, opinion):
        evaluation_decide(evaluation=record, actor=actor, approve=approve, opinion=opinion)


class RegistrationFlow(_StageFlow):
    kind, record_model, record_gone, page = (
        REGISTRATION_KIND,
        Registration,
        "该注册记录已不存在。",
        "evaluation:registration",
    )

    @staticmethod
    def decide(record, actor, approve, opinion):
        registration_decide(registration=record, actor=actor, approve=approve, opinion=opinion)


class AppealFlow(engine.Definition):
    kind, record_model, record_gone = APPEAL_KIND, Appeal, "该申诉记录已不存在。"

    def approve(self, process, *, actor, opinion):
        return appeal_decide(appeal=self.record(process), actor=actor, upheld=True, opinion=opinion).process

    def reject(self, process, *, actor, opinion):
        return appeal_decide(appeal=self.record(process), actor=actor, upheld=False, opinion=opinion).process


for _flow in (EvaluationFlow(), RegistrationFlow(), AppealFlow()):
    engine.register(_flow)
