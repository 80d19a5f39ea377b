"""A local test server's own virtualenv under .venv-tools/ (localstripe, moto, OctoPrint): their dependency stacks
stay out of the project's. Standard library only: the server scripts run it with any Python 3.11."""

import fcntl
import subprocess
import sys
from pathlib import Path


def ensure_tool(venv: Path, requirements: list[str], *, label: str, quiet: bool = False) -> Path:
    """Create ``venv`` with ``requirements`` installed (once; under a lock, so parallel test workers wait for each
    other) and return its python. A stamp of the requirements and this Python's version says it is up to date.
    Raises ``subprocess.CalledProcessError`` when pip cannot install them."""
    python = venv / "bin" / "python"
    wanted = "\n".join([*requirements, sys.version.split()[0]]) + "\n"
    venv.parent.mkdir(parents=True, exist_ok=True)
    stamp = venv / ".installed"
    with open(venv.parent / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and stamp.exists() and stamp.read_text() == wanted:
            return python
        if not quiet:
            print(f"[{label}] installing {' '.join(requirements)} into {venv}", flush=True)
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *requirements],
            check=True,
            stdout=subprocess.DEVNULL if quiet else None,
            stderr=subprocess.PIPE if quiet else None,
        )
        stamp.write_text(wanted)
    return python
