"""Production settings: `check --deploy` is clean, and every page carries the security headers."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "zhtj.example.cn",
    "PII_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1rZXktZm9yLXRlc3RzLTAwMDAwMDA=",
    "PII_HASH_KEY": "production-hash-key",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_check_deploy_is_clean_in_production_settings():
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    } | PRODUCTION_ENV
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")} | {
        "DEBUG": "0"
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_pages_carry_csp_and_security_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()  # no inline script anywhere in the shell


def _start(env_changes: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")}
    env = {k: v for k, v in (env | PRODUCTION_ENV | env_changes).items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_several_processes_without_a_shared_cache():
    """Issue 15: a per-process cache would let every process count the rate limits on its own."""
    refused = _start({"REDIS_URL": None})
    assert refused.returncode != 0
    assert "REDIS_URL must be set when DEBUG is off" in refused.stderr
    assert _start({"REDIS_URL": None, "SINGLE_PROCESS": "1"}).returncode == 0  # one process, stated


def test_replicas_need_postgresql_and_a_shared_cache():
    on_sqlite = _start({"DATABASE_REPLICA_URL": "postgres://root@127.0.0.1:5433/test"})
    assert on_sqlite.returncode != 0 and "DATABASE_REPLICA_URL needs PostgreSQL" in on_sqlite.stderr
    pg = {"DATABASE_URL": "postgres://root@127.0.0.1:5432/test", "DATABASE_REPLICA_URL": "postgres://root@h:5433/t"}
    no_cache = _start(pg | {"REDIS_URL": None, "SINGLE_PROCESS": "1"})
    assert no_cache.returncode != 0 and "read-your-writes needs REDIS_URL" in no_cache.stderr


def test_behind_the_proxy_the_client_address_is_the_proxy_header(client, settings):
    """Issue 15: behind nginx every request comes from 127.0.0.1; throttling must count the real client."""
    from core.proxy import ClientAddressMiddleware

    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]

    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_X_REAL_IP="203.0.113.9", REMOTE_ADDR="127.0.0.1")
    ClientAddressMiddleware(view)(request)
    assert seen["addr"] == "127.0.0.1"  # not configured: a client cannot choose its address
    settings.PROXY_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    ClientAddressMiddleware(view)(request)
    assert seen["addr"] == "203.0.113.9"


def test_the_shared_cache_works_with_redis():
    """REDIS_URL really gives Django's Redis cache (the redis package installed; `make test` starts Redis)."""
    code = "from django.core.cache import cache; cache.set('zhtj-check', 42); print(cache.get('zhtj-check'))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        | {"REDIS_URL": "redis://127.0.0.1:6379/5"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "42"  # after the shell's note of what it imported
