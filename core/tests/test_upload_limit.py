"""The request-level upload cap (core.upload_limit, issue 8): a body above UPLOAD_MAX_BYTES is refused with 413
before Django parses it, so no part of it is written to a temporary file."""

import io

import pytest
from django.conf import settings
from django.http.multipartparser import MultiPartParser
from django.urls import reverse

from excel.readers import MAX_UPLOAD_BYTES
from people.models import Person


@pytest.fixture
def parses(monkeypatch):
    """Counts multipart bodies parsed (parsing is what writes an upload to /tmp)."""
    calls = []
    real = MultiPartParser.parse

    def counting(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(MultiPartParser, "parse", counting)
    return calls


def oversized_file(name="团员.xlsx") -> io.BytesIO:
    f = io.BytesIO(b"\0" * (settings.UPLOAD_MAX_BYTES + 1))
    f.name = name
    return f


def test_the_cap_leaves_room_for_the_largest_import_file():
    assert settings.UPLOAD_MAX_BYTES == 12 * 1024 * 1024
    assert MAX_UPLOAD_BYTES + 64 * 1024 < settings.UPLOAD_MAX_BYTES  # a 10 MB file and its multipart framing


def test_an_oversized_upload_to_the_import_page_gets_a_chinese_413_page_and_is_never_parsed(client, tree, parses):
    client.force_login(tree.branch_admin)
    before = Person.objects.count()
    response = client.post(reverse("people:member_import_preview", args=[tree.branch.pk]), {"file": oversized_file()})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'lang="zh-CN"' in page and "超过12MB" in page and "分成几个文件" in page
    assert parses == []
    assert Person.objects.count() == before


def test_an_oversized_upload_to_the_import_api_gets_the_error_body_and_is_never_parsed(tree, api_login, parses):
    api = api_login(tree.branch_admin)
    response = api.post(f"/api/v1/orgs/{tree.branch.pk}/people/import", {"file": oversized_file()})
    assert response.status_code == 413
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == "file_too_large" and "超过12MB" in body["message"] and "分成几个文件" in body["message"]
    assert parses == []


def test_a_body_just_under_the_cap_reaches_the_view(client, tree, parses):
    client.force_login(tree.branch_admin)
    f = io.BytesIO(b"\0" * (settings.UPLOAD_MAX_BYTES - 64 * 1024))
    f.name = "团员.xlsx"
    response = client.post(reverse("people:member_import_preview", args=[tree.branch.pk]), {"file": f})
    assert parses == [1]
    assert response.status_code == 200 and "超过10MB" in response.content.decode()  # the reader's own refusal


def test_the_cap_is_a_setting(client, db, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = client.post(reverse("accounts:login"), {"id_number": "x" * 600, "password": "y" * 600})
    assert response.status_code == 413 and "超过1KB" in response.content.decode()
