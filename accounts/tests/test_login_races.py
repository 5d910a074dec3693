"""A burst of concurrent wrong passwords for one account (real threads, each with its own connection).

Without the account's row lock in accounts.services.login_check every request of
the burst passed axes' check before any failure was recorded, so twenty guesses
were checked against a limit of ten.
"""

import threading

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from accounts.backends import IdNumberBackend
from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def api_login(id_number: str, password: str):
    body = {"id_number": id_number, "password": password}
    return Client().post("/api/v1/auth/login", body, content_type="application/json")


def test_a_burst_of_wrong_passwords_gets_no_more_tries_than_the_limit(tree, monkeypatch):
    checked = []  # the attempts whose password was actually compared
    real = IdNumberBackend.authenticate

    def counting(self, request, **credentials):
        checked.append(1)
        return real(self, request, **credentials)

    monkeypatch.setattr(IdNumberBackend, "authenticate", counting)
    racers = settings.AXES_FAILURE_LIMIT * 2
    barrier = threading.Barrier(racers)
    statuses = []

    def attempt(i):
        try:
            barrier.wait()
            statuses.append(api_login(tree.member.id_number, f"Wrong#{i}x2026").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [401] * racers
    assert len(checked) == settings.AXES_FAILURE_LIMIT
    assert api_login(tree.member.id_number, PASSWORD).status_code == 401  # locked: even the right password
    assert len(checked) == settings.AXES_FAILURE_LIMIT
