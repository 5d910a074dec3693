"""The demo's graduates (issue 18 item 5): in the demo university, one 团总支's classes marked to graduate next June,
another's marked for this June and switched by the yearly job to 毕业生团组织, part of one of them already sent
out in bulk (毕业转出), and the 研究生会团支部 marked 混合支部. Everything goes through graduates.services and
the 毕业转出 import, as the admins' clicks and the worker would."""

import datetime as dt

from django.utils import timezone

from graduates import importers, rules, services
from orgs.models import Org, OrgAdmin
from orgs.rules import Category
from people.models import Person

from .rating import GENERAL, _admin

UNIVERSITY = "南京医科大学团委"


def _classes(general: Org) -> list[Org]:
    return list(Org.objects.filter(parent=general, category=Category.BRANCH).order_by("path"))


def seed_graduates(*, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    uni = Org.objects.filter(short_name=UNIVERSITY, category=Category.PRIMARY).first()
    marker = _admin(uni) if uni else None
    if marker is None:
        return
    generals = [g for g in Org.objects.filter(Org.subtree_q(uni.path), category=Category.GENERAL).exclude(short_name=GENERAL)
                .order_by("path") if _classes(g)]  # fmt: skip
    if len(generals) < 2:
        return
    graduating, graduated = generals[0], generals[1]
    for branch in _classes(graduating):
        services.mark_set(org=branch, actor=marker, expected=f"{today.year + 1}-06")
    for branch in _classes(graduated):
        services.mark_set(org=branch, actor=marker, expected=f"{today.year}-06")
    mixed = Org.objects.filter(parent=uni, short_name="研究生会团支部").first()
    if mixed is not None:
        services.mark_set(org=mixed, actor=marker, no_date_reason="混合支部")
    # The worker's job on this year's switch day (or today, once it has passed).
    services.switch_due(today=max(today, rules.switch_day(today.year)))
    _send_out_half(graduated, outside=uni)


def _send_out_half(general: Org, *, outside: Org) -> None:
    """Half of the first graduated class (its admins stay: they hand over first) transferred out in bulk."""
    branch = Org.objects.filter(parent=general, category=Category.GRADUATED).order_by("path").first()
    actor = _admin(general) or (_admin(branch) if branch else None)
    destination = (
        Org.objects.filter(category=Category.PRIMARY).exclude(Org.subtree_q(outside.path)).order_by("path").first()
    )
    if branch is None or actor is None or destination is None:
        return
    admins = set(OrgAdmin.objects.filter(org=branch).values_list("person_id", flat=True))
    people = [
        p for p in Person.objects.filter(branch=branch).order_by("name", "pk") if p.pk not in admins and not p.has_left
    ]
    rows = [{"name": p.name, "id_number": p.id_number, "destination": destination.full_name if n % 2 == 0 else "",
             "reason": "已落实工作单位（含自主创业）" if n % 2 == 0 else ""} for n, p in enumerate(people)]  # fmt: skip
    importers.transfers_import(branch=branch, file=rows, actor=actor, dry_run=False)
