"""The README's demo command, as a new user runs it: `python3 dev.py demo` migrates and seeds a SQLite database,
starts gunicorn, a Celery worker and beat on the filesystem broker, says where everything is, answers a
registration, and Ctrl-C stops every process it started (also when it was launched with SIGINT ignored, as a
shell does for a background job)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.meshes import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_with(var_dir: Path) -> list[int]:
    """Pids of the processes whose environment points at this demo's folder."""
    marker = f"PLATFORM_VAR_DIR={var_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_the_demo_command_serves_and_ctrl_c_stops_everything(tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PLATFORM_VAR_DIR=str(tmp_path), DEMO_PORT=str(port), PYTHONUNBUFFERED="1")
    log = tmp_path / "demo.log"
    with open(log, "wb") as output:
        demo = subprocess.Popen(
            [sys.executable, "dev.py", "demo"],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            # What `python3 dev.py demo &` in a script does to SIGINT.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
    try:
        deadline = time.monotonic() + 240
        while "Makernet demo is running" not in log.read_text(errors="replace"):
            assert demo.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        banner = log.read_text(errors="replace")
        base = f"http://127.0.0.1:{port}"
        for line in (
            f"Web:        {base}/",
            f"Admin:      {base}/admin/",
            f"API docs:   {base}/api/docs/",
            "demo-pass-123",
        ):
            assert line in banner
        # The slicer follows ('ok', or 'unavailable: ...' where prusa-slicer could not be installed).
        assert "healthy: {'database': 'ok', 'broker': 'ok', 'worker': 'ok', 'slicer': '" in banner
        assert (tmp_path / "db.sqlite3").exists() and (tmp_path / "broker").is_dir()
        # A quiet terminal: the worker's and beat's chatter goes to the log file the banner names.
        log_file = tmp_path / "log" / "demo.log"
        assert f"Log file:   {log_file}" in banner
        for chatter in ("celery@", "beat: Starting", "Booting worker", "Task "):
            assert chatter not in banner
        assert "beat: Starting" in log_file.read_text(errors="replace")

        with urllib.request.urlopen(f"{base}/api/docs/?from=readme", timeout=10) as docs:
            assert docs.status == 200
        status, body = post_json(
            f"{base}/api/auth/register/", {"username": "newcomer", "password": "a-long-passphrase-1"}
        )
        assert status == 201 and body["token"]
        # One short line per request on the terminal: the request line as sent (a query with its "?"), the status.
        deadline = time.monotonic() + 10
        while "POST /api/auth/register/ HTTP/1.1 -> 201" not in log.read_text(errors="replace"):
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)
        assert "GET /api/docs/?from=readme HTTP/1.1 -> 200" in log.read_text(errors="replace")
        started = processes_with(tmp_path)
        assert len(started) >= 4  # dev.py, gunicorn (+ workers), the Celery worker (+ pool), beat
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            code = demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            demo.kill()
            for pid in processes_with(tmp_path):
                os.kill(pid, signal.SIGKILL)
            raise
    assert code == 0, log.read_text(errors="replace")[-3000:]
    assert "[dev] stopping" in log.read_text(errors="replace")
    time.sleep(1)
    assert processes_with(tmp_path) == []
