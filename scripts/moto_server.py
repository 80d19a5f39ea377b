#!/usr/bin/env python3
"""moto's S3-compatible server in its own virtualenv, for the tests of the S3 storage path.

    python3 scripts/moto_server.py ensure            # create/refresh .venv-tools/moto
    .venv-tools/moto/bin/python scripts/moto_server.py serve --port N

moto brings its own Flask/Werkzeug and boto stack: it stays out of the project's virtualenv and runs as a
separate server process (the tests start it on a free port, see tests/s3_local.py), a real HTTP S3 API that
django-storages talks to the way it talks to AWS or MinIO. ``ensure`` uses only the standard library, so dev.py
can call it before anything else is installed; it is quick when nothing changed.
"""

import argparse
import os
import sys
from pathlib import Path

try:  # imported as scripts.<name> (the tests) or run as a script (python scripts/<name>.py)
    from scripts.tool_venv import ensure_tool
except ImportError:
    from tool_venv import ensure_tool

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ["moto[server]==5.2.1"]
VENV = Path(os.environ.get("PLATFORM_MOTO_VENV", ROOT / ".venv-tools" / "moto"))
PYTHON = VENV / "bin" / "python"


def ensure(*, quiet: bool = False) -> Path:
    """Create the virtualenv with moto's server in it (once) and return its python (``tool_venv.ensure_tool``)."""
    return ensure_tool(VENV, REQUIREMENTS, label="moto", quiet=quiet)


def serve(port: int) -> None:
    """Run moto's server in this process (the tool virtualenv's python) until it is stopped."""
    from moto.server import main as moto_main

    moto_main(["--host", "127.0.0.1", "--port", str(port)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("ensure", help="create or refresh the virtualenv")
    run = commands.add_parser("serve", help="run the server (with the virtualenv's python)")
    run.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    if arguments.command == "ensure":
        ensure()
    else:
        serve(arguments.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
