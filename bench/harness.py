"""Shared plumbing for the platform benchmarks (read-only helpers: they start and stop processes and read
the database, they change no application code).

- a throwaway PostgreSQL database on 127.0.0.1:5432 (user postgres, trust auth), dropped at the end;
- a Redis database index of the run's own (never 0; an empty one is claimed and flushed at the end);
- the production settings environment, and gunicorn / Celery processes started through the interpreter
  (``python -m gunicorn``, ``python -m celery``) from the project root, so the project's ``platform`` package
  wins over the standard module;
- /proc memory readings, percentiles and markdown tables.
"""

import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES_HOST = os.environ.get("BENCH_POSTGRES_HOST", "127.0.0.1")
POSTGRES_PORT = int(os.environ.get("BENCH_POSTGRES_PORT", "5432"))
POSTGRES_USER = os.environ.get("BENCH_POSTGRES_USER", "postgres")
REDIS_HOST = os.environ.get("BENCH_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6379"))
RESULTS_DIR = ROOT / "bench" / "out" / "platform"


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# Machine -------------------------------------------------------------------------------------------------


def machine_description() -> dict:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gb = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = int(line.split()[1]) / 1024 / 1024
                break
    return {
        "cores": os.cpu_count() or 1,
        "cpu": model,
        "memory_gb": round(memory_gb, 1),
        "python": sys.version.split()[0],
        "kernel": os.uname().release,
    }


def machine_line() -> str:
    machine = machine_description()
    return f"{machine['cores']} cores, {machine['cpu']}, {machine['memory_gb']:.0f} GB RAM, Python {machine['python']}"


# Numbers -------------------------------------------------------------------------------------------------


def percentile(values, fraction: float) -> float:
    """Nearest-rank percentile (the value below which ``fraction`` of the samples lie)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(int(round(fraction * len(ordered) + 0.5)) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


def median(values) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def save_results(name: str, results: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps({"machine": machine_description(), **results}, indent=2, default=str))
    return path


# Memory --------------------------------------------------------------------------------------------------


def proc_status_kb(pid: int, key: str) -> int:
    """A ``/proc/<pid>/status`` value in kB (VmRSS: resident now, VmHWM: resident peak); 0 if gone."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pids) -> float:
    """User + system CPU time the processes have used so far (their own, not their children's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def child_pids(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


# PostgreSQL and Redis ------------------------------------------------------------------------------------


@dataclass
class Database:
    name: str

    @property
    def url(self) -> str:
        return f"postgres://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{self.name}"


def _admin_connection():
    import psycopg

    return psycopg.connect(
        host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER, dbname="postgres", autocommit=True
    )


@contextlib.contextmanager
def throwaway_database(label: str) -> Iterator[Database]:
    """A fresh database for one benchmark, dropped (even after a failure) when the block ends."""
    name = f"bench_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    with _admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    say(f"created database {name}")
    try:
        yield Database(name)
    finally:
        with _admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        say(f"dropped database {name}")


REDIS_CLAIM_KEY = "makernet-bench-claim"


def flush_redis(url: str) -> None:
    """Empty this run's own Redis index (queues left from an earlier phase) and keep it claimed."""
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.set(REDIS_CLAIM_KEY, os.getpid())


@contextlib.contextmanager
def redis_index() -> Iterator[str]:
    """A Redis URL on an empty database index of this run's own (searched from 15 down, never 0)."""
    import redis

    chosen = None
    for index in range(15, 0, -1):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=index)
        if client.dbsize() == 0 and client.set(REDIS_CLAIM_KEY, os.getpid(), nx=True):
            chosen = index
            break
    if chosen is None:
        raise RuntimeError("no empty Redis database index among 1..15")
    say(f"using Redis database index {chosen}")
    try:
        yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{chosen}"
    finally:
        # The index was empty when claimed: everything in it is this run's.
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=chosen).flushdb()


def check_services() -> None:
    """Fail early with a readable message when PostgreSQL or Redis is not there."""
    try:
        with _admin_connection() as connection:
            connection.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any driver error means the same thing here
        sys.exit(f"PostgreSQL on {POSTGRES_HOST}:{POSTGRES_PORT} (user {POSTGRES_USER}) is needed: {error}")
    try:
        import redis

        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001
        sys.exit(f"Redis on {REDIS_HOST}:{REDIS_PORT} is needed: {error}")


# The platform's environment ------------------------------------------------------------------------------


@dataclass
class Stack:
    """Everything one benchmark's processes share: database, broker index, media folder, environment."""

    database: Database
    redis_url: str
    workdir: Path
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(64))
    extra: dict = field(default_factory=dict)

    def environment(self, *, settings: str = "platform.settings.production", **extra) -> dict:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": self.database.url,
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "DJANGO_MEDIA_ROOT": str(self.workdir / "media"),
            "PLATFORM_VAR_DIR": str(self.workdir / "var"),
            # An empty static root: the API needs no collected static files, WhiteNoise only wants the folder.
            "DJANGO_STATIC_ROOT": str(self.workdir / "static"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        environment.update({key: str(value) for key, value in {**self.extra, **extra}.items()})
        return environment

    def manage(self, *arguments: str, **extra) -> None:
        subprocess.run(
            [PYTHON, "manage.py", *arguments],
            cwd=ROOT,
            env=self.environment(**extra),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def setup_django(self, **extra) -> None:
        """Configure Django in this process against the stack (for seeding and reading rows)."""
        os.environ.update(self.environment(**extra))
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()


@contextlib.contextmanager
def platform_stack(label: str, **extra) -> Iterator[Stack]:
    """Database + Redis index + a scratch folder, migrated, all removed at the end."""
    check_services()
    with (
        throwaway_database(label) as database,
        redis_index() as redis_url,
        tempfile.TemporaryDirectory(prefix=f"bench-{label}-") as folder,
    ):
        stack = Stack(database=database, redis_url=redis_url, workdir=Path(folder), extra=extra)
        (stack.workdir / "media").mkdir()
        (stack.workdir / "var").mkdir()
        (stack.workdir / "static").mkdir()
        started = time.perf_counter()
        stack.manage("migrate", "--noinput")
        say(f"migrated in {time.perf_counter() - started:.1f} s")
        yield stack


# Processes -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """A child process in its own session, with its output in a log file."""

    def __init__(self, command: list[str], *, env: dict, log_path: Path):
        self.command = command
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self, last: int = 4000) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-last:]

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.command[:4]} exited with {self.process.returncode}:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


class WebServer(Process):
    """gunicorn with gthread workers, as in production.

    Each worker holds at most ``2 x threads`` connections (``--worker-connections``). By default a gthread worker
    takes every connection it can accept, and a load generator opens its connections at once: one worker often took
    14 or all 16 of them (seen with ``ss``), and a worker runs its threads under one GIL, so the run measured one
    core of two (40 % idle, the ceiling itself between 276 and 786 req/s from run to run). With the cap the
    connections spread over at least two workers and the CPU is the server's, whatever the endpoint."""

    def __init__(
        self,
        stack: Stack,
        *,
        workers: int,
        threads: int,
        settings: str = "platform.settings.production",
        access_log: Path | None = None,
        **extra,
    ):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [
            PYTHON,
            "-m",
            "gunicorn",
            "platform.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--worker-connections",
            str(2 * threads),
            "--timeout",
            "300",
            "--keep-alive",
            "10",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
        if access_log is not None:
            # Path, status, time taken in microseconds, response bytes: per-endpoint figures in a mixed run.
            command += ["--access-logfile", str(access_log), "--access-logformat", "%(U)s %(s)s %(D)s %(B)s"]
        super().__init__(
            command, env=stack.environment(settings=settings, **extra), log_path=stack.workdir / "gunicorn.log"
        )
        self.wait_ready()

    def wait_ready(self, *, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            with (
                contextlib.suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(f"{self.base_url}/api/materials/", timeout=5) as response,
            ):
                if response.status == 200 and len(child_pids(self.pid)) >= 1:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.output()}")

    def worker_pids(self) -> list[int]:
        return child_pids(self.pid)


class CeleryWorker(Process):
    """One ``celery worker`` process (prefork) on the given queues."""

    def __init__(self, stack: Stack, *, queues: str, concurrency: int, name: str = "bench", **extra):
        self.hostname = f"{name}-{secrets.token_hex(3)}@localhost"
        command = [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "platform",
            "worker",
            "-Q",
            queues,
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "--hostname",
            self.hostname,
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
        ]
        super().__init__(command, env=stack.environment(**extra), log_path=stack.workdir / f"{self.hostname}.log")
        self.wait_ready()

    def wait_ready(self, *, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if " ready." in self.output(20000):
                return
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready in {timeout} s:\n{self.output()}")

    def pool_pids(self) -> list[int]:
        return child_pids(self.pid)


def run_module_json(arguments: list[str], *, env: dict | None = None, timeout: float | None = None) -> dict:
    """Run a helper as a subprocess and read the JSON object it prints last."""
    result = subprocess.run(
        [PYTHON, *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{arguments} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
