"""A real OctoPrint (from PyPI, in its own virtualenv) with its bundled Virtual Printer, started once per test
session on a free port, for the maker agent's tests and the end-to-end test of issue 18.

Fixture (registered in tests/conftest.py):

- ``octoprint_server``: the server (``url``, ``api_key`` an application key of its admin user, ``request()``),
  its virtual printer connected.

OctoPrint lives in .venv-tools/octoprint (``scripts/octoprint_server.py``; ``python3 dev.py setup --dev`` and
``dev.py test`` prepare it, otherwise the first test that needs it does). When it cannot be installed the tests
that need it skip, unless PLATFORM_REQUIRE_OCTOPRINT=1 (CI), where they fail.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts import octoprint_server as octoprint_script

SERVER_SCRIPT = Path(octoprint_script.__file__)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("PLATFORM_REQUIRE_OCTOPRINT") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class OctoPrintServer:
    url: str
    api_key: str
    process: subprocess.Popen
    log: Path

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"X-Api-Key": self.api_key, "Content-Type": "application/json"}
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw) if raw else {}
            except ValueError:
                return error.code, {"raw": raw.decode(errors="replace")}

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def wait_until_idle(self, timeout: float = 60) -> dict:
        """Wait until the printer is connected and not printing; the last /api/job answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, job = self.request("GET", "/api/job")
            if status == 200 and job.get("state") == "Operational":
                return job
            time.sleep(0.2)
        raise AssertionError(f"OctoPrint did not become idle: {job}\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_octoprint(folder: Path, *, timeout: float = 120) -> OctoPrintServer:
    """Start OctoPrint on a free port with a fresh basedir in ``folder``, wait until it answers with the
    application key, connect the virtual printer and wait until it is operational."""
    port = _free_port()
    basedir = folder / "basedir"
    log = folder / f"octoprint-{port}.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), "serve", "--basedir", str(basedir), "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        return _wait_and_connect(process, basedir, log, port, timeout)
    except BaseException:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        raise


def _wait_and_connect(process, basedir: Path, log: Path, port: int, timeout: float) -> OctoPrintServer:
    key_file = basedir / "appkey"
    deadline = time.monotonic() + timeout
    server = None
    while time.monotonic() < deadline and process.poll() is None:
        if key_file.exists() and server is None:
            server = OctoPrintServer(f"http://127.0.0.1:{port}", key_file.read_text().strip(), process, log)
        if server is not None:
            try:
                status, _ = server.request("GET", "/api/version")
            except (urllib.error.URLError, OSError, http.client.HTTPException):
                # Not listening yet, or still starting (it answers a bare "Not found" for a moment).
                status = None
            if status == 200:
                break
        time.sleep(0.2)
    else:
        raise RuntimeError(f"OctoPrint did not start on port {port}:\n{log.read_text(errors='replace')[-4000:]}")
    status, answer = server.request("POST", "/api/connection", {"command": "connect", "port": "VIRTUAL"})
    if status != 204:
        raise RuntimeError(f"OctoPrint did not connect its virtual printer: {status} {answer}")
    server.wait_until_idle()
    return server


@pytest.fixture(scope="session")
def octoprint_server(tmp_path_factory):
    try:
        octoprint_script.ensure(quiet=True)
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", None) or b""
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        detail = f": {detail.strip()[-800:]}" if detail.strip() else ""
        _unavailable(f"OctoPrint cannot be installed in {octoprint_script.VENV} ({error}){detail}")
    server = start_octoprint(tmp_path_factory.mktemp("octoprint"))
    try:
        yield server
    finally:
        server.stop()
