"""A real S3-compatible server (moto's server mode) for the tests of the S3 storage path, started once per test
session on a free port.

Fixtures (registered in tests/conftest.py):

- ``s3_server``: the server (``url``, ``client()`` a boto3 S3 client with the test credentials).
- ``s3_storage``: a fresh **private** bucket on it, and the platform configured for it the way production is
  (``AWS_STORAGE_BUCKET_NAME``, ``AWS_S3_ENDPOINT_URL``, ``AWS_S3_REGION_NAME``, ``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``): this process's storage settings and ``s3_storage.environment`` for a worker.

moto lives in its own virtualenv (``scripts/moto_server.py``; ``python3 dev.py test`` prepares it, otherwise the
first test that needs it does). When it cannot be installed the tests that need it skip, unless
PLATFORM_REQUIRE_S3=1 (CI), where they fail.
"""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from scripts import moto_server

ACCESS_KEY = "makernet-test-access"
SECRET_KEY = "makernet-test-secret"
REGION = "eu-central-1"
SERVER_SCRIPT = Path(moto_server.__file__)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("PLATFORM_REQUIRE_S3") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class MotoServer:
    url: str
    process: subprocess.Popen
    log: Path

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}),
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_moto(folder: Path, *, python: Path, timeout: float = 60) -> MotoServer:
    """Start moto's server on a free port (another port if that one was taken meanwhile) and wait until it
    answers; ``stop()`` ends it."""
    for attempt in range(3):
        port = _free_port()
        log = folder / f"moto-{port}.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [str(python), str(SERVER_SCRIPT), "serve", "--port", str(port)],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        server = MotoServer(url=f"http://127.0.0.1:{port}", process=process, log=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(server.url):
                return server
            time.sleep(0.1)
        server.stop()
        if attempt == 2 or "already in use" not in server.output():
            raise RuntimeError(f"moto did not start on port {port}:\n{server.output()}")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    try:
        python = moto_server.ensure(quiet=True)
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", None) or b""
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        detail = f": {detail.strip()[-800:]}" if detail.strip() else ""
        _unavailable(f"moto cannot be installed in {moto_server.VENV} ({error}){detail}")
    server = start_moto(tmp_path_factory.mktemp("moto"), python=python)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class S3Storage:
    server: MotoServer
    bucket: str

    @property
    def environment(self) -> dict[str, str]:
        """The settings' environment variables for this bucket (as a worker or the compose file sets them)."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.server.url,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def keys(self) -> list[str]:
        answer = self.server.client().list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.server.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def anonymous_get(self, key: str) -> int:
        """The HTTP status of an unsigned GET of the object at its bucket URL (what anyone on the network gets)."""
        try:
            with urllib.request.urlopen(f"{self.server.url}/{self.bucket}/{key}", timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture
def s3_storage(s3_server, settings, monkeypatch):
    """A new private bucket, and this process's default storage pointed at it the way base.py builds it."""
    bucket = f"makernet-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(
        Bucket=bucket, ACL="private", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    storage = S3Storage(server=s3_server, bucket=bucket)
    for key, value in storage.environment.items():
        monkeypatch.setenv(key, value)
    # The same storage definition as platform/settings/base.py builds from those variables.
    from platform.settings.base import s3_storage_options

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_storage_options(bucket)},
    }
    return storage
