"""Races of SPEC C1 and C5 with real concurrent connections (threads each hold their own)."""

import threading

import pytest
from django.db import connections

from accounts.registration import admin_register
from conftest import make_id_number
from core.exceptions import Conflict
from orgs import codes
from orgs.models import OrgAdmin, RegistrationCode
from people.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    """Start every call at the same moment in its own thread; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as e:
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


def registration(org, code, name):
    data = {"name": name, "id_number": make_id_number("19980101"), "political_status": "团员", "ethnicity": "汉族", "education": "大学本科", "occupation": "学生",
            "league_join_date": "2012-09", "mobile": "13912345678"}  # fmt: skip
    return lambda: admin_register(org_id=org.id, position="委员", code=code, person_data=data, password="Qing#2026abc")


def test_two_registrations_racing_for_one_code_exactly_one_wins(tree):
    code = codes.registration_code_issue(org=tree.uni, actor=tree.province_admin).code
    results, errors = run_together(registration(tree.uni, code, "甲"), registration(tree.uni, code, "乙"))
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], Conflict), errors
    assert RegistrationCode.objects.get(org=tree.uni).used_by == results[0]
    assert OrgAdmin.objects.filter(org=tree.uni).count() == 2
    assert Person.objects.filter(name__in=["甲", "乙"]).count() == 1  # the loser left nothing behind


def test_racing_for_the_third_admin_place_only_one_wins(tree):
    first = codes.registration_code_issue(org=tree.uni, actor=tree.province_admin).code
    registration(tree.uni, first, "二号")()
    # Four valid codes for the one place left (re-validated: a new code normally replaces the old).
    racers = []
    for name in "丙丁戊己":
        racers.append(
            registration(tree.uni, codes.registration_code_issue(org=tree.uni, actor=tree.province_admin).code, name)
        )
        RegistrationCode.objects.filter(org=tree.uni, used_at__isnull=True).update(replaced_at=None)
    results, errors = run_together(*racers)
    assert len(results) == 1, errors
    assert len(errors) == 3 and all(isinstance(e, Conflict) and e.code == "admin_limit" for e in errors), errors
    assert OrgAdmin.objects.filter(org=tree.uni).count() == 3
    assert Person.objects.filter(name__in=list("丙丁戊己")).count() == 1
