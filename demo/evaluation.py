"""The demo's 两制 round (issue 16 item 6): opened by the demo university's 团委 for this year, with the demo
团总支's classes in every state (not started, draft, submitted, returned, approved with its registration
confirmed), all through evaluation.services as an admin's clicks would be."""

import datetime as dt

from django.utils import timezone

from evaluation import services
from evaluation.models import Evaluation
from orgs.models import Org
from orgs.rules import Category

from .rating import GENERAL, _admin


def _levels(view) -> list[dict]:
    """A believable spread: the 优秀 up to the limit, two 基本合格, one 不合格, the rest 合格."""
    rows = [r for r in view.rows if r.participates]
    items = []
    for i, r in enumerate(rows):
        level = "优秀" if i < view.excellent_limit else "基本合格" if i < view.excellent_limit + 2 else "合格"
        items.append({"person_id": r.person.pk, "proposed_level": "不合格" if i == len(rows) - 1 else level})
    return items


def seed_evaluation(*, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    uni = Org.objects.filter(short_name="南京医科大学团委", category=Category.PRIMARY).first()
    general = Org.objects.filter(short_name=GENERAL, category=Category.GENERAL).first()
    if uni is None or general is None or _admin(uni) is None or _admin(general) is None:
        return
    year = today.year
    services.round_open(org=uni, actor=_admin(uni), year=year, starts_on=today - dt.timedelta(days=20),
                        ends_on=today + dt.timedelta(days=40))  # fmt: skip
    branches = [b for b in Org.objects.filter(parent=general, category=Category.BRANCH).order_by("path") if _admin(b)]
    for state, branch in zip(["draft", "approved", "submitted", "returned", "not_started"], branches, strict=False):
        if state == "not_started":
            continue
        actor = _admin(branch)
        view = services.evaluation_view(branch=branch, year=year)
        n = view.participants
        items = _levels(view) if state != "draft" else _levels(view)[: n // 2]
        services.evaluation_save(branch=branch, actor=actor, year=year, items=items,
                                 meeting={"held_on": today - dt.timedelta(days=3), "due": n, "present": n - 1})  # fmt: skip
        if state == "draft":
            continue
        services.evaluation_submit(branch=branch, actor=actor, year=year)
        if state == "submitted":
            continue
        evaluation = Evaluation.objects.get(org=branch, year=year)
        approve = state == "approved"
        services.evaluation_decide(evaluation=evaluation, actor=_admin(general), approve=approve,
                                   opinion="" if approve else "会议记录缺少实到人员名单，请补充后重新提交。")  # fmt: skip
        if approve:
            services.registration_submit(branch=branch, actor=actor, year=year)
            registration = branch.registrations.get(year=year)
            services.registration_decide(registration=registration, actor=_admin(general), approve=True)
