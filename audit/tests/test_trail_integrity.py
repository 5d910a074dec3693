"""The audit trail records refusals, the client address and the outcome, and cannot be rewritten (issue 12, item 12)."""

import json
import types

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.test import Client

from audit import append_only
from audit.models import AuditEvent, Outcome
from audit.services import REFUSED_VERB, audit_record
from orgs import services as org_services
from orgs.rules import Category
from people import services as people_services

JSON = "application/json"


def refusals():
    return AuditEvent.objects.filter(outcome=Outcome.REFUSED).order_by("id")


# --- address, request id, outcome ---------------------------------------------------------------


def test_an_event_carries_the_client_address_the_request_id_and_its_outcome(tree, api_login):
    admin = api_login(tree.branch_admin)
    response = admin.post(
        f"/api/v1/orgs/{tree.branch.id}/people/{tree.member.id}/reset-code", REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.get(verb="生成重置密码验证码", target_id=str(tree.member.id))
    assert (event.ip, event.outcome, event.actor) == ("203.0.113.7", "成功", tree.branch_admin)
    assert len(event.request_id) == 32 and event.request_id == response["X-Request-ID"]


def test_an_event_outside_a_request_has_no_address(tree):
    event = audit_record(actor=None, verb="测试", target=tree.root)
    assert (event.ip, event.request_id, event.outcome) == (None, "", "成功")


def test_the_trail_shows_address_and_outcome_on_the_page_and_in_the_api(tree, client, api_login):
    api_login(tree.outsider).post(
        f"/api/v1/orgs/{tree.branch.id}/people/{tree.member.id}/reset-code", REMOTE_ADDR="198.51.100.23"
    )
    items = api_login(tree.branch_admin).get(f"/api/v1/orgs/{tree.branch.id}/audit").json()["items"]
    refused = next(i for i in items if i["verb"] == REFUSED_VERB)
    assert (refused["outcome"], refused["ip"], refused["actor"]) == ("拒绝", "198.51.100.23", "浙江管理员")
    client.force_login(tree.branch_admin)
    page = client.get(f"/audit/orgs/{tree.branch.id}/").content.decode()
    assert "198.51.100.23" in page and "拒绝" in page


# --- refusals -------------------------------------------------------------------------------------


def test_a_refused_api_reset_code_is_recorded_with_actor_address_and_target(tree, api_login):
    outsider = api_login(tree.outsider)
    url = f"/api/v1/orgs/{tree.branch.id}/people/{tree.member.id}/reset-code"
    assert outsider.post(url, REMOTE_ADDR="198.51.100.9").status_code == 404
    event = refusals().get()
    assert (event.verb, event.actor, event.ip, event.org) == (REFUSED_VERB, tree.outsider, "198.51.100.9", tree.branch)
    assert event.target_label == f"POST {url}"
    assert event.changes["status"] == 404
    assert not AuditEvent.objects.filter(verb="生成重置密码验证码").exists()


def test_a_refused_reveal_of_a_full_id_number_is_recorded(tree, api_login):
    url = f"/api/v1/orgs/{tree.branch.id}/people/{tree.member.id}/reveal"
    response = api_login(tree.outsider).post(url, REMOTE_ADDR="198.51.100.10")
    assert response.status_code in (403, 404), response.content
    event = refusals().get()
    assert (event.actor, event.ip, event.target_label) == (tree.outsider, "198.51.100.10", f"POST {url}")


def test_a_refused_api_admin_change_is_recorded_with_the_services_reason(tree, api_login, make_person):
    """The service refuses with NotAllowed inside its transaction; the event is written after it rolled back."""
    person = make_person("候选人", birth="19940101")
    people_services.cadre_assign(person=person, org=tree.general, position="委员")
    response = api_login(tree.branch_admin).post(
        f"/api/v1/orgs/{tree.general.id}/admins", {"person_id": person.id}, content_type=JSON
    )
    assert response.status_code in (403, 404), response.content
    event = refusals().get()
    assert event.actor == tree.branch_admin and event.org == tree.general
    assert event.changes["status"] == response.status_code


def test_a_refusal_a_page_shows_as_a_message_is_recorded(tree, client, make_person):
    """transfers: approving when it is not one's turn is a NotAllowed the page turns into a message and a redirect."""
    second = org_services.org_create_child(
        parent=tree.general, short_name="五年制临床医学2017级4班团支部", category=Category.BRANCH,
        actor=tree.general_admin,
    )  # fmt: skip
    client.force_login(tree.branch_admin)
    from transfers import services as transfer_services

    t = transfer_services.transfer_submit(actor=tree.branch_admin, person=tree.member, to_org=second, reason="升学")
    response = client.post(f"/transfers/{t.pk}/approve/", REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302
    event = refusals().get()
    assert (event.actor, event.ip, event.changes["status"]) == (tree.branch_admin, "192.0.2.44", 302)
    assert event.changes["reasons"][0]["error"] == "not_your_turn"
    assert event.target_label == f"POST /transfers/{t.pk}/approve/"


def test_a_refused_page_reset_code_and_admin_change_are_recorded(tree, client):
    client.force_login(tree.outsider)
    assert client.post(f"/people/{tree.member.id}/reset-code/").status_code == 404
    assert client.post(f"/manage/orgs/{tree.uni.id}/admins/add/", {"person_id": tree.member.id}).status_code == 404
    labels = list(refusals().values_list("target_label", "org", "actor"))
    assert labels == [
        (f"POST /people/{tree.member.id}/reset-code/", None, tree.outsider.id),
        (f"POST /manage/orgs/{tree.uni.id}/admins/add/", tree.uni.id, tree.outsider.id),
    ]


def test_a_refused_workbook_download_is_recorded_but_not_a_refused_page_view(tree, api_login, client):
    outsider = api_login(tree.outsider)
    assert outsider.get(f"/api/v1/orgs/{tree.branch.id}/members.xlsx").status_code == 404
    client.force_login(tree.outsider)
    assert client.get(f"/people/orgs/{tree.branch.id}/members/").status_code == 404
    assert list(refusals().values_list("target_label", flat=True)) == [
        f"GET /api/v1/orgs/{tree.branch.id}/members.xlsx"
    ]


def test_anonymous_and_successful_requests_record_no_refusal(tree, api_login):
    assert Client().post(f"/api/v1/orgs/{tree.branch.id}/people/{tree.member.id}/reset-code").status_code == 401
    assert Client().post("/api/v1/auth/login", {"id_number": "x", "password": "y"}, content_type=JSON).status_code
    api_login(tree.branch_admin).post(f"/api/v1/orgs/{tree.branch.id}/people/{tree.member.id}/reset-code")
    assert not refusals().exists()


def test_a_refusal_message_never_stores_a_full_id_number(tree):
    from audit.services import audit_refusal

    event = audit_refusal(
        actor=tree.outsider, method="POST", path="/x/", route="x", status=403,
        reasons=[("forbidden", f"{tree.member.id_number} 不在本组织")],
    )  # fmt: skip
    assert tree.member.id_number not in json.dumps(event.changes, ensure_ascii=False)


# --- append-only -----------------------------------------------------------------------------------


def test_the_triggers_are_installed(db):
    assert append_only.installed(connection)


def test_the_database_refuses_to_update_or_delete_an_event(tree):
    event = audit_record(actor=tree.root_admin, verb="测试", target=tree.root, org=tree.root)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    attempts = [
        lambda: AuditEvent.objects.filter(pk=event.pk).update(verb="改写"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.all()._raw_delete(connection.alias),
        lambda: connection.cursor().execute(f"UPDATE {table} SET actor_id = NULL"),
        lambda: connection.cursor().execute(f"DELETE FROM {table}"),
    ]
    if connection.vendor == "postgresql":
        attempts.append(lambda: connection.cursor().execute(f"TRUNCATE {table}"))
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert event.verb == "测试" and event.actor == tree.root_admin


def test_deleting_a_member_and_an_organisation_leaves_their_events_untouched(tree, api_login):
    """Nothing in the application updates or deletes events: deleted people and organisations keep their ids."""
    admin = api_login(tree.branch_admin)
    assert admin.delete(f"/api/v1/orgs/{tree.branch.id}/members/{tree.member.id}").status_code == 204
    deleted = AuditEvent.objects.get(verb="删除团员")
    assert deleted.target_id == str(tree.member.id)
    created = AuditEvent.objects.get(verb="录入人员", target_id=str(tree.member.id))
    empty = org_services.org_create_child(
        parent=tree.general, short_name="待撤销团支部", category=Category.BRANCH, actor=tree.general_admin
    )
    assert api_login(tree.general_admin).delete(f"/api/v1/orgs/{empty.id}").status_code == 204
    assert AuditEvent.objects.filter(target_type="org", target_id=str(empty.id)).count() == 2  # created, deleted
    created.refresh_from_db()
    assert created.verb == "录入人员"
    # The trail still reads: the deleted organisation's events stay with their id.
    assert api_login(tree.general_admin).get(f"/api/v1/orgs/{tree.general.id}/audit").status_code == 200


@pytest.mark.django_db(transaction=True)  # PostgreSQL truncates only outside a transaction with pending checks
def test_flush_empties_the_trail_and_puts_the_triggers_back(tree):
    assert AuditEvent.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert append_only.installed(connection)


def test_audit_archive_writes_the_old_events_and_purges_them_as_the_owner(tree, tmp_path):
    count = AuditEvent.objects.count()
    out = tmp_path / "archive.jsonl"
    call_command("audit_archive", before="2999-01-01", out=str(out), purge=True, stdout=open("/dev/null", "w"))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == count and {"ip", "outcome", "request_id", "actor"} <= set(lines[0])
    assert not AuditEvent.objects.exists()
    assert append_only.installed(connection)


# --- migrations ------------------------------------------------------------------------------------


def test_the_purge_migration_empties_stored_login_form_data(db):
    from importlib import import_module

    from axes.models import AccessAttempt
    from django.apps import apps

    purge = import_module("audit.migrations.0004_purge_login_attempt_form_data")
    AccessAttempt.objects.bulk_create(  # bulk_create sends no pre_save: a row as stored before the fix
        [AccessAttempt(username="h", ip_address="10.0.0.1", user_agent="u", get_data="a=1",
                       post_data="id_number=11010519491231002X", http_accept="*", path_info="/",
                       failures_since_start=1)]
    )  # fmt: skip
    purge.purge(apps, types.SimpleNamespace(connection=connection))
    assert list(AccessAttempt.objects.values_list("get_data", "post_data")) == [("", "")]
    axes_leaf = max(name for app, name in MigrationLoader(connection).graph.leaf_nodes() if app == "axes")
    assert ("axes", axes_leaf) in purge.Migration.dependencies
