#!/usr/bin/env python3
"""One entry point for people: set up, run the demo, run the tests, run the benchmarks.

    python3 dev.py demo     # virtualenv + packages + assets, migrate, seed, then web + worker + beat
    python3 dev.py test     # everything the tests need, then the whole suite (extra args go to pytest)
    python3 dev.py setup    # only install (add --dev for the test tools)
    python3 dev.py bench    # the benchmarks in bench/ (see BENCHMARKS.md)

Only the standard library is used here: it runs on a fresh machine with nothing but Python 3.11+.
Every process is started through the interpreter (``python -m celery``, ``python -m gunicorn``) from the
project root, so the project's ``platform`` package is found before the standard module of that name.
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PLATFORM_VENV", ROOT / ".venv"))
PYTHON = VENV / "bin" / "python"
QUEUES = "celery,meshes,slicing,dispatch,notify"
# lint-imports through the interpreter, so that the project's `platform` package is found before the standard one.
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(command: list, **kwargs) -> None:
    subprocess.run([str(part) for part in command], check=True, cwd=ROOT, **kwargs)


def ensure_venv(*, dev: bool) -> None:
    """Create the virtualenv and install the pinned packages; skipped when nothing changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("Python 3.11 or newer is needed.")
    if not PYTHON.exists():
        say(f"creating the virtualenv in {VENV}")
        run([sys.executable, "-m", "venv", VENV])
    requirements = ROOT / ("requirements-dev.txt" if dev else "requirements.txt")
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("requirements*.txt")):
        digest.update(path.read_bytes())
    # The dev requirements include the runtime ones, so a dev install also serves the demo.
    stamps = [VENV / ".installed-dev"] if dev else [VENV / ".installed-runtime", VENV / ".installed-dev"]
    if any(stamp.exists() and stamp.read_text() == digest.hexdigest() for stamp in stamps):
        return
    stamp = stamps[0]
    say(f"installing {requirements.name} (about a minute on a fresh machine)")
    run([PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", requirements])
    stamp.write_text(digest.hexdigest())


def ensure_assets() -> None:
    run([sys.executable, ROOT / "scripts" / "fetch_assets.py"])


def ensure_debian_packages(commands: dict[str, str], *, purpose: str) -> None:
    """Install the Debian packages that provide ``commands`` (command -> package) when we can (root with
    apt-get); otherwise say what is missing and go on (what needs them is skipped)."""
    missing = sorted({package for command, package in commands.items() if not shutil.which(command)})
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing {', '.join(missing)} for {purpose} (apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)
    else:
        say(f"not installed and cannot be installed here: {', '.join(missing)}; {purpose} skip what needs them")


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium."""
    if Path("/usr/bin/chromium").exists():
        return
    ensure_debian_packages({"chromium": "chromium", "fc-list": "fonts-dejavu-core"}, purpose="the browser tests")


def ensure_prusa_slicer() -> None:
    """The slicing worker runs Debian's PrusaSlicer; without it quotes stay estimates (and /api/health/ says so)."""
    ensure_debian_packages({"prusa-slicer": "prusa-slicer"}, purpose="slicing (quotes stay estimates without it)")
    if not shutil.which("prusa-slicer"):
        say("PrusaSlicer is unavailable: quotes stay estimates and /api/health/ reports the slicer as unavailable")


def ensure_gettext() -> None:
    """GNU gettext: the translation tests extract the marked strings (makemessages) to check every catalogue."""
    ensure_debian_packages(
        {"xgettext": "gettext", "msgmerge": "gettext", "msgfmt": "gettext"}, purpose="the translation catalogue tests"
    )


def ensure_localstripe() -> None:
    """The Stripe provider's tests talk to a local Stripe API (localstripe) in its own virtualenv under
    .venv-tools/ (its aiohttp stack stays out of the project's); without it those tests skip."""
    if subprocess.run([sys.executable, ROOT / "scripts" / "localstripe_server.py", "ensure"], cwd=ROOT).returncode:
        say("localstripe could not be installed: the Stripe provider's tests skip (in CI they fail)")


def ensure_moto() -> None:
    """The S3 storage tests talk to a local S3-compatible server (moto's server mode) in its own virtualenv
    under .venv-tools/ (its Flask stack stays out of the project's); without it those tests skip."""
    if subprocess.run([sys.executable, ROOT / "scripts" / "moto_server.py", "ensure"], cwd=ROOT).returncode:
        say("moto could not be installed: the S3 storage tests skip (in CI they fail)")


def ensure_octoprint() -> None:
    """The maker agent's tests drive a real OctoPrint with its Virtual Printer, in its own virtualenv under
    .venv-tools/ (its Tornado/Flask stack stays out of the project's); without it those tests skip."""
    if subprocess.run([sys.executable, ROOT / "scripts" / "octoprint_server.py", "ensure"], cwd=ROOT).returncode:
        say("OctoPrint could not be installed: the maker agent's OctoPrint tests skip (in CI they fail)")


def manage(*args: str, env: dict | None = None) -> None:
    run([PYTHON, "manage.py", *args], env=env)


def demo_environment() -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "platform.settings.local", "PYTHONUNBUFFERED": "1"}
    return env


def demo_log_file(env: dict) -> Path:
    """Where the demo's worker, beat and server logs (and the e-mails it "sends") go: the terminal keeps the
    banner and one line per request."""
    return Path(env.get("PLATFORM_VAR_DIR") or ROOT / "var") / "log" / "demo.log"


# One short line per request on the terminal: time, method, path, status, milliseconds.
ACCESS_LOG_FORMAT = "%(t)s %(r)s -> %(s)s (%(M)s ms)"  # the request line keeps the "?" of a query


def wait_for(url: str, *, seconds: float) -> dict | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code == 503:
                body = json.loads(error.read() or b"{}")
                if body.get("database") == "ok" and body.get("broker") == "ok":
                    time.sleep(0.5)
                    continue
            time.sleep(0.5)
        except (OSError, ValueError):
            time.sleep(0.5)
    return None


def command_demo(arguments) -> int:
    ensure_venv(dev=False)
    ensure_assets()
    ensure_prusa_slicer()
    env = demo_environment()
    log_file = demo_log_file(env)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    say("migrating the database")
    manage("migrate", "--noinput", "--verbosity", "0", env=env)
    say("seeding the demo (60 days of orders on the first run)")
    started = time.monotonic()
    manage("seed_demo", env=env)
    say(f"seeded in {time.monotonic() - started:.1f} s")
    address = f"{arguments.host}:{arguments.port}"
    base = f"http://{address}"
    processes = {
        "web": [
            PYTHON,
            "-m",
            "gunicorn",
            "platform.wsgi:application",
            "--bind",
            address,
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "120",
            "--access-logfile",
            "-",
            "--access-logformat",
            ACCESS_LOG_FORMAT,
            "--error-logfile",
            log_file,
        ],
        "worker": [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "platform",
            "worker",
            "-Q",
            QUEUES,
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--hostname",
            "demo@%h",
        ],
        "beat": [PYTHON, "-m", "celery", "-A", "platform", "beat", "--loglevel", "INFO"],
    }
    children: dict[str, subprocess.Popen] = {}

    def stop_all(*_):
        # SIGTERM to each main process only: gunicorn and the Celery worker then shut down warmly (the
        # worker finishes its current task); whatever is left after 20 s is killed with its process group.
        for process in children.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 20
        for process in children.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def interrupt(*_):
        raise KeyboardInterrupt

    # Set explicitly: a shell that starts us in the background hands SIGINT down as ignored, and a closed
    # terminal (SIGHUP) would otherwise leave the children, which run in their own sessions, behind.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)
    # The web server's stdout is its access log (the terminal); everything else the processes write goes to the
    # log file: Django's and Celery's logs, beat's ticks, the worker's tasks and the console e-mails.
    log = open(log_file, "a", buffering=1)  # noqa: SIM115 - open for as long as the children run
    say(f"logs of the server, worker and beat (and the e-mails sent): {log_file}")
    try:
        for name, command in processes.items():
            children[name] = subprocess.Popen(
                [str(p) for p in command],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=None if name == "web" else log,
                stderr=log,
            )
        health = wait_for(f"{base}/api/health/", seconds=90)
        print(flush=True)
        print("=" * 72)
        print(f"  Makernet demo is running ({'healthy' if health else 'web not answering yet'}: {health})")
        print(f"  Web:        {base}/")
        print(f"  Admin:      {base}/admin/")
        print(f"  API docs:   {base}/api/docs/")
        print(f"  Health:     {base}/api/health/")
        print("  Accounts (password for all: demo-pass-123):")
        print("    staff:     staff                      (admin, dashboard; two-factor code:")
        print("               python manage.py demo_totp, or secret MAKERNETDEMOSTAFFTOTP234 in an authenticator app)")
        print("    customers: alice, bob                 (with sample designs; others ordered for 60 days)")
        print("    makers:    maker-kreuzberg-print-lab  (Berlin; nine more makers in the README)")
        print(f"  Log file:   {log_file}")
        print("              (worker, beat, server errors and the e-mails; here: one line per request)")
        print("  Ctrl-C stops the web server, the worker and beat.")
        print("=" * 72, flush=True)
        while True:
            for name, process in children.items():
                if process.poll() is not None:
                    say(f"{name} exited with code {process.returncode}; stopping the demo")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        say("stopping")
        return 0
    finally:
        stop_all()
        log.close()


def command_setup(arguments) -> int:
    ensure_venv(dev=arguments.dev)
    ensure_assets()
    if arguments.dev:
        ensure_chromium()
        ensure_gettext()
        ensure_prusa_slicer()
        ensure_localstripe()
        ensure_moto()
        ensure_octoprint()
    return 0


# Tests that start real processes, servers or a browser (ports, CPU and files of the machine): one at a time.
ONE_AT_A_TIME = "slow or browser or worker"


def command_test(arguments) -> int:
    ensure_venv(dev=True)
    ensure_assets()
    ensure_chromium()
    ensure_gettext()
    ensure_prusa_slicer()
    ensure_localstripe()
    ensure_moto()
    ensure_octoprint()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "platform.settings.test", "PYTHONUNBUFFERED": "1"}
    # The layer contracts first (a second): a wrong arrow between apps fails the run before any test.
    say("checking the layers: lint-imports (contracts in pyproject.toml)")
    if subprocess.run([str(PYTHON), "-c", LINT_IMPORTS], cwd=ROOT, env=env).returncode != 0:
        return 1
    if arguments.pytest_args:  # the tests asked for, as asked
        runs = [[PYTHON, "-m", "pytest", *arguments.pytest_args]]
    else:
        # The whole suite in two runs: the independent tests on every core (pytest-xdist, a database per process),
        # then one at a time those that start real processes, servers or a browser on the machine.
        cores = str(max(2, min(4, os.cpu_count() or 2)))
        runs = [
            [PYTHON, "-m", "pytest", "-n", cores, "-m", f"not ({ONE_AT_A_TIME})", "--durations=15"],
            [PYTHON, "-m", "pytest", "-m", ONE_AT_A_TIME, "--durations=25"],
        ]
    failed = 0
    for command in runs:
        say("running: " + " ".join(str(part) for part in command))
        failed = subprocess.run([str(part) for part in command], cwd=ROOT, env=env).returncode or failed
    return failed


def command_bench(arguments) -> int:
    ensure_venv(dev=True)
    ensure_assets()
    # wrk generates the API load; admesh and PrusaSlicer are the peers the mesh analysis is timed against.
    ensure_debian_packages({"wrk": "wrk", "admesh": "admesh", "prusa-slicer": "prusa-slicer"}, purpose="the benchmarks")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([str(PYTHON), "bench/run_all.py", *arguments.bench_args], cwd=ROOT, env=env).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="set up and run web + worker + beat with demo data")
    demo.add_argument("--host", default=os.environ.get("DEMO_HOST", "127.0.0.1"))
    demo.add_argument("--port", default=os.environ.get("DEMO_PORT", "8000"))
    demo.set_defaults(handler=command_demo)
    setup = commands.add_parser("setup", help="install only")
    setup.add_argument("--dev", action="store_true", help="also the test tools and Chromium")
    setup.set_defaults(handler=command_setup)
    test = commands.add_parser("test", help="install what the tests need and run them all")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test.set_defaults(handler=command_test)
    bench = commands.add_parser(
        "bench",
        help="run the benchmarks (see BENCHMARKS.md); options such as --quick and --only go to bench/run_all.py",
    )
    bench.set_defaults(handler=command_bench)
    arguments, extra = parser.parse_known_args()
    if arguments.command == "bench":
        arguments.bench_args = extra
    elif arguments.command == "test":
        arguments.pytest_args = [*extra, *arguments.pytest_args]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    os.chdir(ROOT)
    return arguments.handler(arguments)


if __name__ == "__main__":
    sys.exit(main())
