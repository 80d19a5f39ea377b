"""A real Celery worker process for tests that cross the queue.

The worker runs ``python -m celery -A platform worker`` with the test settings, the same broker as the test
process (this session's filesystem folder, or this session's Redis database index) and the test database
(``DATABASE_URL`` pointing at it), so tasks published by the test run for real. Tests that use it must
commit their data: mark them ``@pytest.mark.django_db(transaction=True)``.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """A URL for the database the tests use right now (the test database, not the configured one)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"


def worker_environment(**extra) -> dict:
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "platform.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    env.update({key: str(value) for key, value in extra.items()})
    return env


class WorkerProcess:
    """One ``celery worker`` subprocess; ``stop()`` ends it, ``kill()`` SIGKILLs it (and its children)."""

    def __init__(
        self,
        *,
        queues: str = "celery,meshes,slicing,dispatch,notify",
        concurrency: int = 2,
        env=None,
        log_path: Path | None = None,
    ):
        self.hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.log_path = log_path or Path(f"/tmp/celery-{self.hostname}.log")
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "platform",
            "worker",
            "-Q",
            queues,
            "--concurrency",
            str(concurrency),
            "--hostname",
            self.hostname,
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--pool",
            "prefork",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env or worker_environment(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, *, timeout: float = 60) -> None:
        from platform.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.output()}")
            replies = app.control.ping(destination=[self.hostname], timeout=0.5)
            if replies:
                return
        raise RuntimeError(f"worker not ready after {timeout} s:\n{self.output()}")

    def child_pids(self) -> list[int]:
        result = subprocess.run(["pgrep", "-P", str(self.pid)], capture_output=True, text=True)
        return [int(pid) for pid in result.stdout.split()]

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-6000:]

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def purge_queues() -> None:
    """Drop messages left in this session's broker by an earlier test (never touches other sessions')."""
    from core.queueing import queues
    from platform.celery import app

    with app.connection_for_write() as broker:
        channel = broker.default_channel
        for queue in queues():
            # A queue that does not exist yet has nothing to purge.
            with contextlib.suppress(Exception):
                channel.queue_purge(queue)


@pytest.fixture
def live_queue(settings):
    """Publish for real (not eager) while the test runs."""
    from core import queueing
    from platform.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # A test whose broker was stopped (tests/reliability) leaves the outbox's circuit breaker believing the broker
    # is down for a few seconds: messages would wait for a sweeper that no test runs. Start with it closed.
    queueing._broker_down_until = 0.0
    purge_queues()
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def celery_worker(live_queue, transactional_db):
    """A real worker process on every queue for the duration of one test."""
    worker = WorkerProcess()
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


def wait_until(predicate, *, timeout: float = 60, interval: float = 0.1, message: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail the test with ``message`` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {message}")
