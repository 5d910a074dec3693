"""The worker outlives a database that restarts or fails over (issue 15's promotion drill killed one before)."""

from django.db import OperationalError

from core.management.commands import worker


def test_the_worker_goes_on_after_the_database_comes_back(monkeypatch):
    calls = []

    def db_worker(self, *args, **options):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("server login has been failing, try again later (server_login_retry)")
        return "stopped"

    monkeypatch.setattr(worker.DbWorkerCommand, "handle", db_worker)
    monkeypatch.setattr(worker, "DATABASE_RETRY_SECONDS", 0)
    monkeypatch.setattr(worker.scheduler, "tick", lambda: None)
    assert worker.Command().handle() == "stopped"
    assert len(calls) == 3
