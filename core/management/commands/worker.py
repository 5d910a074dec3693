"""The background worker: django-tasks-db's db_worker (imports, exports) plus the scheduled jobs.

`make run` starts it beside the server; a deployment runs one or more. At start
and then in a daemon thread every SCHEDULER_TICK seconds it calls core.scheduler.tick(),
which runs the due jobs in exactly one worker per interval.
"""

import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core import scheduler

SCHEDULER_TICK = 15


def _scheduler_loop(stop: threading.Event) -> None:
    while not stop.wait(SCHEDULER_TICK):
        close_old_connections()
        scheduler.tick()
    connection.close()


class Command(DbWorkerCommand):
    help = "后台工作进程：处理后台导入、导出任务，并运行定时任务（如超期转接自动退回）；多个进程同时运行时每个周期只有一个运行定时任务。"

    def handle(self, *args, **options):
        scheduler.tick()  # a worker that starts runs what fell due while none ran
        stop = threading.Event()
        thread = threading.Thread(target=_scheduler_loop, args=(stop,), name="scheduler", daemon=True)
        thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
