"""The operator site only where a setting allows it; __Host- cookies in production (issue 12, item 17)."""

import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from core.tests.test_deploy_settings import PRODUCTION_ENV, ROOT
from orgs.models import Org

OPERATOR_PATHS = ("/operator/", "/operator/login/", "/operator/login/?next=/operator/", "/operator",
                  "/operator/people/person/")  # fmt: skip


@pytest.mark.parametrize("path", OPERATOR_PATHS)
def test_the_operator_site_is_not_served_by_default(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert client.post(path, {"username": "x", "password": "y"}).status_code == 404


def test_the_operator_site_answers_an_operator_once_enabled(client, tree):
    with override_settings(OPERATOR_SITE_ENABLED=True):
        assert client.get("/operator/login/").status_code == 200
        tree.root_admin.is_superuser = tree.root_admin.is_staff = True
        tree.root_admin.save()
        client.force_login(tree.root_admin)
        assert client.get("/operator/").status_code == 200
    assert client.get("/operator/").status_code == 404  # and gone again when switched off


@override_settings(OPERATOR_SITE_ENABLED=True, OPERATOR_HOSTS=["ops.zhtj.internal"],
                   ALLOWED_HOSTS=["zhtj.example.cn", "ops.zhtj.internal", "testserver"])  # fmt: skip
def test_with_operator_hosts_only_that_address_serves_it(client, db):
    assert client.get("/operator/login/", headers={"host": "zhtj.example.cn"}).status_code == 404
    assert client.get("/operator/login/", headers={"host": "ops.zhtj.internal"}).status_code == 200
    # The public site itself is unaffected on either address.
    assert client.get(reverse("accounts:login"), headers={"host": "zhtj.example.cn"}).status_code == 200


def _production_settings(*names: str, **extra_env: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    code = "from django.conf import settings; print(" + ", ".join(f"settings.{n}" for n in names) + ")"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT, env=env | PRODUCTION_ENV | extra_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_cookies_carry_the_host_prefix_and_the_operator_site_is_off():
    values = _production_settings(
        "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_PATH", "CSRF_COOKIE_PATH", "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN",
        "OPERATOR_SITE_ENABLED",
    )  # fmt: skip
    assert values == ["__Host-sessionid", "__Host-csrftoken", "True", "True", "/", "/", "None", "None", "False"]
    assert _production_settings("OPERATOR_SITE_ENABLED", "OPERATOR_HOSTS", OPERATOR_SITE_ENABLED="1",
                                OPERATOR_HOSTS="ops.zhtj.internal") == ["True", "['ops.zhtj.internal']"]  # fmt: skip


@override_settings(SESSION_COOKIE_NAME="__Host-sessionid", CSRF_COOKIE_NAME="__Host-csrftoken")
def test_the_api_reads_the_prefixed_session_cookie_and_the_csrf_flow_still_works(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.branch_admin)
    assert "__Host-sessionid" in client.cookies and "sessionid" not in client.cookies
    url = f"/api/v1/orgs/{tree.branch.pk}"
    assert client.get(url).status_code == 200  # the session is found under its production name
    refused = client.patch(url, {"phone": "025-12345678"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert "__Host-csrftoken" in refused.json()["message"]
    assert client.get(reverse("orgs:home")).status_code == 200
    token = client.cookies["__Host-csrftoken"].value
    allowed = client.patch(
        url, {"phone": "025-12345678"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert allowed.status_code == 200, allowed.content
    assert Org.objects.get(pk=tree.branch.pk).phone == "025-12345678"
    # And a page POST takes the token from the form as before.
    assert client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token}).status_code == 302
