"""No full ID number or mobile where the reader may not see it (issue 13, item 2; SPEC P9, §8).

Every page route (Django's URL resolver) and every API operation (the served OpenAPI document), with
the URLs, forms and bodies of the authorization sweep (core/tests/test_authorization_sweep.py), is
requested by every persona of the test tree (every admin from 团中央 down to the branch, the members, a
cadre without an admin post, and nobody logged in). No answer may contain the full ID number or the
full mobile of anyone but the caller, except the routes whose purpose is to show them: the explicit
reveals (显示, one record, audited) and the full export with a stated reason. Workbooks are searched
cell by cell (their XML), so a number in a download counts as well.

Everyone in the tree has a different mobile and the organisations have their secretaries set, so a
number seen anywhere is attributable.
"""

import copy

import pytest
from django.db import transaction
from django.urls import reverse

from core.tests.test_authorization_sweep import (  # noqa: F401 (world is a fixture)
    Caller,
    api_operations,
    body_text,
    context_for,
    page_keys,
    page_post_data,
    page_routes,
    page_url,
    world,
)
from core.tests.test_authorization_sweep import api_request as sweep_api_request
from orgs.models import Org
from people.models import Person

# The routes whose purpose is a full number, for a caller the authorization sweep lets in.
REVEALING_PAGES = {("people:reveal", "POST"), ("orgs:info_reveal", "POST"), ("people:members_export", "POST")}
REVEALING_API = {
    ("POST", "/api/v1/orgs/{org_id}/people/{person_id}/reveal"),
    ("POST", "/api/v1/orgs/{org_id}/secretary/reveal"),
    ("POST", "/api/v1/orgs/{org_id}/members.xlsx"),
}

# Every persona of the tree (attribute names of the `world` fixture); None is nobody logged in.
PERSONAS = (None, "root_admin", "province_admin", "outsider", "city_admin", "uni_admin", "college_admin",
            "general_admin", "branch_admin", "member", "member2", "member3", "deputy")  # fmt: skip


@pytest.fixture
def pii_world(db, request):
    t = request.getfixturevalue("world")
    people = list(Person.objects.order_by("pk"))
    for n, person in enumerate(people):
        person.mobile = f"1390{n + 1:07d}"
        person.save()
    Org.objects.filter(pk=t.general.pk).update(secretary=t.general_admin)
    Org.objects.filter(pk=t.branch.pk).update(secretary=t.branch_admin)
    t.general.refresh_from_db()
    t.branch.refresh_from_db()
    t.numbers = {p.pk: (p.name, p.id_number, p.mobile) for p in Person.objects.all()}
    return t


def sweep_context(t, persona: str | None):
    """The authorization sweep's targets (the 团总支, its branch, their members and cadres), never the caller."""
    ctx = context_for(t, "superior")
    ctx.persona = persona or "anonymous"
    ctx.caller = getattr(t, persona) if persona else None
    if ctx.caller == ctx.member:
        ctx.member = t.member2
    if ctx.caller == ctx.cadre:
        ctx.cadre = ctx.admin = t.college_admin
    return ctx


def leaks(response, numbers: dict, caller) -> list[str]:
    text = body_text(response)
    found = []
    for pk, (name, id_number, mobile) in numbers.items():
        if caller is not None and pk == caller.pk:
            continue  # one's own numbers, in full
        if id_number in text:
            found.append(f"{name}'s ID number")
        if mobile and mobile in text:
            found.append(f"{name}'s mobile")
    return found


def send(client, method: str, url: str, **kwargs):
    """One request inside a savepoint that is rolled back; a logout or password change keeps the session."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if isinstance(kwargs.get("data"), dict):
            response = client.post(url, kwargs["data"])
        else:
            response = client.generic(method, url, **kwargs)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def sweep(t, persona: str | None) -> list[str]:
    """Every page route of the URL resolver and every operation of the OpenAPI document, as `persona`."""
    ctx = sweep_context(t, persona)
    caller = Caller(ctx)
    routes = page_routes()
    problems = []
    for name, method in sorted(page_keys()):
        if (name, method) in REVEALING_PAGES:
            continue
        try:
            url = page_url(name, routes[name], ctx)
        except KeyError as e:
            problems.append(f"{name}: no value for {e} (add it to core/tests/test_authorization_sweep.py)")
            continue
        if method == "POST":
            response = send(caller.page, "POST", url, data=page_post_data(ctx))
        else:
            response = send(caller.page, "GET", url)
        if found := leaks(response, t.numbers, ctx.caller):
            problems.append(f"{ctx.persona}: {method} {url} [{name}] shows {', '.join(found)}")
    for method, path in api_operations(caller.api):
        if (method, path) in REVEALING_API:
            continue
        try:
            url, kwargs = sweep_api_request(method, path, ctx)
        except KeyError as e:
            problems.append(f"{path}: no value for {e} (add it to core/tests/test_authorization_sweep.py)")
            continue
        response = send(caller.api, method, url, **kwargs)
        if found := leaks(response, t.numbers, ctx.caller):
            problems.append(f"{ctx.persona}: {method} {url} [{path}] shows {', '.join(found)}")
    if ctx.caller is not None and caller.page.get(reverse("people:me")).status_code != 200:
        problems.append(f"{ctx.persona}: the session ended during the sweep, so later pages were not seen as them")
    return problems


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p or "anonymous")
def test_no_full_number_outside_a_reveal(pii_world, persona):
    problems = sweep(pii_world, persona)
    assert not problems, f"{len(problems)} answer(s) show a full number the caller may not see:\n" + "\n".join(problems)


def test_the_sweep_sees_a_number_when_one_is_shown(pii_world, client):
    """The check itself works: the caller's own page shows their own number, which is allowed, and the
    reveal shows another's, which the sweep would report."""
    t = pii_world
    client.force_login(t.branch_admin)
    response = client.post(f"/people/{t.member.pk}/reveal/")
    assert response.status_code == 200
    assert leaks(response, t.numbers, t.branch_admin) == ["普通团员's ID number", "普通团员's mobile"]
