"""查找人员 (SPEC §7): look up a pasted list of names or ID numbers in one organisation's subtree.

Admins of the live system scripted this in the browser, one name at a time.
Here the whole list costs a fixed number of queries whatever its length: one
for the names, one for the ID numbers (by keyed hash, never decrypting), one
for the found people's posts.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects

from core import pii
from core.exceptions import Invalid, NotFound
from core.normalize import clean_text
from core.validators import parse_id_number
from orgs import access as org_access
from orgs.models import Org

from . import access, queries
from .models import Cadre, Person

MAX_TOKENS = 1000
SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass
class SearchHit:
    person_id: int
    name: str
    id_number: str  # always masked (issue 12, item 10)
    branch_name: str
    complete: bool
    positions: list[str]  # "组织简称 职务" of posts inside the subtree
    matched: str  # the pasted token that found the person
    can_reveal: bool = False  # the actor manages the record: people.queries shows it in full, audited


@dataclass
class SearchResult:
    items: list[SearchHit] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def split_tokens(text: str) -> list[str]:
    """Names and ID numbers as pasted: separated by newlines, commas, 、, spaces or tabs; duplicates dropped."""
    tokens = (clean_text(t) for t in SEPARATORS.split(clean_text(text)))
    return list(dict.fromkeys(t for t in tokens if t))


def people_search(*, actor, org: Org, names_or_ids: str, where: str = "查找人员") -> SearchResult:
    """The people of the subtree the pasted names and ID numbers find, ID numbers masked (`can_reveal`: the actor
    may see one in full through people.reveal). `where` is kept for the callers' sake."""
    if not org_access.can_view(actor, org):
        raise NotFound("未找到该团组织，或您无权查看。", code="org_not_found")
    tokens = split_tokens(names_or_ids)
    if not tokens:
        raise Invalid(
            "请粘贴要查找的姓名或身份证号码，每行一个，或用逗号、顿号、空格分隔。",
            code="empty_query",
            errors=[{"field": "query", "message": "请填写要查找的姓名或身份证号码。"}],
        )
    if len(tokens) > MAX_TOKENS:
        raise Invalid(
            f"一次最多查找{MAX_TOKENS}个姓名或身份证号码，当前为{len(tokens)}个，请分批查找。",
            code="too_many_tokens",
            errors=[{"field": "query", "message": f"一次最多查找{MAX_TOKENS}个。"}],
        )
    by_hash: dict[str, str] = {}  # keyed hash -> token
    names: list[str] = []
    for token in tokens:
        id_number = _as_id_number(token)
        if id_number:
            by_hash[pii.keyed_hash(id_number)] = token
        else:
            names.append(token)

    scope = _subtree_people(org)
    found: list[tuple[str, Person]] = []
    if names:
        found += [(p.name, p) for p in scope.filter(name__in=names)]
    if by_hash:
        found += [(by_hash[p.id_hash], p) for p in scope.filter(id_hash__in=list(by_hash))]
    _attach_posts([p for _, p in found])

    order = {t: i for i, t in enumerate(tokens)}
    found.sort(key=lambda tp: (order[tp[0]], tp[1].branch.path if tp[1].branch else "", tp[1].name, tp[1].pk))
    matched = {token for token, _ in found}
    manages = {p.pk for _, p in found if _sees_full_id(actor, p)}
    items = [_hit(org, person, token, actor=actor, can_reveal=person.pk in manages) for token, person in found]
    return SearchResult(items=items, not_found=[t for t in tokens if t not in matched])


def _as_id_number(token: str) -> str | None:
    if len(token) != 18:
        return None
    try:
        return parse_id_number(token).value
    except ValidationError:
        return None


def _subtree_people(org: Org):
    """Members by their branch's path, cadres by their post's organisation path; each person once."""
    posts_inside = Cadre.objects.filter(Org.subtree_q(org.path, prefix="org__"), person=OuterRef("pk"))
    in_branch = Org.subtree_q(org.path, prefix="branch__")
    return Person.objects.filter(in_branch | Exists(posts_inside)).select_related("branch")


def _attach_posts(people: list[Person]) -> None:
    prefetch_related_objects(
        people, Prefetch("cadre_posts", queryset=Cadre.objects.select_related("org").order_by("org__path"))
    )


def _sees_full_id(actor, person: Person) -> bool:
    """people.access.sees_full_id, on the posts already fetched (no query per person)."""
    if actor.pk == person.pk or access.can_manage_member(actor, person):
        return True
    return any(access.can_manage_cadres(actor, post.org) for post in person.cadre_posts.all())


def _hit(org: Org, person: Person, token: str, *, actor, can_reveal: bool) -> SearchHit:
    return SearchHit(
        person_id=person.pk,
        name=person.name,
        id_number=queries.person_numbers(viewer=actor, person=person).id_number,
        branch_name=person.branch.full_name if person.branch else "",
        complete=person.complete,
        positions=[
            f"{post.org.short_name} {post.position}"
            for post in person.cadre_posts.all()
            if post.org.path.startswith(org.path)
        ],
        matched=token,
        can_reveal=can_reveal,
    )
