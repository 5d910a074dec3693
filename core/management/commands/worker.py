"""The background worker: django-tasks-db's db_worker (imports, exports) plus the scheduled jobs.

`make run` starts it beside the server; a deployment runs one or more. At start
and then in a daemon thread every SCHEDULER_TICK seconds it calls core.scheduler.tick(),
which runs the due jobs in exactly one worker per interval.
"""

import logging
import threading
import time

from django.db import DatabaseError, close_old_connections, connection, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core import scheduler

logger = logging.getLogger(__name__)
SCHEDULER_TICK = 15
DATABASE_RETRY_SECONDS = 2


def _scheduler_loop(stop: threading.Event) -> None:
    while not stop.wait(SCHEDULER_TICK):
        close_old_connections()
        try:
            scheduler.tick()
        except DatabaseError as e:  # the database restarting or failing over: the next tick tries again
            logger.warning("scheduled jobs skipped this tick: %s", e.__class__.__name__)
            connection.close()
    connection.close()


class Command(DbWorkerCommand):
    help = "后台工作进程：处理后台导入、导出任务，并运行定时任务（如超期转接自动退回）；多个进程同时运行时每个周期只有一个运行定时任务。"

    def handle(self, *args, **options):
        scheduler.tick()  # a worker that starts runs what fell due while none ran
        stop = threading.Event()
        thread = threading.Thread(target=_scheduler_loop, args=(stop,), name="scheduler", daemon=True)
        thread.start()
        try:
            while True:
                try:
                    return super().handle(*args, **options)
                except DatabaseError as e:
                    # The database restarting or failing over (issue 15): the worker waits and goes on instead of
                    # ending, so the queue keeps moving once the database is back. A task cut off here is queued
                    # again by the scheduler (core.background.resume_stale).
                    logger.warning("database unavailable (%s); the worker goes on in %s s", e, DATABASE_RETRY_SECONDS)
                    connections.close_all()
                    time.sleep(DATABASE_RETRY_SECONDS)
        finally:
            stop.set()
