# 智慧团建 — the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The PostgreSQL suite runs on a primary and hot standby of its own (deploy/pgcluster.py, not the machine's cluster
# on 5432): the router tests read from the standby with its replay paused (core/tests/test_replicas.py).
PG_TEST_PORT ?= 5434
PG_TEST_STANDBY_PORT ?= 5435
PG_URL ?= postgres://root@127.0.0.1:$(PG_TEST_PORT)/test
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help run test test-sqlite test-postgres pg-test-pair topology topology-stop redis lint fmt check-migrations browser postgres bench bench-sqlite bench-postgres bench-province bench-partition bench-move bench-import bench-progress bench-pages bench-load bench-evaluation clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime  ## install, migrate, load the demo if empty, serve on http://127.0.0.1:$(PORT) with the import worker
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@# The background worker (imports, exports, scheduled jobs) runs beside the server and stops with it.
	$(PY) manage.py worker --no-reload --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

bench-import: $(VENV)/.dev  ## P6: import of a 10,000-row member file vs the floor (SQLite; DATABASE_URL=postgres://… for PostgreSQL); updates BENCHMARKS.md
	$(PY) bench/import_members.py

# The production topology on this machine (deploy/topology.py; never part of `make test`): nginx → APP_SERVERS
# gunicorn app servers → PgBouncer → PostgreSQL primary + streaming hot standby → Redis, two background workers.
APP_SERVERS ?= 2
TOPOLOGY_MEMBERS ?= 200000
topology: $(VENV)/.runtime  ## start the production topology (nginx :8100/:8143, app servers, PgBouncer, primary + standby, Redis, workers)
	$(PY) deploy/topology.py up --app-servers $(APP_SERVERS) --members $(TOPOLOGY_MEMBERS)
topology-stop: $(VENV)/.runtime  ## stop every process of the topology (its data is kept)
	$(PY) deploy/topology.py down
bench-topology: $(VENV)/.dev topology  ## failure drills and scaling figures under locust against the topology; figures go to BENCHMARKS.md
	$(PY) bench/topology_drills.py

browser:  ## Debian's Chromium and a CJK font for the browser tests
	@command -v chromium >/dev/null && fc-list | grep -qi wqy || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }

redis:  ## start the loopback Redis server if it is not running (the shared-cache test uses it)
	@redis-cli -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

postgres:  ## start the loopback PostgreSQL server if it is not running
	@pg_isready -q -h 127.0.0.1 || $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done

lint: $(VENV)/.dev  ## ruff lint and format check; the app import order (.importlinter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

fmt: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: $(VENV)/.dev
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: $(VENV)/.dev browser redis
	env -u DATABASE_URL $(VENV)/bin/pytest

test-postgres: $(VENV)/.dev browser redis pg-test-pair
	DATABASE_URL=$(PG_URL) ZHTJ_TEST_STANDBY_URL=postgres://root@127.0.0.1:$(PG_TEST_STANDBY_PORT)/test $(VENV)/bin/pytest

pg-test-pair: $(VENV)/.runtime  ## start (or make) the suite's PostgreSQL primary and its streaming standby (pg_basebackup)
	$(PY) deploy/pgcluster.py pair --name test --port $(PG_TEST_PORT) --standby-port $(PG_TEST_STANDBY_PORT) --fast --database test

test: lint check-migrations test-sqlite test-postgres  ## everything CI runs: lint, migrations, the suite on SQLite and PostgreSQL

# Benchmarks (never part of `make test`): figures go to BENCHMARKS.md. `make bench` runs both engines:
# SQLite on a 1,000,000-member file, PostgreSQL on a 2,000,000-member province (seeded once, kept).
BENCH_PG_URL ?= postgres://root@127.0.0.1:5432/bench
bench: bench-sqlite bench-postgres  ## every benchmark on SQLite and PostgreSQL; figures go to BENCHMARKS.md
bench-sqlite: bench-move bench-import bench-progress bench-pages bench-load  ## the benchmarks on SQLite
bench-postgres: $(VENV)/.dev postgres bench-province  ## the same on the PostgreSQL province database
	DATABASE_URL=$(BENCH_PG_URL) $(PY) bench/org_move.py
	DATABASE_URL=$(BENCH_PG_URL) $(PY) bench/import_members.py
	DATABASE_URL=$(BENCH_PG_URL) $(PY) bench/progress_page.py
	DATABASE_URL=$(BENCH_PG_URL) $(PY) bench/pages.py
	$(PY) bench/load.py --database-url $(BENCH_PG_URL) --workers 4 --users 20 40 80 120 160
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) bench/partition_try.py
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) bench/evaluation_page.py
bench-partition: $(VENV)/.dev postgres bench-province  ## try PARTITION BY LIST (province) on a copy of the province's people
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) bench/partition_try.py
bench-evaluation: $(VENV)/.dev postgres bench-province  ## 两制 supervision page p95 (root, province), a branch's approval, the recount, on the province database
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) bench/evaluation_page.py
bench-province: $(VENV)/.dev postgres  ## seed the PostgreSQL province (2,000,000 members, ~110,000 organisations) if empty; time it
	BENCH_PG_URL=$(BENCH_PG_URL) $(PY) bench/province_db.py
bench-progress: $(VENV)/.dev  ## S5: progress pages of the root and a province, refresh and full recount on 1,000,000 members (SQLite, seeded once, kept)
	$(PY) bench/progress_page.py
bench-pages: $(VENV)/.dev  ## login, home, member lists, search, progress, transfers, API: median/p95 on the 1,000,000-member SQLite database
	$(PY) bench/pages.py
bench-load: $(VENV)/.dev  ## locust: concurrent simulated admins against gunicorn (DEBUG off) on a copy of that database
	$(PY) bench/load.py
bench-move: $(VENV)/.runtime  ## U4: time moving a 10,000-organisation subtree (SQLite; PostgreSQL with DATABASE_URL)
	$(PY) bench/org_move.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
