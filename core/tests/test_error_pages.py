"""Every refusal a page can meet answers a Chinese page in the site's look with the way back; the API keeps its
JSON body (issue 14, item 2)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, override_settings
from django.urls import path

from core.exceptions import NotAllowed


def _boom(request):
    raise RuntimeError("a bug")


def _denied(request):
    raise PermissionDenied("只有本组织管理员可以进行此操作。")


def _not_allowed(request):
    raise NotAllowed("只有直属上级组织管理员可以删除该组织。")


def _missing(request):
    raise Http404("未找到该团组织，或您无权查看。")


urlpatterns = [path("boom/", _boom), path("denied/", _denied), path("not-allowed/", _not_allowed),
               path("missing/", _missing)]  # fmt: skip
handler500 = "core.error_pages.server_error"


def _is_friendly(response, status: int, *phrases: str) -> str:
    page = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert "返回首页" in page and "智慧团建" in page and 'lang="zh-CN"' in page
    for english in ("Not Found", "Forbidden", "Bad Request", "Server Error", "Page not found", "CSRF", "Traceback"):
        assert english not in page, english
    for phrase in phrases:
        assert phrase in page, phrase
    return page


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_page_is_a_chinese_404_with_debug_on_or_off(client, db, settings, debug):
    settings.DEBUG = debug
    _is_friendly(client.get("/manage/no-such-page/"), 404, "页面不存在")


@pytest.mark.parametrize("debug", [True, False])
def test_a_refused_page_is_a_chinese_404_that_keeps_its_message(client, tree, settings, debug):
    settings.DEBUG = debug
    client.force_login(tree.outsider)
    page = _is_friendly(client.get(f"/manage/orgs/{tree.branch.id}/"), 404)
    assert "无权" in page or "不存在" in page


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(("url", "status", "text"), [
    ("/denied/", 403, "只有本组织管理员可以进行此操作。"),
    ("/not-allowed/", 403, "只有直属上级组织管理员可以删除该组织。"),
    ("/missing/", 404, "未找到该团组织，或您无权查看。"),
])  # fmt: skip
def test_every_refusal_of_a_page_is_a_chinese_page_with_its_message(db, settings, debug, url, status, text):
    settings.DEBUG = debug
    with override_settings(ROOT_URLCONF=__name__):
        page = _is_friendly(Client().get(url), status, text)
    assert ("重新登录" in page) == (status == 403)


def test_a_stale_form_is_a_chinese_page_not_the_english_csrf_page(db):
    client = Client(enforce_csrf_checks=True)
    page = _is_friendly(client.post("/accounts/login/", {"id_number": "x", "password": "y"}), 403, "页面已过期")
    assert "刷新" in page


@override_settings(ALLOWED_HOSTS=["zhtj.example.cn"], DEBUG=False)
def test_a_bad_request_is_a_chinese_400(client, db):
    _is_friendly(client.get("/accounts/login/", headers={"host": "evil.example.com"}), 400, "请求有误")


def test_a_body_over_the_cap_is_a_chinese_413_page_and_json_on_the_api(client, db, settings):
    settings.UPLOAD_MAX_BYTES = 100
    big = "x" * 500
    _is_friendly(client.post("/accounts/login/", {"id_number": big}), 413, "上传内容过大")
    api = client.post("/api/v1/auth/login", {"id_number": big}, content_type="application/json")
    assert api.status_code == 413 and api.json()["code"] == "file_too_large"


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_is_a_chinese_500(db):
    client = Client(raise_request_exception=False)
    _is_friendly(client.get("/boom/"), 500, "系统出错了", "请求编号")


def test_the_api_keeps_its_json_error_body(client, tree, api_login):
    response = api_login(tree.outsider).get(f"/api/v1/orgs/{tree.branch.id}")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"]
    missing = client.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
