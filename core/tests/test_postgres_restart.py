"""A PostgreSQL restart during use costs only the requests in flight (issue 8 item 5).

A real server (gunicorn, one sync worker, so its connection is persistent:
CONN_MAX_AGE with CONN_HEALTH_CHECKS) serves a page; the PostgreSQL
cluster is restarted; the next request must succeed on a fresh connection.
(The Django test client cannot show this: it disconnects the handler's
close_old_connections, so a dead connection would never be noticed.)

It restarts the machine's PostgreSQL, so it runs only when asked:
ZHTJ_TEST_PG_RESTART=1 and DATABASE_URL=postgres://… (run as root).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PG_VERSION = os.environ.get("ZHTJ_PG_VERSION", "15")

pytestmark = [
    pytest.mark.postgres_restart,
    pytest.mark.skipif(
        os.environ.get("ZHTJ_TEST_PG_RESTART") != "1" or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="restarts PostgreSQL: set ZHTJ_TEST_PG_RESTART=1 with a postgres DATABASE_URL",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def wait_for_postgres() -> None:
    for _ in range(60):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("PostgreSQL did not come back")


@pytest.mark.django_db(transaction=True)
def test_the_request_after_a_postgres_restart_succeeds(tree, client):
    client.force_login(tree.branch_admin)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    s = connection.settings_dict
    url_db = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url_db, "DEBUG": "1", "CONN_MAX_AGE": "600"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    page = f"http://127.0.0.1:{port}/people/orgs/{tree.branch.pk}/members/"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        assert get(page, cookie) == 200  # the worker now holds a persistent connection
        assert get(page, cookie) == 200
        connection.close()  # this process's own connection dies with the restart too
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "restart"], check=True, timeout=120
        )
        wait_for_postgres()
        assert get(page, cookie) == 200, server.stderr.read1().decode(errors="replace") if server.stderr else ""
        assert get(page, cookie) == 200
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
