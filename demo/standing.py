"""The demo's 团籍状态 (issue 18 item 5): members of the demo 团总支's classes past 28 who hold no post (the
应离团 list), one 超龄离团 request waiting for the 团总支, and one member who left (自愿退团, approved), so `make
run` shows the module at work. Everything goes through the services, as an admin's clicks would."""

import datetime as dt

from django.utils import timezone

from core.validators import id_check_char
from orgs.models import Org
from orgs.rules import Category
from people import members
from people.models import Person
from standing import services

from .rating import GENERAL, _admin

REGION = "320124"  # 溧水: not among the generator's regions, so these numbers never collide with its own
OVERAGE = [("周建国", "男"), ("吴晓梅", "女"), ("郑立群", "男")]


def _id_number(birth: dt.date, serial: int, gender: str) -> str:
    first17 = f"{REGION}{birth:%Y%m%d}{serial:02d}{'1' if gender == '男' else '2'}"
    return first17 + id_check_char(first17)


def seed_standing(*, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    general = Org.objects.filter(short_name=GENERAL, category=Category.GENERAL).first()
    reviewer = _admin(general) if general else None
    branches = [b for b in Org.objects.filter(parent=general, category=Category.BRANCH).order_by("path") if _admin(b)]
    if reviewer is None or len(branches) < 2:
        return
    branch, other = branches[0], branches[1]
    entered = []
    for i, (name, gender) in enumerate(OVERAGE):
        birth = dt.date(today.year - 29 - i, 3 + i, 10)
        data = {"name": name, "id_number": _id_number(birth, 90 + i, gender), "ethnicity": "汉族",
                "political_status": "团员", "league_join_date": f"{birth.year + 14}-09", "education": "大学本科",
                "occupation": "在职", "mobile": f"1390000{i:04d}"}  # fmt: skip
        entered.append(members.member_add(branch=branch if i < 2 else other, data=data, actor=_admin(branch if i < 2
                                          else other)))  # fmt: skip
    # One request waiting for the 团总支 (its 待办), the rest still on the 应离团 list.
    services.status_change_request(person=entered[0], actor=_admin(branch), status="超龄离团",
                                   reason=services.OVERAGE_REASON, explanation="本人已年满28周岁，未担任团内职务。")  # fmt: skip
    # One member who left: 自愿退团, asked by the class and approved by the 团总支 (listed as 离团团员).
    leaving = Person.objects.filter(branch=other, admin_posts=None, cadre_posts=None).order_by("pk").first()
    if leaving is not None:
        change = services.status_change_request(person=leaving, actor=_admin(other), status="自愿退团",
                                                reason="本人提出退团申请", explanation="经支部大会讨论同意。")  # fmt: skip
        services.status_change_approve(change=change, actor=reviewer, opinion="同意")
