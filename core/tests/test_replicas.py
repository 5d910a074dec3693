"""Reads from a real hot standby, writes to the primary, read-your-writes under held replica lag (issue 15, item 2).

`make test-postgres` runs the suite on the primary of the "test" pair (deploy/pgcluster.py) and sets
ZHTJ_TEST_STANDBY_URL to its streaming standby. The lag is real: WAL replay on the standby is paused
with pg_wal_replay_pause(), so the standby stays behind for as long as a test needs, and the pages
must still show a user their own writes. Only one test at a time may pause the standby (the suite runs
on two xdist workers), so every test here holds a file lock.
"""

import fcntl
import os
import time

import pytest
from django.db import connections

from core import replicas
from orgs.models import Org

STANDBY_URL = os.environ.get("ZHTJ_TEST_STANDBY_URL", "")
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
pytestmark = [
    pytest.mark.skipif(
        not (STANDBY_URL and ON_POSTGRES),
        reason="needs PostgreSQL and its standby (make test-postgres sets ZHTJ_TEST_STANDBY_URL)",
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def _standby_settings() -> dict:
    import dj_database_url

    config = dj_database_url.parse(STANDBY_URL, conn_max_age=0)
    # A test mirror of the default: Django gives it this worker's test database's name (which the standby
    # replicates) and never creates or flushes it there.
    config["TEST"] = {"MIRROR": "default"}
    return config


if STANDBY_URL and ON_POSTGRES:
    # Known to Django's test set-up from collection on, so the tests here may declare it. Nothing reads from it
    # outside these tests: core.replicas uses settings.DATABASE_REPLICAS, which only the fixture below sets.
    connections.settings["replica"] = connections.configure_settings(
        {"default": {**connections.settings["default"]}, "replica": _standby_settings()}
    )["replica"]
    STANDBY_PORT = connections.settings["replica"]["PORT"]


@pytest.fixture
def standby(settings):
    """settings.DATABASE_REPLICAS names the standby for one test; one test at a time may pause its replay."""
    with open("/tmp/zhtj-test-standby.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        settings.DATABASE_REPLICAS = ["replica"]
        replicas._down_until.clear()
        try:
            yield connections["replica"]
        finally:
            _resume_and_close()


def _sql(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] if cursor.description else None


def _wait_replayed(standby, seconds=20, lsn=None):
    lsn = lsn or replicas.primary_lsn()
    deadline = time.monotonic() + seconds
    while not _sql("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]):
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.05)


def _pause(standby):
    _wait_replayed(standby)
    _sql("replica", "SELECT pg_wal_replay_pause()")
    while _sql("replica", "SELECT pg_get_wal_replay_pause_state()") != "paused":
        time.sleep(0.02)


def _resume(standby):
    _sql("replica", "SELECT pg_wal_replay_resume()")


def _resume_and_close():
    connections["replica"].close()
    connections["replica"].settings_dict["PORT"] = STANDBY_PORT
    _resume(None)
    connections["replica"].close()


def _phone_seen(client, person, org_id: int, child_id: int) -> str:
    client.force_login(person)
    response = client.get(f"/api/v1/orgs/{org_id}/children")
    assert response.status_code == 200, response.content
    return next(o["phone"] for o in response.json()["items"] if o["id"] == child_id)


def test_the_standby_is_a_real_replica(standby):
    assert _sql("replica", "SELECT pg_is_in_recovery()") is True
    assert _sql("default", "SELECT pg_is_in_recovery()") is False


def test_reads_in_a_replica_block_go_to_the_standby_and_writes_to_the_primary(standby, tree):
    _wait_replayed(standby)
    with replicas.reads_from_replica() as alias:
        assert alias == "replica"
        assert Org.objects.all().db == "replica"
        org = Org.objects.get(pk=tree.college.pk)
        assert org._state.db == "replica"
        org.phone = "025-11112222"
        org.save()  # an object read from the standby is saved on the primary
    assert Org.objects.get(pk=tree.college.pk).phone == "025-11112222"
    assert Org.objects.all().db == "default"  # outside a block: the primary


def test_a_user_reads_their_own_write_while_the_standby_lags(standby, tree, client):
    """The standby is held behind: the writer sees the change at once, another admin sees the standby's copy."""
    old = tree.college.phone
    _pause(standby)
    client.force_login(tree.uni_admin)
    changed = client.patch(
        f"/api/v1/orgs/{tree.college.id}", {"phone": "025-83334444"}, content_type="application/json"
    )
    assert changed.status_code == 200, changed.content

    # The writer, reloading: read-your-writes (the standby has not replayed the change, so the primary answers).
    assert _phone_seen(client, tree.uni_admin, tree.uni.id, tree.college.id) == "025-83334444"
    # Someone else, who wrote nothing: the list comes from the standby, which is behind.
    assert _phone_seen(client, tree.province_admin, tree.uni.id, tree.college.id) == old
    assert Org.objects.using("replica").get(pk=tree.college.pk).phone == old

    _resume(standby)
    _wait_replayed(standby)
    assert _phone_seen(client, tree.province_admin, tree.uni.id, tree.college.id) == "025-83334444"
    # The writer's pin is satisfied now: their reads go to the standby again.
    assert replicas.choose(user_id=tree.uni_admin.pk) == "replica"


def test_a_job_reads_everything_committed_before_it_started(standby, tree):
    """The export worker asks for the primary's position at the start: a lagging standby is not used."""
    _pause(standby)
    Org.objects.filter(pk=tree.college.pk).update(phone="025-55556666")
    with replicas.reads_from_replica(at_least=replicas.primary_lsn()) as alias:
        assert alias is None
        assert Org.objects.get(pk=tree.college.pk).phone == "025-55556666"
    _resume(standby)
    lsn = replicas.primary_lsn()  # other test workers keep writing: wait for this very position
    _wait_replayed(standby, lsn=lsn)
    with replicas.reads_from_replica(at_least=lsn) as alias:
        assert alias == "replica"
        assert Org.objects.get(pk=tree.college.pk).phone == "025-55556666"


def test_a_standby_that_does_not_answer_is_skipped(standby, tree, client, settings):
    """Pages keep working on the primary while the standby is down (restarting, say)."""
    connections["replica"].close()
    connections["replica"].settings_dict["PORT"] = "1"  # nothing listens there; the fixture puts it back
    assert _phone_seen(client, tree.province_admin, tree.uni.id, tree.college.id) == tree.college.phone
    assert "replica" in replicas._down_until  # rests a while instead of being tried on every request


def test_who_may_see_is_decided_on_the_primary(standby, tree, client):
    """An admin whose post was just taken away is refused at once, though the lagging standby still lists the post."""
    from orgs.models import OrgAdmin

    client.force_login(tree.province_admin)
    assert client.get(f"/api/v1/orgs/{tree.uni.id}/children").status_code == 200
    _pause(standby)
    OrgAdmin.objects.filter(person=tree.province_admin).delete()  # by someone else: no pin for this admin
    assert OrgAdmin.objects.using("replica").filter(person=tree.province_admin).exists()  # the standby lags
    assert client.get(f"/api/v1/orgs/{tree.uni.id}/children").status_code in (403, 404)
