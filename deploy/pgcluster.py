"""PostgreSQL clusters of our own: a primary and a streaming-replication hot standby made with pg_basebackup.

`make test` uses a pair named "test" (the suite on the primary, the router tests against the
standby, issue 15 item 2); `make topology` a pair named "topology". Each cluster is a data
directory under /var/lib/postgresql/zhtj/<name>/ run by Debian's PostgreSQL binaries as the
postgres user, on its own loopback port, trust authentication for the superuser `root`, as the
machine's own cluster is set up. Nothing here touches the machine's cluster on 5432.

    python deploy/pgcluster.py pair --name test --port 5434 --standby-port 5435 [--fast]
    python deploy/pgcluster.py stop --name test
    python deploy/pgcluster.py status --name test

`pair` is idempotent: it starts what exists, creates what does not, and re-makes a standby that
does not stream within a few seconds (say, after its primary was made again).
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(os.environ.get("ZHTJ_PG_BASE", "/var/lib/postgresql/zhtj"))
SOCKETS = "/var/run/postgresql"
SUPERUSER = "root"


def bindir() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise SystemExit("PostgreSQL's server binaries are missing: apt-get install postgresql")
    return versions[-1].parent


def as_postgres(*args, check=True, quiet=False) -> subprocess.CompletedProcess:
    """Run a PostgreSQL program as the postgres user (the server refuses to run as root)."""
    prefix = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
    if os.geteuid() != 0 and os.environ.get("USER") != "postgres":
        prefix = ["sudo", "-u", "postgres", "--"]
    out = subprocess.DEVNULL if quiet else None
    return subprocess.run(prefix + [str(a) for a in args], check=check, stdout=out, stderr=out, cwd="/")


def psql(port: int, sql: str, db: str = "postgres") -> str:
    result = subprocess.run(
        [bindir() / "psql", "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, "-d", db, "-Atqc", sql],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def ready(port: int) -> bool:
    return subprocess.run([bindir() / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]).returncode == 0


def running(data: Path) -> bool:
    return (data / "postmaster.pid").exists() and as_postgres(
        bindir() / "pg_ctl", "-D", data, "status", check=False, quiet=True
    ).returncode == 0


def start(data: Path, port: int) -> None:
    if not running(data):
        as_postgres(bindir() / "pg_ctl", "-D", data, "-l", data.parent / f"{data.name}.log", "-w", "-t", "60", "start",
                    quiet=True)  # fmt: skip
    for _ in range(60):
        if ready(port):
            return
        time.sleep(0.5)
    raise SystemExit(f"PostgreSQL on port {port} did not start; see {data.parent / (data.name + '.log')}")


def stop(data: Path, mode: str = "fast") -> None:
    if running(data):
        as_postgres(bindir() / "pg_ctl", "-D", data, "-m", mode, "-w", "stop", check=False, quiet=True)


def settings_lines(port: int, fast: bool) -> str:
    lines = [
        f"port = {port}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{SOCKETS}'",
        "max_connections = 300",  # two app servers' pools through PgBouncer, workers, tests on two xdist workers
        "shared_buffers = 256MB",
        "wal_level = replica",
        "max_wal_senders = 10",
        "wal_keep_size = 1GB",  # a standby restarted or paused for a while can still catch up from the primary
        "hot_standby = on",
        "hot_standby_feedback = on",  # long export queries on the standby are not cancelled by vacuum on the primary
        "max_standby_streaming_delay = 30s",
        "logging_collector = off",
    ]
    if fast:  # the test pair: losing it in a crash costs nothing, and the suite runs faster
        lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
    return "\n# zhtj (deploy/pgcluster.py)\n" + "\n".join(lines) + "\n"


def make_primary(data: Path, port: int, fast: bool) -> None:
    data.parent.mkdir(parents=True, exist_ok=True)
    shutil.chown(data.parent, "postgres", "postgres")
    as_postgres(bindir() / "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
                quiet=True)  # fmt: skip
    with open(data / "postgresql.conf", "a") as f:
        f.write(settings_lines(port, fast))


def make_standby(data: Path, port: int, primary_port: int, fast: bool) -> None:
    """A hot standby of the primary: pg_basebackup of the whole cluster, -R for standby.signal and primary_conninfo."""
    if data.exists():
        stop(data, "immediate")
        shutil.rmtree(data)
    as_postgres(bindir() / "pg_basebackup", "-h", "127.0.0.1", "-p", primary_port, "-U", SUPERUSER, "-D", data,
                "-X", "stream", "-R", "-c", "fast", quiet=True)  # fmt: skip
    with open(data / "postgresql.conf", "a") as f:
        f.write(settings_lines(port, fast))


def streaming(standby_port: int, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psql(standby_port, "SELECT status FROM pg_stat_wal_receiver") == "streaming":
                return True
        except subprocess.CalledProcessError:
            pass
        time.sleep(0.5)
    return False


def pair(name: str, port: int, standby_port: int, fast: bool, databases: list[str]) -> None:
    primary, standby = BASE / name / "primary", BASE / name / "standby"
    if not (primary / "PG_VERSION").exists():
        print(f"creating the primary {primary} (port {port})", flush=True)
        shutil.rmtree(standby, ignore_errors=True)  # a standby of an earlier primary cannot follow a new one
        make_primary(primary, port, fast)
    start(primary, port)
    for db in databases:
        if psql(port, f"SELECT 1 FROM pg_database WHERE datname = '{db}'") != "1":
            psql(port, f'CREATE DATABASE "{db}"')
    if (standby / "PG_VERSION").exists():
        start(standby, standby_port)
        if streaming(standby_port, 10):
            return
        print("the standby does not stream: making it again", flush=True)
    print(f"creating the standby {standby} (port {standby_port}) with pg_basebackup", flush=True)
    make_standby(standby, standby_port, port, fast)
    start(standby, standby_port)
    if not streaming(standby_port):
        raise SystemExit(f"the standby on port {standby_port} does not stream from {port}; see {standby}.log")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["pair", "stop", "status"])
    parser.add_argument("--name", required=True)
    parser.add_argument("--port", type=int, default=5434)
    parser.add_argument("--standby-port", type=int, default=5435)
    parser.add_argument("--fast", action="store_true", help="fsync and synchronous commit off (tests)")
    parser.add_argument("--database", action="append", default=[], help="databases the primary must have")
    args = parser.parse_args()
    primary, standby = BASE / args.name / "primary", BASE / args.name / "standby"
    if args.action == "pair":
        pair(args.name, args.port, args.standby_port, args.fast, args.database)
    elif args.action == "stop":
        stop(standby)
        stop(primary)
    else:
        for data in (primary, standby):
            print(f"{data}: {'running' if running(data) else 'stopped'}")
    sys.exit(0)


if __name__ == "__main__":
    main()
