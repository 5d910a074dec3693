"""Gunicorn settings of an app server (deploy/topology.py starts each with `-c deploy/gunicorn.conf.py`).

Sync workers: every request is short and CPU-bound on these machines; WEB_CONCURRENCY workers per app
server (2 by default, one per core). A SINGLE_PROCESS deployment (no shared cache, config/settings.py)
must not fork several workers: each would count the rate limits on its own.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = 60
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # bounds any slow leak; jittered so the workers do not restart together
max_requests_jitter = 500
accesslog = None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")


def on_starting(server):
    single = os.environ.get("SINGLE_PROCESS", "").lower() in {"1", "true", "yes", "on"}
    if single and server.cfg.workers > 1:
        raise SystemExit(
            f"SINGLE_PROCESS=1 promises one process, but gunicorn was asked for {server.cfg.workers} workers: "
            "set REDIS_URL (a cache every process shares) instead of SINGLE_PROCESS, or run one worker."
        )
