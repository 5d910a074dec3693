"""The demo's 对标定级 round (issue 17 item 5): opened by the demo university's 团委 for this year, with the
branches of the demo 团总支 in every state, so `make run` shows the module at work. Everything goes through
rating.services, as an admin's clicks would: the processes, messages and audit rows are the real ones."""

import datetime as dt

from django.utils import timezone

from orgs.models import Org, OrgAdmin
from orgs.rules import BranchKind, Category
from rating import services

GENERAL = "五年制临床医学2017级团总支"
REASONS = {
    "四星": "支部组织生活规范，三会两制一课落实到位，志愿服务活动有特色。",
    "三星": "支部基础工作扎实，组织生活基本规范，团员教育管理需进一步加强。",
    "二星": "支部活动开展较少，团员参加组织生活不够积极。",
}


def _admin(org: Org):
    post = OrgAdmin.objects.filter(org=org).select_related("person").order_by("slot").first()
    return post.person if post else None


def seed_rating(*, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    uni = Org.objects.filter(short_name="南京医科大学团委", category=Category.PRIMARY).first()
    general = Org.objects.filter(short_name=GENERAL, category=Category.GENERAL).first()
    if uni is None or general is None or _admin(uni) is None or _admin(general) is None:
        return
    ends = today + dt.timedelta(days=30)
    services.round_open(
        org=uni, actor=_admin(uni), year=today.year, starts_on=today - dt.timedelta(days=30), ends_on=ends,
        locks_at=max(services.default_locks_at(today.year), timezone.make_aware(dt.datetime.combine(ends, dt.time(12)))),
    )  # fmt: skip
    branches = [b for b in Org.objects.filter(parent=general, category=Category.BRANCH).order_by("path") if _admin(b)]
    reviewer = _admin(general)
    for state, branch in zip(["pending", "reviewed", "none", "flagged", "not_rated"], branches, strict=False):
        actor = _admin(branch)
        if state == "flagged":
            Org.objects.filter(pk=branch.pk).update(branch_kind=BranchKind.TEMPORARY)
            continue
        if state == "not_rated":
            continue
        level = {"pending": "四星", "reviewed": "三星", "none": "二星"}[state]
        rate = dict(reason=REASONS[level], founded_on=branch.founded_on, last_election_on=dt.date(today.year - 1, 9, 20),
                    party_applicants=3)  # fmt: skip
        if state == "pending":  # changed once before review: marked for the reviewer
            services.self_rate(
                org=branch, actor=actor, year=today.year, level="三星", **{**rate, "reason": REASONS["三星"]}
            )
        services.self_rate(org=branch, actor=actor, year=today.year, level=level, **rate)
        if state == "reviewed":
            services.review(org=branch, actor=reviewer, year=today.year, level="三星")
        elif state == "none":
            services.review(org=branch, actor=reviewer, year=today.year, level="不予定级",
                            reason="全年未开展组织生活，一票否决；请整改后重新自评。")  # fmt: skip
