"""Fuzzing the API from its own OpenAPI document (issue 8, item 5): no input gives a 5xx.

schemathesis generates requests for every operation of /api/v1/openapi.json and
sends them to the Django application in-process (WSGI), once anonymously and
once with the bearer token of the 团总支's admin, who manages real objects (the
团总支, its branches, their members and cadres). Path parameters are mostly
mapped onto the ids of real objects of the tree, so the generated bodies reach
the services instead of stopping at "not found". Each example runs inside a
savepoint that is rolled back, so examples do not depend on one another.

Checked: `not_a_server_error`, and that the status code is one the operation
declares (`status_code_conformance`). SCHEMATHESIS_EXAMPLES sets the number of
examples per operation (default 15; the whole module stays well under 90 s).
"""

import contextlib
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from conftest import PASSWORD
from core.tests.test_authorization_sweep import world  # noqa: F401  the shared tree plus workflow objects
from imports.models import ImportJob
from orgs.models import AdminChange, Org, OrgMigration
from people.models import Person
from transfers.models import TransferRequest

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance]


@contextlib.contextmanager
def connection_kept_open():
    """Requests keep the test's DB connection, as Django's test client arranges (and undoes after each call)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _real_ids() -> dict[str, list[int]]:
    return {
        "org_id": list(Org.objects.order_by("pk").values_list("pk", flat=True)),
        "id": list(Org.objects.order_by("pk").values_list("pk", flat=True)),
        "person_id": list(Person.objects.order_by("pk").values_list("pk", flat=True)),
        "transfer_id": list(TransferRequest.objects.values_list("pk", flat=True)),
        "change_id": list(AdminChange.objects.values_list("pk", flat=True)),
        "migration_id": list(OrgMigration.objects.values_list("pk", flat=True)),
        "job_id": list(ImportJob.objects.values_list("pk", flat=True)),
    }


def _aim(case, ids: dict[str, list[int]]) -> None:
    """Point three in four generated ids at real objects (a fixed mapping, so examples replay the same)."""
    for name, value in (case.path_parameters or {}).items():
        real = ids.get(name)
        if real and isinstance(value, int) and value % 4:
            case.path_parameters[name] = real[value % len(real)]


def _fuzz(headers: dict, ids: dict) -> list[str]:
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
            )
        )
        def run(case):
            _aim(case, ids)
            with transaction.atomic():
                try:
                    response = case.call(headers=headers)
                    case.validate_response(response, checks=CHECKS, headers=headers)
                finally:
                    transaction.set_rollback(True)

        try:
            run()
        except (Exception, BaseExceptionGroup) as e:  # one operation's failure must not hide the others'
            failures.append(f"{operation.method.upper()} {operation.path}: {type(e).__name__}: {str(e)[:1500]}")
    return failures


@pytest.mark.parametrize("who", ["anonymous", "general_admin"])
def test_no_server_errors(world, client, who):  # noqa: F811
    headers = {}
    if who != "anonymous":
        person = getattr(world, who)
        response = client.post(
            "/api/v1/auth/login",
            {"id_number": person.id_number, "password": PASSWORD},
            content_type="application/json",
        )
        headers = {"Authorization": f"Bearer {response.json()['token']}"}
    with connection_kept_open():
        failures = _fuzz(headers, _real_ids())
    assert not failures, f"{len(failures)} operation(s) failed under fuzzing:\n\n" + "\n\n".join(failures)
