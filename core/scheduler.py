"""Scheduled jobs without an extra server.

The embedded default has no cron: after a response, at most once per
interval (a cache lock shared by the processes when Redis is configured),
the web process runs the jobs that are due. Each job is idempotent and
uses conditional updates, so running it twice, or from the
`run_due_jobs` command under cron as well, is harmless.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)
INTERVAL_SECONDS = 300


def run_due_jobs() -> dict:
    from progress.aggregates import stats_backlog_run
    from transfers.services import auto_return_due

    return {"transfers_returned": auto_return_due(), "progress_backlog": stats_backlog_run()}


class DueJobsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if cache.add("core:due-jobs-lock", 1, INTERVAL_SECONDS):
            try:
                run_due_jobs()
            except Exception:  # a failing job must never break a page
                logger.exception("scheduled jobs failed")
        return response
