"""The project package `platform` shadows the standard module on purpose; the standard API must still work."""

import subprocess
import sys

from tests.meshes import REPO_ROOT


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
    )


def test_standard_platform_api_works_from_the_project_root():
    # given the project root first on sys.path (python -c from the root puts '' first)
    # when uuid (which Django imports) and the standard platform functions are used
    result = run_python(
        "import uuid, platform; uuid.uuid4(); "
        "print(platform.system(), platform.python_version(), platform.machine(), platform.__file__)"
    )
    # then they answer as the standard module would, from the project package
    assert result.returncode == 0, result.stderr
    system, version, machine, path = result.stdout.split()
    assert system == "Linux"
    assert version == ".".join(map(str, sys.version_info[:3]))
    assert machine
    assert path.endswith("platform/__init__.py")


def test_django_starts_with_the_shadowing_package():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='platform.settings.local'; django.setup(); "
        "from platform.celery import app; print(app.main, sorted(app.conf.task_routes))",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "platform"


def test_celery_finds_the_app_through_the_interpreter():
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "platform", "report"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "broker_url" in result.stdout.lower() or "broker" in result.stdout.lower()
