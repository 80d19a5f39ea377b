"""docker-compose.yml parses and every command of the project's image starts here (no Docker engine runs on
this machine, so each command is run directly, with local services in place of the compose ones)."""

import os
import re
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


def started(command: list[str], env: dict, ready, *, timeout: float = 60) -> str:
    """Run ``command`` until ``ready(output)`` is true, then stop it. Returns the output."""
    log = REPO_ROOT / "var" / f"compose-{os.getpid()}-{time.monotonic_ns()}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                output = log.read_text(errors="replace")
                if ready(output):
                    return output
                if process.poll() is not None:
                    pytest.fail(f"{command} exited with {process.returncode}:\n{output[-3000:]}")
                time.sleep(0.3)
            pytest.fail(f"{command} did not become ready in {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, 15)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, 9)
            log.unlink(missing_ok=True)


def http_answers(port: int, path: str):
    def check(_output):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2)
        except urllib.error.HTTPError:
            return True  # any HTTP answer means the server started (503 without a worker is fine)
        except OSError:
            return False
        return True

    return check


@pytest.mark.slow
@pytest.mark.parametrize("service", sorted(app_services()))
def test_every_compose_command_starts(service, tmp_path, settings):
    spec = app_services()[service]
    base_env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))}
    compose_env = {
        key: interpolate(str(value), {"DJANGO_SECRET_KEY": SECRET, "FLOWER_PASSWORD": "x"})
        for key, value in spec["environment"].items()
    }
    # Local stand-ins for the compose network's services: a throwaway database and this session's broker.
    compose_env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'compose.sqlite3'}",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL if "redis" in settings.CELERY_BROKER_URL else "filesystem://",
        PLATFORM_VAR_DIR=str(tmp_path / "var"),
        AWS_STORAGE_BUCKET_NAME="",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
    )
    env = {**base_env, **compose_env}
    command = [interpolate(part, {"FLOWER_PASSWORD": "x"}) for part in spec["command"]]
    command = [sys.executable if part == "python" else part for part in command]
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
        port = free_port()
        command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
        started(command, env, http_answers(port, "/api/health/"))
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
