"""The design property behind running at national scale (issue 7, README "Running at national scale").

Every request an admin or member below 团中央 makes is scoped to a subtree, and every subtree lies
inside one province: so one province's database (a partition or a Citus shard holding that
province's rows) can answer it alone. Tested from the outside, on every GET route of the sweep
(pages from the URL conf, API operations from the OpenAPI document, so a new route is covered
without being listed): each persona of 团江苏省委 gets byte-for-byte the same answers (after masking
tokens and clock times) before and after another province, 团浙江省委, fills up with its own
committees, branches, members, cadres, codes, admin changes, transfers and a migration. An answer
that changes read some other province's rows.

Two kinds of route are national by nature and are listed in NATIONAL with the reason: public
searches of the organisation tree by name (registration, choosing a transfer target). In the
sharding plan the organisation tree is a reference table replicated to every node, so they stay
local reads too; they are checked here to read no personal data at all.
"""

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import PASSWORD, make_id_number, make_person_plain
from core.tests.test_authorization_sweep import (
    API,
    PAGES,
    Context,
    api_request,
    context_for,
    page_routes,
    page_url,
    world,  # noqa: F401  (the fixture)
)
from orgchanges import admin_changes, migration
from orgs import codes
from orgs import services as org_services
from orgs.rules import Category
from people import members as member_services
from people import services as people_services
from people.admins import org_admin_add
from people.models import Person
from progress.aggregates import stats_recount
from transfers import services as transfer_services

# Searches of the organisation tree by name, open to anyone who registers or picks a transfer target.
NATIONAL = {
    ("accounts:register_org_search", "GET"): "管理员注册: choose one's organisation among all of them",
    ("accounts:register_branch_search", "GET"): "团员注册: choose one's branch among all of them",
    ("transfers:org_picker", "GET"): "a transfer may go to any organisation in the country",
    ("GET", "/api/v1/register/orgs"): "管理员注册 through the API",
}
PERSONAL_TABLES = ("people_person", "people_cadre", "transfers_", "audit_")

# Personas inside 团江苏省委: the sweep's contexts, plus the province's own admin reading the same objects.
PERSONAS = ("member", "subordinate", "superior", "province")


def context(t, persona: str) -> Context:
    if persona == "province":
        ctx = context_for(t, "superior")
        ctx.persona, ctx.caller = "province", t.province_admin
        return ctx
    return context_for(t, persona)


COMMITTEE_MEMBERS = ("people:members on a committee", "GET")


def get_routes(client: Client) -> list[tuple]:
    """Every route answering GET: page names from the URL conf, API operations from OpenAPI."""
    routes = [key for key in PAGES if key[1] == "GET" and PAGES[key] != "N N N N N"] + [COMMITTEE_MEMBERS]
    schema = client.get("/api/v1/openapi.json").json()
    api = [("GET", path) for path, ops in schema["paths"].items() if "get" in ops]
    assert set(api) <= set(API), "an API route missing from the sweep: test_every_route_has_expectations says which"
    return routes + api


MASKS = [
    (re.compile(r"[A-Za-z0-9_\-]{32,}"), "<token>"),  # CSRF tokens, bearer tokens
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}:\d{2}(:\d{2})?"), "<time>"),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), "<clock>"),
]


def normalised(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):  # a workbook: its cells, not the zip (which carries write times)
        import io

        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(content), read_only=True)
        content = repr([list(ws.iter_rows(values_only=True)) for ws in wb.worksheets]).encode()
    text = content.decode(errors="replace")
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return f"{response.status_code}\n{text}"


class Persona:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.page = Client(raise_request_exception=False)
        self.page.force_login(ctx.caller)
        token = Client().post(
            "/api/v1/auth/login", {"id_number": ctx.caller.id_number, "password": PASSWORD},
            content_type="application/json",
        ).json()["token"]  # fmt: skip
        self.api = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {token}"})

    def answers(self, routes: list[tuple]) -> dict[tuple, str]:
        """Each route's normalised answer; every request rolled back, so reading leaves no trace
        (the audit rows of an ID-number view would otherwise show up in the next 操作记录)."""
        found = {}
        names = page_routes()
        for key in routes:
            if key in NATIONAL:
                continue
            with transaction.atomic():
                if key == COMMITTEE_MEMBERS:  # the members page opened on a committee: its whole subtree
                    response = self.page.get(reverse("people:members", args=[self.ctx.org.pk]))
                elif key in PAGES:
                    response = self.page.get(page_url(key[0], names[key[0]], self.ctx))
                else:
                    url, kwargs = api_request(*key, self.ctx)
                    response = self.api.generic("GET", url, **kwargs)
                found[key] = normalised(response)
                transaction.set_rollback(True)
        return found


def fill_other_province(t) -> None:
    """团浙江省委 gets what a province has: committees, branches, members, cadres and workflows."""
    zj, zj_admin = t.other_province, t.outsider

    def admin(org, name, birth):
        person = make_person_plain(name, birth)
        people_services.cadre_assign(person=person, org=org, position="书记")
        org_admin_add(org=org, person=person)
        return person

    city = org_services.org_create_child(
        parent=zj, short_name="团杭州市委", category=Category.LEADING, by_operator=True
    )
    admin(city, "杭州市委书记", "19870101")
    uni = org_services.org_create_child(parent=zj, short_name="浙江大学团委", category=Category.PRIMARY, actor=zj_admin)
    uni_admin = admin(uni, "浙大团委书记", "19910202")
    general = org_services.org_create_child(
        parent=uni, short_name="临床医学2017级团总支", category=Category.GENERAL, actor=uni_admin
    )  # the same name as in 江苏: names are not unique across provinces
    general_admin = admin(general, "浙大团总支书记", "19940303")
    branches = []
    for n in (1, 2):
        b = org_services.org_create_child(
            parent=general, short_name=f"五年制临床医学2017级{n}班团支部", category=Category.BRANCH, actor=general_admin
        )
        branches.append(b)
        for i in range(6):
            make_person_plain(f"普通团员{n}{i}", "19990909", branch=b, mobile="" if i == 0 else "13812345678")
    branch_admin = make_person_plain("浙大支部书记", "19990808", branch=branches[0])
    people_services.cadre_assign(person=branch_admin, org=branches[0], position="书记")
    org_admin_add(org=branches[0], person=branch_admin)
    member_services.member_self_register(
        branch_id=branches[1].id,
        data={"name": "普通团员", "id_number": make_id_number("20000505"),
              "ethnicity": "汉族", "political_status": "团员", "league_join_date": "2014-09", "education": "大学本科",
              "occupation": "学生", "mobile": "13900001111"},
        password="Qing-Nian#2026",
    )  # fmt: skip
    codes.registration_codes_issue_all(parent=general, actor=general_admin)
    deputy = make_person_plain("浙大团总支副书记", "19970101")
    people_services.cadre_assign(person=deputy, org=general, position="副书记")
    admin_changes.admin_change_request(org=general, person=deputy, action="add", actor=general_admin)
    mover = Person.objects.filter(branch=branches[1], verified=True).order_by("id").first()
    transfer_services.transfer_submit(actor=mover, person=mover, to_org=city, reason="工作调动")
    migration.migration_apply(org=general, to_parent=city, reason="院系调整", actor=general_admin)


def test_a_province_answers_alone(world):  # noqa: F811
    t = world
    stats_recount(fix=True)
    personas = [Persona(context(t, p)) for p in PERSONAS]
    routes = get_routes(personas[0].page)
    assert len(routes) >= 60
    before = [p.answers(routes) for p in personas]
    again = [p.answers(routes) for p in personas]
    unstable = [(p, k) for p, a, b in zip(PERSONAS, before, again, strict=True) for k in a if a[k] != b[k]]
    assert not unstable, f"answers that differ between two identical runs (mask what varies): {unstable}"

    fill_other_province(t)
    stats_recount(fix=True)  # the figures of 团中央 change; those of 团江苏省委 must not
    after = [p.answers(routes) for p in personas]
    changed = []
    for persona, a, b in zip(PERSONAS, before, after, strict=True):
        for key in a:
            if a[key] != b[key]:
                changed.append(f"{persona:11} {key}: {_first_difference(a[key], b[key])}")
    assert not changed, "answers that changed when another province filled up:\n" + "\n".join(changed)


def _first_difference(a: str, b: str) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"…{a[max(0, i - 60) : i + 60]!r} → …{b[max(0, i - 60) : i + 60]!r}"


@pytest.mark.parametrize("key", list(NATIONAL), ids=[str(k) for k in NATIONAL])
def test_national_lookups_read_no_personal_data(world, key):  # noqa: F811
    """Run as a plain member: an admin's pages also count its own to-do items (scoped, and not the lookup)."""
    t = world
    ctx = context(t, "member")
    client = Client()
    client.force_login(ctx.caller)
    if key in PAGES:
        url = page_url(key[0], page_routes()[key[0]], ctx) + "?q=南京"
    else:
        url = "/api/v1/register/orgs?q=南京"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    caller_row = f'"people_person"."id" = {ctx.caller.pk}'
    personal = [
        q["sql"]
        for q in queries.captured_queries
        if any(table in q["sql"] for table in PERSONAL_TABLES)
        and caller_row not in q["sql"]  # the session's own user
        and "django_session" not in q["sql"]
    ]
    assert not personal, personal
