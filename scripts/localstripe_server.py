#!/usr/bin/env python3
"""localstripe (a local Stripe API server) in its own virtualenv, for the Stripe provider's tests.

    python3 scripts/localstripe_server.py ensure            # create/refresh .venv-tools/localstripe
    .venv-tools/localstripe/bin/python scripts/localstripe_server.py serve --port N

localstripe brings its own aiohttp stack: it never goes into the project's virtualenv, it runs as a separate
server process (the tests start it on a free port, see tests/stripe_local.py). ``ensure`` uses only the
standard library, so dev.py can call it before anything else is installed; it is quick when nothing changed.

``serve`` starts localstripe 1.15.10 with three changes, all to be closer to Stripe:
- PaymentIntents accept (and return) ``description`` and ``receipt_email``, which Stripe accepts and the
  provider sends; localstripe answers "400 Unexpected description, receipt_email".
- a PaymentIntent whose charge was declined can be paid again with another card, as at Stripe (a new
  ``payment_method`` makes it ``requires_confirmation``); localstripe keeps the failed charge and answers
  "400 Bad request" to the second confirm.
- the state stays in memory: localstripe otherwise pickles everything to /tmp/localstripe.pickle after each
  write, a file every server on the machine would share.
"""

import argparse
import contextlib
import fcntl
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ["localstripe==1.15.10"]
VENV = Path(os.environ.get("PLATFORM_LOCALSTRIPE_VENV", ROOT / ".venv-tools" / "localstripe"))
PYTHON = VENV / "bin" / "python"


def _stamp() -> str:
    return "\n".join([*REQUIREMENTS, sys.version.split()[0]]) + "\n"


def ensure(*, quiet: bool = False) -> Path:
    """Create the virtualenv with localstripe in it (once; under a lock, so parallel test workers wait for
    each other) and return its python. Raises ``subprocess.CalledProcessError`` when pip cannot install it."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    stamp = VENV / ".installed"
    with open(VENV.parent / f".{VENV.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if PYTHON.exists() and stamp.exists() and stamp.read_text() == _stamp():
            return PYTHON
        if not quiet:
            print(f"[localstripe] installing {' '.join(REQUIREMENTS)} into {VENV}", flush=True)
        if not PYTHON.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q", *REQUIREMENTS],
            check=True,
            stdout=subprocess.DEVNULL if quiet else None,
            stderr=subprocess.PIPE if quiet else None,
        )
        stamp.write_text(_stamp())
    return PYTHON


def serve(port: int) -> None:
    """Run localstripe in this process (the tool virtualenv's python) until it is stopped."""
    from localstripe import resources, server

    original_init = resources.PaymentIntent.__init__

    def payment_intent_init(self, description=None, receipt_email=None, **kwargs):
        original_init(self, **kwargs)
        self.description = description
        self.receipt_email = receipt_email

    resources.PaymentIntent.__init__ = payment_intent_init

    original_update = resources.PaymentIntent._update

    def payment_intent_update(self, **data):
        retried = data.get("payment_method") and self.latest_charge is not None
        original_update(self, **data)
        if retried and self.latest_charge.status == "failed":
            self.latest_charge = None  # the declined attempt stays a Charge of its own; the intent starts over

    resources.PaymentIntent._update = payment_intent_update
    resources.Store.dump_to_disk = lambda self: None
    sys.argv = [sys.argv[0], "--port", str(port), "--from-scratch"]
    with contextlib.suppress(KeyboardInterrupt):
        server.start()


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
