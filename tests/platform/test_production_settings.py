import os
import subprocess
import sys

from tests.meshes import REPO_ROOT

SECRET = "k3y-" + "x9Qz7Lm2Vb8Np4Rt6Wc1Yd5Fg0Hj3Ks" * 2


def manage(*args, **env) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, "DJANGO_SETTINGS_MODULE": "platform.settings.production", **env},
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_ALLOWED_HOSTS="makernet.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = manage("check", DJANGO_SECRET_KEY="short", DJANGO_ALLOWED_HOSTS="makernet.example")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_passes_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="makernet.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_openapi_schema_is_valid_and_has_no_warnings(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "s.yml"),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "platform.settings.test"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "s.yml").stat().st_size > 1000


def test_pages_carry_a_content_security_policy_with_a_fresh_nonce(client, db):
    first, second = client.get("/login/"), client.get("/login/")
    policy = first["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in first.content  # the import map carries it
    assert second["Content-Security-Policy"] != policy
    assert "Content-Security-Policy" not in client.get("/admin/login/")


SECURITY = (
    "from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
)


def test_production_is_https_only_by_default():
    result = manage("shell", "-c", SECURITY, DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="makernet.example")

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1].split() == ["True", "31536000", "True", "True", "True", "True"]


def test_plain_http_local_use_switches_redirect_hsts_and_secure_cookies_off_together():
    result = manage(
        "shell", "-c", SECURITY, DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="localhost", DJANGO_HTTPS="false"
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines()[-1].split() == ["False", "0", "False", "False", "False", "False"]
