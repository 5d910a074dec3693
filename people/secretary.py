"""O4: one 书记 per organisation.

The secretary registered in an organisation's information holds its 书记 post. When another person becomes
secretary, whoever else still holds 书记 there gives it up: the post ends (a branch's former secretary stays
a member of the branch, everyone keeps their record), except for one of the organisation's admins, who must
keep a post there (C5) and becomes 委员 until an admin changes it (团干部职务变更) or revokes them. Each change
is audited, and the returned sentences tell the acting admin what happened.
"""

from audit.services import audit_record
from orgs.models import Org, OrgAdmin

from .choices import SECRETARY
from .models import Cadre, Person

FORMER_SECRETARY_POST = "委员"  # in both lists of positions (committees and branches)


def secretary_posts_end(*, org: Org, keep: Person, actor) -> list[str]:
    """End or change every 书记 post in `org` but `keep`'s; the sentences to show the acting admin."""
    notes = []
    posts = (
        Cadre.objects.select_for_update()
        .filter(org=org, position=SECRETARY)
        .exclude(person=keep)
        .select_related("person")
        .order_by("id")
    )
    for post in posts:
        person = post.person
        if OrgAdmin.objects.filter(org=org, person=person).exists():
            post.position = FORMER_SECRETARY_POST
            post.save(update_fields=["position", "updated_at"])
            audit_record(
                actor=actor, verb="变更团干部职务", target=person, org=org,
                changes={"person": person.name, "position": [SECRETARY, FORMER_SECRETARY_POST], "reason": "更换书记"},
            )  # fmt: skip
            notes.append(
                f"原书记{person.name}不再担任书记：因其仍是{org.short_name}的管理员，团内职务改为{FORMER_SECRETARY_POST}；"
                "如需调整，请在“团干部职务变更”中修改，或撤销其管理员后删除。"
            )
            continue
        post.delete()
        audit_record(
            actor=actor, verb="结束书记职务", target=person, org=org,
            changes={"person": person.name, "position": SECRETARY, "reason": "更换书记"},
        )  # fmt: skip
        stays = "，仍是本支部团员" if org.is_branch and person.branch_id == org.pk else "，其个人信息保留"
        notes.append(f"原书记{person.name}的书记职务已结束{stays}。")
    return notes
