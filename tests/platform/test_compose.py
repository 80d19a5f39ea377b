"""docker-compose.yml parses and every command of the project's image starts here (no Docker engine runs on
this machine, so each command is run directly, with local services in place of the compose ones)."""

import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import yaml

from tests.meshes import REPO_ROOT

SECRET = "compose-" + "Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8Lz0" * 2


def interpolate(value: str, env: dict) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$ escapes."""

    def replace(match):
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if operator == ":-":
            return argument or ""
        if operator == ":?":
            raise KeyError(f"{name}: {argument}")
        return ""

    value = re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", replace, value)
    return value.replace("$$", "$")


def compose() -> dict:
    with open(REPO_ROOT / "docker-compose.yml") as handle:
        return yaml.safe_load(handle)


def app_services() -> dict:
    return {name: spec for name, spec in compose()["services"].items() if spec.get("image") == "makernet:latest"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_compose_file_describes_the_scale_out_deployment():
    services = compose()["services"]
    assert {
        "web",
        "worker-meshes",
        "worker-slicing",
        "worker-dispatch",
        "worker-notify",
        "beat",
        "flower",
        "redis",
        "postgres",
        "minio",
    } <= set(services)
    assert "--appendonly" in services["redis"]["command"] and "yes" in services["redis"]["command"]
    queues = set()
    for name, spec in app_services().items():
        command = spec["command"]
        assert command[:2] == ["python", "-m"] or command[:2] == ["python", "manage.py"], (
            f"{name} must start through the interpreter: {command}"
        )
        if "worker" in command:
            queues |= set(command[command.index("-Q") + 1].split(","))
    assert queues == {"celery", "meshes", "slicing", "dispatch", "notify"}


@contextlib.contextmanager
def running(command: list[str], env: dict, ready, *, timeout: float = 60):
    """Run ``command`` until ``ready(output)`` is true, yield its output so far, then stop it."""
    log = REPO_ROOT / "var" / f"compose-{os.getpid()}-{time.monotonic_ns()}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                output = log.read_text(errors="replace")
                if ready(output):
                    break
                if process.poll() is not None:
                    pytest.fail(f"{command} exited with {process.returncode}:\n{output[-3000:]}")
                if time.monotonic() > deadline:
                    pytest.fail(f"{command} did not become ready in {timeout} s:\n{output[-3000:]}")
                time.sleep(0.3)
            yield output
        finally:
            if process.poll() is None:
                os.killpg(process.pid, 15)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, 9)
            log.unlink(missing_ok=True)


def started(command: list[str], env: dict, ready, *, timeout: float = 60) -> str:
    """Run ``command`` until ``ready(output)`` is true, then stop it. Returns the output."""
    with running(command, env, ready, timeout=timeout) as output:
        return output


def http_answers(port: int, path: str):
    """Ready once the server answers at all (whatever the status: the test then looks at the answer)."""

    def check(_output):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    return check


def http_get(port: int, path: str, *, host: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One GET to 127.0.0.1:port with the given Host header; redirects are not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def check_web_is_healthy(spec: dict, command: list[str], env: dict, worker_command: list[str]) -> None:
    """The web service comes up healthy as the compose file writes it: its own health check passes, every part
    of /api/health/ is "ok" (a worker of the stack answers), and the quick start's http://localhost:8000/ is a
    page, not a redirect to https."""
    port = free_port()
    command = list(command)
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    health = spec["healthcheck"]["test"]
    assert health[0] == "CMD"
    health = [sys.executable if part == "python" else part.replace(":8000/", f":{port}/") for part in health[1:]]
    with (
        running(worker_command, env, lambda output: " ready." in output),
        running(command, env, http_answers(port, "/api/health/")),
    ):
        status, _headers, body = http_get(port, "/api/health/", host=f"127.0.0.1:{port}")
        assert status == 200, body[-2000:]
        report = json.loads(body)
        expected = {"database": "ok", "broker": "ok", "worker": "ok"}
        if "slicer" in report:  # optional: "ok" wherever PrusaSlicer is installed (the image installs it)
            expected["slicer"] = "ok" if shutil.which("prusa-slicer") else report["slicer"]
            assert report["slicer"] == expected["slicer"]
        assert report == expected
        result = subprocess.run(health, capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr[-2000:]
        status, headers, body = http_get(port, "/", host=f"localhost:{port}")
        assert status == 200, (status, headers.get("Location"))
        assert "Strict-Transport-Security" not in headers
        status, headers, _body = http_get(port, "/login/", host=f"localhost:{port}")
        assert status == 200 and "secure" not in headers.get("Set-Cookie", "").lower()


@pytest.fixture
def compose_storage(request):
    """The S3 bucket for the stack: moto's server stands in for MinIO (a private bucket; tests/s3_local.py)."""
    return request.getfixturevalue("s3_storage")


@pytest.mark.slow
@pytest.mark.parametrize("service", sorted(app_services()))
def test_every_compose_command_starts(service, tmp_path, settings, compose_storage):
    spec = app_services()[service]
    if service == "agent":
        check_agent_starts(spec, tmp_path)
        return
    base_env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "AWS_"))}
    compose_env = {
        key: interpolate(str(value), {"DJANGO_SECRET_KEY": SECRET, "FLOWER_PASSWORD": "x"})
        for key, value in spec["environment"].items()
    }
    # Local stand-ins for the compose network's services: a throwaway database, this session's broker and a
    # bucket on moto's S3 server. Everything else (allowed hosts, HTTPS switch, settings module) as written.
    compose_env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'compose.sqlite3'}",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL if "redis" in settings.CELERY_BROKER_URL else "filesystem://",
        PLATFORM_VAR_DIR=str(tmp_path / "var"),
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        **compose_storage.environment,
    )
    env = {**base_env, **compose_env}

    def compose_command(parts):
        parts = [interpolate(part, {"FLOWER_PASSWORD": "x"}) for part in parts]
        return [sys.executable if part == "python" else part for part in parts]

    command = compose_command(spec["command"])
    if service == "migrate":
        result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Applying" in result.stdout or "No migrations to apply" in result.stdout
        return
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    if service == "web":
        # As the image's build does (Dockerfile): production serves hashed static files from its manifest.
        collected = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert collected.returncode == 0, collected.stderr[-3000:]
        check_web_is_healthy(spec, command, env, compose_command(app_services()["worker-dispatch"]["command"]))
    elif service == "flower":
        port = free_port()
        command = [f"--port={port}" if part.startswith("--port=") else part for part in command]
        started(command, env, http_answers(port, "/"))
    elif "worker" in command:
        started(command, env, lambda output: " ready." in output)
    elif "beat" in command:
        started(command, env, lambda output: "beat: Starting" in output)
    else:
        pytest.fail(f"no start check for {service}: {command}")


def check_agent_starts(spec: dict, tmp_path) -> None:
    """The maker agent's service (profile "agent") polls the platform with the config in its volume: here a fake
    platform (tests/agent/fakes.py) and the config in a temporary folder in place of ./agent-data."""
    from tests.agent.fakes import FakePlatform

    assert spec["profiles"] == ["agent"]
    assert "environment" not in spec and "depends_on" not in spec
    host_folder, container_folder = spec["volumes"][0].split(":")
    assert host_folder == "./agent-data"
    platform = FakePlatform(token="compose-agent-token")
    try:
        (tmp_path / "agent.toml").write_text(
            f'[platform]\nurl = "{platform.url}"\ntoken = "compose-agent-token"\nagent_id = "compose"\n'
            "poll_seconds = 0.2\n"
        )
        command = [
            sys.executable if part == "python" else part.replace(container_folder, str(tmp_path))
            for part in spec["command"]
        ]
        env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
        started(command, env, lambda output: ("GET", "/api/maker/agent/jobs/") in platform.requests)
    finally:
        platform.stop()
    assert not (tmp_path / "agent-state.json").exists()  # nothing to remember: no job yet


def test_the_compose_stack_serves_plain_http_locally_and_keeps_its_health_check_host_allowed():
    environment = compose()["x-app"]["environment"]
    hosts = interpolate(environment["DJANGO_ALLOWED_HOSTS"], {}).split(",")
    health = " ".join(compose()["services"]["web"]["healthcheck"]["test"])

    assert "127.0.0.1" in hosts and "localhost" in hosts
    assert "http://127.0.0.1:8000/api/health/" in health
    assert interpolate(environment["DJANGO_HTTPS"], {}) == "false"
    assert interpolate(environment["DJANGO_HTTPS"], {"DJANGO_HTTPS": "true"}) == "true"
