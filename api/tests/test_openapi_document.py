"""The OpenAPI document renders in /api/v1/docs: no mapping key twice (issue 14, item 10)."""

import json
from collections import Counter

import pytest
from playwright.sync_api import Page, expect


def _duplicate_keys(obj, path="") -> list[str]:
    found = []
    if isinstance(obj, dict):
        found += [f"{path}/{k}" for k, n in Counter(str(k) for k in obj).items() if n > 1]
        for key, value in obj.items():
            found += _duplicate_keys(value, f"{path}/{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            found += _duplicate_keys(value, f"{path}[{i}]")
    return found


def test_no_mapping_key_appears_twice(client, db):
    from api.api import api

    assert _duplicate_keys(api.get_openapi_schema()) == []
    served = client.get("/api/v1/openapi.json").content.decode()
    # As served: a JSON object that repeats a key ("200" from an int and from a string) would lose one.
    json.loads(served, object_pairs_hook=lambda pairs: _no_repeats(pairs))


def _no_repeats(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), [k for k, n in Counter(keys).items() if n > 1]
    return dict(pairs)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_interactive_docs_render_every_operation(page: Page, live_server):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("智慧团建 API").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 50
    expect(page.get_by_text("duplicated mapping key")).to_have_count(0)
    expect(page.locator(".errors-wrapper")).to_have_count(0)
    page.screenshot(path="test-results/api-docs.png")
