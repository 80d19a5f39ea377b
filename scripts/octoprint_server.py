#!/usr/bin/env python3
"""A real OctoPrint with its bundled Virtual Printer, in its own virtualenv, for the maker agent's tests.

    python3 scripts/octoprint_server.py ensure                       # create/refresh .venv-tools/octoprint
    python3 scripts/octoprint_server.py serve --basedir DIR --port N   # configure DIR and run OctoPrint

OctoPrint brings its own Tornado/Flask stack: it stays out of the project's virtualenv and runs as a separate
server process on a free port (tests/agent/conftest.py starts one per test session). ``serve`` writes a fresh
basedir the first time: the first-run wizard off, the Virtual Printer plugin on, access control with one admin
user and an application key for it in the application-keys plugin's store (no global API key), then runs
``octoprint serve`` (with ``--iknowwhatimdoing`` when run as root, which OctoPrint otherwise refuses). The
application key is in ``DIR/appkey``. ``ensure`` and ``serve`` use only the standard library (dev.py calls
``ensure`` before anything else is installed); ``ensure`` is quick when nothing changed.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

try:  # imported as scripts.<name> (the tests) or run as a script (python scripts/<name>.py)
    from scripts.tool_venv import ensure_tool
except ImportError:
    from tool_venv import ensure_tool

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ["OctoPrint==1.11.8"]
VENV = Path(os.environ.get("PLATFORM_OCTOPRINT_VENV", ROOT / ".venv-tools" / "octoprint"))
PYTHON = VENV / "bin" / "python"
USER = "maker"
PASSWORD = "maker-password"  # noqa: S105 - a throwaway local test server's login


def ensure(*, quiet: bool = False) -> Path:
    """Create the virtualenv with OctoPrint in it (once) and return its python (``tool_venv.ensure_tool``)."""
    return ensure_tool(VENV, REQUIREMENTS, label="octoprint", quiet=quiet)


def _yaml(value, indent: int = 0) -> str:
    """A tiny YAML writer for nested dicts of scalars (JSON scalars are valid YAML), so that ``serve`` needs
    nothing outside the standard library."""
    lines = []
    for key, item in value.items():
        if isinstance(item, dict):
            lines.append(" " * indent + f"{key}:")
            lines.append(_yaml(item, indent + 2))
        else:
            lines.append(" " * indent + f"{key}: {json.dumps(item)}")
    return "\n".join(lines)


def configure(basedir: Path, port: int) -> str:
    """Write OctoPrint's config, its user and that user's application key into ``basedir`` (once) and return
    the application key."""
    basedir.mkdir(parents=True, exist_ok=True)
    key_file = basedir / "appkey"
    if key_file.exists():
        return key_file.read_text().strip()
    python = str(PYTHON)
    # The user through OctoPrint's own command (it hashes the password the way the server checks it).
    subprocess.run(
        [python, "-m", "octoprint", "--basedir", str(basedir), "user", "add", USER, "--password", PASSWORD, "--admin"],
        check=True,
        capture_output=True,
    )
    key = secrets.token_hex(16).upper()
    store = basedir / "data" / "appkeys"
    store.mkdir(parents=True, exist_ok=True)
    (store / "keys.yaml").write_text(f"{USER}:\n- api_key: {key}\n  app_id: makernet-agent\n")
    config = {
        "server": {
            "firstRun": False,
            "onlineCheck": {"enabled": False},
            "pluginBlacklist": {"enabled": False},
            "host": "127.0.0.1",
            "port": port,
        },
        "accessControl": {"enabled": True},
        "plugins": {
            "virtual_printer": {
                "enabled": True,
                "okAfterResend": False,
                "simulateReset": False,
                "sendWait": False,
                "waitInterval": 1.0,
            },
            "tracking": {"enabled": False},
            "announcements": {"enabled": False},
            "softwareupdate": {"check_overlay_url": "", "notify_users": False},
            "pluginmanager": {"repository": "", "notices": ""},
            "errortracking": {"enabled": False},
            "gcodeviewer": {"mobileSizeThreshold": 0},
        },
        "onlineCheck": {"enabled": False},
        "printerConnection": {"autoconnect": False},
        "serial": {"autoconnect": False, "additionalPorts": [], "timeout": {"connection": 10}},
        "temperature": {"cutoff": 30},
    }
    existing = basedir / "config.yaml"
    existing.write_text(_yaml(config) + "\n")
    key_file.write_text(key + "\n")
    return key


def serve(basedir: Path, port: int) -> None:
    """Configure ``basedir`` (if new) and replace this process with OctoPrint's server on ``port``."""
    configure(basedir, port)
    command = [
        str(PYTHON),
        "-m",
        "octoprint",
        "--basedir",
        str(basedir),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if os.geteuid() == 0:
        command.append("--iknowwhatimdoing")
    os.execv(command[0], command)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("ensure", help="create or refresh the virtualenv")
    run = commands.add_parser("serve", help="configure a basedir (if new) and run OctoPrint on it")
    run.add_argument("--basedir", type=Path, required=True)
    run.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    if arguments.command == "ensure":
        ensure()
    else:
        serve(arguments.basedir, arguments.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
