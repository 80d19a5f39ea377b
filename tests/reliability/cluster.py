"""A small deployment made of real processes for reliability tests: a Redis server of the test's own (on a
free port, append-only file in a temporary folder) or a filesystem broker folder, and gunicorn, Celery
workers and beat started through the interpreter against the test database.

The test process only talks HTTP to gunicorn and reads the database; every process is stopped (or killed,
by its own pid) by the test. The shared Redis on 6379 is never touched.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.worker import ROOT, WorkerProcess, database_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private redis-server; ``stop()`` shuts it down cleanly (AOF flushed), ``kill()`` does not."""

    def __init__(self, folder: Path, *, appendonly: bool = True):
        if not shutil.which("redis-server"):
            pytest.skip("redis-server is not installed")
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.appendonly = appendonly
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        command = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.folder),
            "--save",
            "",
            "--appendonly",
            "yes" if self.appendonly else "no",
            "--appendfsync",
            "always",
            "--daemonize",
            "no",
            "--logfile",
            str(self.folder / "redis.log"),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.ping():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def command(self, *parts: str) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            payload = f"*{len(parts)}\r\n" + "".join(f"${len(p.encode())}\r\n{p}\r\n" for p in parts)
            sock.sendall(payload.encode())
            return sock.recv(65536)

    def queue_length(self, queue: str) -> int:
        answer = self.command("LLEN", queue)
        return int(answer[1:].split(b"\r\n")[0])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(OSError):  # the server closes the connection as it goes
                self.command("SHUTDOWN")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Cluster:
    """Web, workers and beat for one test, all on the same broker and the test database."""

    def __init__(self, *, broker_url: str, folder: Path, settings, **environment):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.broker_url = broker_url
        self.port = None
        self.processes: list[subprocess.Popen] = []
        self.workers: list[WorkerProcess] = []
        env = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_")}
        env.update(
            DJANGO_SETTINGS_MODULE="platform.settings.test",
            PLATFORM_TEST_RUN_ID=f"cluster-{uuid.uuid4().hex[:8]}",
            CELERY_TASK_ALWAYS_EAGER="0",
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=broker_url,
            DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
            PYTHONUNBUFFERED="1",
        )
        if broker_url.startswith("filesystem://"):
            env["PLATFORM_VAR_DIR"] = str(folder / "var")
        env.update({key: str(value) for key, value in environment.items()})
        self.env = env

    def _log(self, name: str):
        return open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process

    def start_web(self) -> str:
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "platform.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "60",
        ]
        self.processes.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=self._log("web"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.base_url}/api/templates/", timeout=2)
                return self.base_url
            except urllib.error.HTTPError:
                return self.base_url
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start:\n" + (self.folder / "web.log").read_text()[-3000:])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_worker(self, *, queues="celery,meshes,dispatch,notify", concurrency=1) -> WorkerProcess:
        from celery import Celery

        worker = WorkerProcess(
            queues=queues,
            concurrency=concurrency,
            env=self.env,
            log_path=self.folder / f"worker-{len(self.workers)}.log",
        )
        self.workers.append(worker)
        # The test process's own Celery app may use another broker: ping through this cluster's broker.
        # Not the current app: the platform's code in this process must keep publishing through its own.
        probe = Celery(
            "probe", broker=self.broker_url, broker_transport_options=self.transport_options(), set_as_current=False
        )
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                if worker.process.poll() is not None:
                    raise RuntimeError(f"worker exited:\n{worker.output()}")
                if probe.control.ping(destination=[worker.hostname], timeout=0.5):
                    return worker
            raise RuntimeError(f"worker not ready:\n{worker.output()}")
        finally:
            probe.close()

    def transport_options(self) -> dict:
        if self.broker_url.startswith("filesystem://"):
            from platform.settings.base import filesystem_broker_options

            # The test settings keep the broker in the run's own folder (see platform/settings/test.py).
            folder = Path(self.env["PLATFORM_VAR_DIR"]) / "test" / self.env["PLATFORM_TEST_RUN_ID"] / "broker"
            options = filesystem_broker_options(folder)
            for key in ("data_folder_in", "control_folder", "processed_folder"):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
            return options
        return {}

    def start_beat(self):
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "platform",
            "beat",
            "--loglevel",
            "INFO",
            "--scheduler",
            "celery.beat:PersistentScheduler",
            "--schedule",
            str(self.folder / "beat-schedule"),
        ]
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self._log("beat"), stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-2500:]}" for path in sorted(self.folder.glob("*.log"))
        )
