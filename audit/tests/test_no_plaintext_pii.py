"""No table holds an ID number or mobile in plain text (issue 12, item 2).

People are seeded with ID numbers and mobiles of their own; then the system is used broadly from
the outside: failed page and API logins (django-axes' tables), a member import through the
background queue (django-tasks-db's tables, run by its worker), registration, reset codes, cadre and
secretary entry, member edits, searches and transfers (the audit trail). Finally every column of
every table, found through the database's own catalogue (so a table added later is scanned too), is
read back and searched for the seeded values. Only the encrypted columns and keyed hashes may
stand for them.
"""

import json
import unicodedata

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from conftest import PASSWORD, make_id_number
from imports.models import ImportJob
from orgs import services as org_services
from orgs.rules import Category
from people import services as people_services
from people.admins import org_admin_add
from people.models import Person
from people.tests.member_rows import member_rows, write_xlsx

NEW_PASSWORD = "Qing#Nian2026x"


def canonical(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).replace(" ", "").strip().upper()


def every_stored_text() -> dict[str, str]:
    """{"table.column": every value of that column joined}, for every column of every table."""
    out = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # names from the catalogue
            values: dict[str, list[str]] = {c: [] for c in columns}
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    elif isinstance(value, (dict, list)):
                        value = json.dumps(value, ensure_ascii=False)
                    values[column].append(str(value))
            for column, texts in values.items():
                out[f"{table}.{column}"] = "\n".join(texts).upper()
    return out


def leaks(secrets: dict[str, str]) -> list[str]:
    stored = every_stored_text()
    return sorted(
        f"{what} in {where}" for what, value in secrets.items() for where, text in stored.items() if value in text
    )


def run_queued_tasks() -> int:
    """django-tasks-db's worker claims and runs each queued task, in this process, until none is left.

    (Worker.run itself closes the connection between tasks, which would end the test's transaction.)"""
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id="scan-test", excluded_queue_names=[],
    )  # fmt: skip
    ran = 0
    while True:
        with exclusive_transaction():
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return ran
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}, IMPORT_BACKGROUND_ROWS=3, RATELIMIT_ENABLE=True
)
def test_no_table_holds_a_seeded_id_number_or_mobile_in_plain_text(
    tree, make_person, api_login, django_capture_on_commit_callbacks
):
    secrets: dict[str, str] = {}

    def seed(name, *, birth, mobile, **fields):
        person = make_person(name, birth=birth, mobile=mobile, **fields)
        secrets[f"{name}'s ID number"] = person.id_number
        secrets[f"{name}'s mobile"] = mobile
        return person

    victim = seed("登录受害人", birth="19980101", mobile="13911110001", branch=tree.branch)
    cadre = seed("团干部甲", birth="19930303", mobile="13911110003", password=None)
    newcomer = seed("转入团员", birth="20010404", mobile="13911110004", branch=tree.branch)
    secretary_id = make_id_number("19940505")
    secrets["the secretary's ID number"] = secretary_id
    secrets["the secretary's mobile"] = "13911110005"
    registrant_id = make_id_number("20020606")
    secrets["the registrant's ID number"] = registrant_id
    secrets["the registrant's mobile"] = "13911110006"
    secrets["the edited mobile"] = "13911110007"
    unknown_id = make_id_number("19970707")
    secrets["an unknown ID number tried at login"] = unknown_id

    # A successful page login (axes' access log), then failed logins, page and API, for a known and an
    # unknown ID number (axes' attempts; after the success, which may reset an address's attempts).
    assert Client(REMOTE_ADDR="10.1.1.9").post(
        "/accounts/login/", {"id_number": tree.member.id_number, "password": PASSWORD}
    ).status_code == 302  # fmt: skip
    for id_number in (victim.id_number, unknown_id):
        Client(REMOTE_ADDR="10.1.1.1").post("/accounts/login/", {"id_number": id_number, "password": "wrong-pw"})
        # Field names of the client's choosing: axes must not store them either.
        Client(REMOTE_ADDR="10.1.1.3").post(
            f"/accounts/login/?next=/people/{id_number}/",
            {"id_number": id_number, "password": "wrong-pw", "phone": victim.mobile},
        )
        Client(REMOTE_ADDR="10.1.1.2").post(
            "/api/v1/auth/login", {"id_number": id_number, "password": "wrong"}, content_type="application/json"
        )

    admin = api_login(tree.branch_admin)
    # A member import through the background queue, with one refused row.
    rows = member_rows(5, seed=12, dev_base=9000)
    rows[4]["political_status"] = "群众"
    for i, row in enumerate(rows):
        secrets[f"imported row {i + 1}'s ID number"] = canonical(row["id_number"])
        secrets[f"imported row {i + 1}'s mobile"] = canonical(row["mobile"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/api/v1/orgs/{tree.branch.id}/people/import?dry_run=false",
            {"file": SimpleUploadedFile("class.xlsx", write_xlsx(rows))},
        )
    assert response.status_code == 202, response.content
    assert run_queued_tasks() == 1
    job = ImportJob.objects.get(pk=response.json()["job_id"])
    assert job.status == ImportJob.Status.DONE and job.report["created"] == 4, (job.status, job.error)

    # Self-registration (API) and the page's registration with a refused (weak) password.
    registration = {
        "branch_id": tree.branch.id,
        "password": NEW_PASSWORD,
        "person": {
            "name": "自行注册人", "id_number": registrant_id, "political_status": "团员", "league_join_date": "2016-09",
            "ethnicity": "汉族", "education": "大学本科", "occupation": "学生", "mobile": "13911110006",
        },
    }  # fmt: skip
    assert Client().post("/api/v1/register/member", registration, content_type="application/json").status_code == 201
    Client().post(
        "/accounts/register/member/",
        {**registration["person"], "branch_id": tree.branch.id, "password": "123", "password2": "123"},
    )

    # A reset code issued, a wrong one tried, the right one used.
    code = admin.post(f"/api/v1/orgs/{tree.branch.id}/people/{victim.id}/reset-code").json()["reset_code"]
    answers = []
    for tried in ("00000000", code):
        body = {"id_number": victim.id_number, "reset_code": tried, "new_password": NEW_PASSWORD}
        answers.append(Client().post("/api/v1/auth/reset", body, content_type="application/json").status_code)
    assert answers == [400, 204]

    # Audit rows: a member edit, a search by ID number, the member list with full ID numbers.
    assert (
        admin.patch(
            f"/api/v1/orgs/{tree.branch.id}/members/{newcomer.id}", {"mobile": "13911110007"},
            content_type="application/json",
        ).status_code
        == 200
    )  # fmt: skip
    admin.post(
        f"/api/v1/orgs/{tree.branch.id}/people/search", {"query": victim.id_number}, content_type="application/json"
    )
    admin.get(f"/api/v1/orgs/{tree.branch.id}/members")

    # A cadre entered by ID number, the organisation's secretary set.
    uni = api_login(tree.uni_admin)
    entered = uni.post(
        f"/api/v1/orgs/{tree.uni.id}/cadres",
        {"person": {"name": cadre.name, "id_number": cadre.id_number}, "position": "委员"},
        content_type="application/json",
    )
    assert entered.status_code < 500, entered.content
    secretary = uni.patch(
        f"/api/v1/orgs/{tree.uni.id}",
        {"secretary": {"name": "书记乙", "id_number": secretary_id, "mobile": "13911110005"}},
        content_type="application/json",
    )
    assert secretary.status_code == 200, secretary.content

    # 办理转入 by ID number into a second class, then approved by the sending branch.
    second = org_services.org_create_child(
        parent=tree.general, short_name="五年制临床医学2017级4班团支部", category=Category.BRANCH,
        actor=tree.general_admin,
    )  # fmt: skip
    receiver = make_person("四班书记", birth="19990102", branch=second)
    people_services.cadre_assign(person=receiver, org=second, position="书记")
    org_admin_add(org=second, person=receiver)
    moved = api_login(receiver).post(
        "/api/v1/transfers",
        {"name": newcomer.name, "id_number": newcomer.id_number, "to_org_id": second.id, "reason": "升学"},
        content_type="application/json",
    )
    assert moved.status_code == 201, moved.content
    admin.post(f"/api/v1/transfers/{moved.json()['id']}/approve", content_type="application/json")

    assert Person.objects.filter(id_hash__isnull=False).count() > 10
    assert leaks(secrets) == []


def test_the_scan_finds_a_plain_id_number_wherever_it_is(tree):
    """The scan itself: a plain value written into an unrelated text column is found."""
    from orgs.models import Org

    Org.objects.filter(pk=tree.branch.pk).update(phone=tree.member.id_number)
    assert leaks({"ID": tree.member.id_number}) == ["ID in orgs_org.phone"]
