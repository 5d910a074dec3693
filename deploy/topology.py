"""`make topology`: the production topology on this one machine, as separate processes and servers (issue 15).

    nginx (:8100 http, :8143 https, self-signed)
      → APP_SERVERS gunicorn app servers (:8101, :8102, …; deploy/gunicorn.conf.py)
      → PgBouncer (:6441; zhtj → primary, zhtj_standby → standby)
      → PostgreSQL primary (:5441) and its hot standby made with pg_basebackup (:5442, streaming replication)
    Redis (:6390, append-only file): cache, rate-limit counters, read-your-writes positions
    two background workers (`manage.py worker`): imports, exports, scheduled jobs

Everything comes from Debian's packages (nginx, pgbouncer and PostgreSQL's server are installed if missing)
and the project's own files. The app is configured only by environment variables (.topology/env, made
once with random secrets); the sessions stay in the database (they survive a Redis restart). The data of the
clusters lives in /var/lib/postgresql/zhtj/topology, everything else in .topology/ (git ignores it).

    python deploy/topology.py up [--app-servers 2] [--members 200000]
    python deploy/topology.py down
    python deploy/topology.py status

`up` is idempotent: it starts what is not running. bench/topology_drills.py breaks it on purpose.
"""

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pgcluster

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / ".topology"
DATA = pgcluster.BASE / "topology"
BIN = Path(sys.executable).parent
HTTP_PORT, HTTPS_PORT, APP_PORT0 = 8100, 8143, 8101
PGBOUNCER_PORT, REDIS_PORT = 6441, 6390
PRIMARY, STANDBY = ("primary", 5441), ("standby", 5442)  # data directory name and port, as first made
WORKERS = 2


def sudo() -> list[str]:
    return [] if os.geteuid() == 0 else ["sudo"]


def install() -> None:
    """Debian's nginx and pgbouncer (PostgreSQL and Redis are on every machine of this kind)."""
    missing = [pkg for pkg, cmd in (("nginx", "nginx"), ("pgbouncer", "pgbouncer")) if not shutil.which(cmd)]
    missing += [] if shutil.which("redis-server") else ["redis-server"]
    if missing:
        print(f"installing {' '.join(missing)} from Debian's packages", flush=True)
        subprocess.run(sudo() + ["apt-get", "update", "-qq"], check=True)
        subprocess.run(sudo() + ["apt-get", "install", "-y", "-qq", *missing], check=True, stdout=subprocess.DEVNULL)


# ---- configuration -------------------------------------------------------------------------------------------


def roles() -> dict:
    """Which cluster is the primary: after a failover drill the standby's directory holds the primary."""
    path = DATA / "roles.json"
    if path.exists():
        return {role: tuple(v) for role, v in json.loads(path.read_text()).items()}
    return {"primary": PRIMARY, "standby": STANDBY}


def save_roles(value: dict) -> None:
    (DATA / "roles.json").write_text(json.dumps(value))


def app_env() -> dict:
    """The app's environment: production settings, secrets made once and kept in .topology/env (mode 600)."""
    path = STATE / "env"
    if not path.exists():
        STATE.mkdir(exist_ok=True)
        values = {
            "SECRET_KEY": secrets.token_urlsafe(48),
            "PII_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "PII_HASH_KEY": secrets.token_urlsafe(32),
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.writelines(f"{k}={v}\n" for k, v in values.items())
    secret = dict(line.strip().split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    origins = f"https://127.0.0.1:{HTTPS_PORT},https://localhost:{HTTPS_PORT}"
    return {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")},
        "DEBUG": "0",
        **secret,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": origins,
        "DATABASE_URL": f"postgres://root@127.0.0.1:{PGBOUNCER_PORT}/zhtj",
        "DATABASE_REPLICA_URL": f"postgres://root@127.0.0.1:{PGBOUNCER_PORT}/zhtj_standby",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "PROXY_CLIENT_ADDRESS_HEADER": "X-Real-IP",
        "SECURE_PROXY_SSL_HEADER": "1",
        # Loopback only: the http port serves the load generator, and a self-signed certificate should not be
        # pinned by HSTS in a browser. A real deployment redirects to HTTPS and keeps HSTS (the defaults).
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        # The simulated admins of the drills have no authenticator app; a real deployment keeps this on.
        "ADMIN_TOTP_REQUIRED": "0",
        "CONN_MAX_AGE": "60",
        "SCHEDULER_INTERVAL_SECONDS": "30",
        "STALE_JOB_SECONDS": "30",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
    }


def render(template: str, target: Path, **values) -> None:
    text = (ROOT / "deploy" / template).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    target.write_text(text)


# ---- processes -----------------------------------------------------------------------------------------------


def live_pid(path: Path) -> int | None:
    """The pid in `path` if that process is alive."""
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def pid_of(name: str) -> int | None:
    return live_pid(STATE / "pids" / f"{name}.pid")


def redis(*command: str) -> bool:
    """redis-cli against the topology's Redis; whether it answered."""
    return subprocess.run(["redis-cli", "-p", str(REDIS_PORT), *command], capture_output=True).returncode == 0


def spawn(name: str, argv: list, env: dict) -> int:
    """A process of ours in its own session (so a kill takes its children), its pid kept in .topology/pids."""
    (STATE / "pids").mkdir(parents=True, exist_ok=True)
    (STATE / "logs").mkdir(parents=True, exist_ok=True)
    log = open(STATE / "logs" / f"{name}.log", "ab")
    proc = subprocess.Popen([str(a) for a in argv], env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    (STATE / "pids" / f"{name}.pid").write_text(str(proc.pid))
    return proc.pid


def kill(name: str, sig=signal.SIGTERM, wait: float = 20) -> None:
    pid = pid_of(name)
    if pid is None:
        return
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)  # started by this very process (the drills): reap it, or it stays a zombie
        except ChildProcessError:
            pass
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(pid, signal.SIGKILL)
    (STATE / "pids" / f"{name}.pid").unlink(missing_ok=True)


def app_names() -> list[str]:
    return sorted(p.stem for p in (STATE / "pids").glob("app*.pid")) if (STATE / "pids").exists() else []


def start_app(index: int, env: dict | None = None) -> None:
    name = f"app{index}"
    if pid_of(name) is None:
        spawn(name, [BIN / "gunicorn", "config.wsgi", "-c", ROOT / "deploy" / "gunicorn.conf.py",
                     "--bind", f"127.0.0.1:{APP_PORT0 + index - 1}"], env or app_env())  # fmt: skip


def start_worker(index: int, env: dict | None = None) -> None:
    name = f"worker{index}"
    if pid_of(name) is None:
        spawn(name, [BIN / "python", "manage.py", "worker", "--no-reload", "--interval", "1"], env or app_env())


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer; see {STATE / 'logs'}")
        time.sleep(0.5)


# ---- the servers ---------------------------------------------------------------------------------------------


def databases_up() -> None:
    """The primary and its streaming standby (made with pg_basebackup), in the roles they have now."""
    if not (DATA / PRIMARY[0] / "PG_VERSION").exists() and not (DATA / "roles.json").exists():
        pgcluster.pair("topology", PRIMARY[1], STANDBY[1], fast=False, databases=["zhtj"])
        save_roles({"primary": PRIMARY, "standby": STANDBY})
        return
    r = roles()
    (p_dir, p_port), (s_dir, s_port) = r["primary"], r["standby"]
    pgcluster.start(DATA / p_dir, p_port)
    if (DATA / s_dir / "PG_VERSION").exists():
        pgcluster.start(DATA / s_dir, s_port)
        if pgcluster.streaming(s_port, 10):
            return
    print(f"making the standby ({s_dir}, port {s_port}) again from the primary on {p_port}", flush=True)
    standby_remake()


def standby_remake() -> None:
    r = roles()
    p_port, (s_dir, s_port) = r["primary"][1], r["standby"]
    pgcluster.make_standby(DATA / s_dir, s_port, p_port, fast=False)
    pgcluster.start(DATA / s_dir, s_port)
    if not pgcluster.streaming(s_port):
        raise SystemExit(f"the standby on {s_port} does not stream from {p_port}")


def redis_up() -> None:
    if redis("ping"):
        return
    (STATE / "redis").mkdir(parents=True, exist_ok=True)
    subprocess.run([
        "redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--daemonize", "yes",
        "--dir", STATE / "redis", "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
        "--pidfile", STATE / "redis" / "redis.pid", "--logfile", STATE / "logs" / "redis.log",
    ], check=True)  # fmt: skip
    for _ in range(50):
        if redis("ping"):
            return
        time.sleep(0.1)
    raise SystemExit("Redis did not start")


def pgbouncer_dir() -> Path:
    return DATA / "pgbouncer"


def pgbouncer_up() -> None:
    """Render the configuration from the roles; start PgBouncer, or make a running one reload it."""
    directory = pgbouncer_dir()
    directory.mkdir(parents=True, exist_ok=True)
    r = roles()
    # No standby answering (just after a failover, until a new one is made): zhtj_standby names the primary, whose
    # replay position is NULL, so the app reads from the primary at once instead of waiting on a dead server.
    standby_port = r["standby"][1] if pgcluster.ready(r["standby"][1]) else r["primary"][1]
    render("pgbouncer.ini.in", directory / "pgbouncer.ini", PRIMARY_PORT=r["primary"][1],
           STANDBY_PORT=standby_port, PORT=PGBOUNCER_PORT, DIR=directory)  # fmt: skip
    (directory / "userlist.txt").write_text('"root" ""\n')
    for path in (directory, *directory.iterdir()):
        shutil.chown(path, "postgres", "postgres")
    if pgbouncer_running():
        pgcluster.psql(PGBOUNCER_PORT, "RELOAD", db="pgbouncer")
        return
    pgcluster.as_postgres(
        shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", "-d", directory / "pgbouncer.ini", quiet=True
    )
    for _ in range(50):
        if pgcluster.ready(PGBOUNCER_PORT):
            return
        time.sleep(0.1)
    raise SystemExit(f"PgBouncer did not start; see {directory / 'pgbouncer.log'}")


def pgbouncer_running() -> bool:
    return live_pid(pgbouncer_dir() / "pgbouncer.pid") is not None


def tls_files() -> None:
    tls = STATE / "tls"
    if (tls / "cert.pem").exists():
        return
    tls.mkdir(parents=True, exist_ok=True)
    subprocess.run([
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", tls / "key.pem", "-out", tls / "cert.pem",
    ], check=True, capture_output=True)  # fmt: skip
    os.chmod(tls / "key.pem", 0o600)


def nginx_up(app_servers: int) -> None:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (STATE / "nginx" / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        shutil.chown(STATE / "nginx" / "tmp" / sub, "www-data")
    tls_files()
    upstreams = "\n".join(
        f"        server 127.0.0.1:{APP_PORT0 + i} max_fails=1 fail_timeout=5s;" for i in range(app_servers)
    )
    conf = STATE / "nginx.conf"
    render("nginx.conf.in", conf, STATE=STATE, ROOT=ROOT, UPSTREAMS=upstreams, HTTP_PORT=HTTP_PORT,
           HTTPS_PORT=HTTPS_PORT)  # fmt: skip
    subprocess.run(["nginx", "-t", "-q", "-c", conf], check=True)
    if (STATE / "nginx" / "nginx.pid").exists():
        if subprocess.run(["nginx", "-c", conf, "-s", "reload"], capture_output=True).returncode == 0:
            return
    subprocess.run(["nginx", "-c", conf], check=True)


def prepare_app(env: dict, members: int) -> None:
    """Migrate (on the primary, through PgBouncer), collect static files, seed the demo if the database is empty."""
    manage = [BIN / "python", "manage.py"]
    subprocess.run(manage + ["migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)
    subprocess.run(manage + ["collectstatic", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True)
    started = time.monotonic()
    seeded = subprocess.run(manage + ["seed_demo", "--if-empty", "--members", str(members)], env=env, cwd=ROOT,
                            check=True, capture_output=True, text=True)  # fmt: skip
    if "跳过" not in seeded.stdout:  # its account list holds ID numbers: only say that it ran
        print(f"demo data seeded: {members:,} members ({time.monotonic() - started:.0f} s)", flush=True)


def up(app_servers: int, members: int) -> None:
    install()
    for sub in ("pids", "logs"):
        (STATE / sub).mkdir(parents=True, exist_ok=True)
    databases_up()
    redis_up()
    pgbouncer_up()
    env = app_env()
    prepare_app(env, members)
    for name in app_names():  # fewer app servers than last time: stop the extra ones
        if int(name[3:]) > app_servers:
            kill(name)
    for i in range(1, app_servers + 1):
        start_app(i, env)
    for i in range(1, WORKERS + 1):
        start_worker(i, env)
    for i in range(1, app_servers + 1):
        wait_http(f"http://127.0.0.1:{APP_PORT0 + i - 1}/accounts/login/")
    nginx_up(app_servers)
    wait_http(f"http://127.0.0.1:{HTTP_PORT}/accounts/login/")
    status()
    print(f"\nup: http://127.0.0.1:{HTTP_PORT}/ (https://127.0.0.1:{HTTPS_PORT}/ for a browser: the cookies are "
          f"Secure; self-signed certificate). Demo password: Demo@2026. `make topology-stop` ends it.")  # fmt: skip


def down() -> None:
    conf = STATE / "nginx.conf"
    if (STATE / "nginx" / "nginx.pid").exists():
        subprocess.run(["nginx", "-c", conf, "-s", "quit"], capture_output=True)
    for name in app_names() + [f"worker{i}" for i in range(1, WORKERS + 1)]:
        kill(name)
    if pgbouncer_running():
        os.kill(int((pgbouncer_dir() / "pgbouncer.pid").read_text().strip()), signal.SIGTERM)
    redis("shutdown")
    r = roles()
    for role in ("standby", "primary"):
        pgcluster.stop(DATA / r[role][0])
    print("topology stopped (data kept: /var/lib/postgresql/zhtj/topology, .topology)")


def status() -> None:
    r = roles()
    rows = [
        ("nginx", f":{HTTP_PORT} :{HTTPS_PORT}", (STATE / "nginx" / "nginx.pid").exists()),
        *[(name, f":{APP_PORT0 + int(name[3:]) - 1}", pid_of(name) is not None) for name in app_names()],
        *[(f"worker{i}", "", pid_of(f"worker{i}") is not None) for i in range(1, WORKERS + 1)],
        ("pgbouncer", f":{PGBOUNCER_PORT}", pgbouncer_running()),
        ("postgresql primary", f":{r['primary'][1]} ({r['primary'][0]})", pgcluster.ready(r["primary"][1])),
        ("postgresql standby", f":{r['standby'][1]} ({r['standby'][0]})", pgcluster.ready(r["standby"][1])),
        ("redis", f":{REDIS_PORT}", redis("ping")),
    ]  # fmt: skip
    for name, where, ok in rows:
        print(f"  {name:<20} {where:<22} {'up' if ok else 'DOWN'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["up", "down", "status"])
    parser.add_argument("--app-servers", type=int, default=int(os.environ.get("APP_SERVERS", 2)))
    parser.add_argument("--members", type=int, default=int(os.environ.get("TOPOLOGY_MEMBERS", 200_000)))
    args = parser.parse_args()
    if args.action == "up":
        if args.app_servers < 1:
            raise SystemExit("--app-servers must be at least 1")
        up(args.app_servers, args.members)
    elif args.action == "down":
        down()
    else:
        status()


if __name__ == "__main__":
    main()
