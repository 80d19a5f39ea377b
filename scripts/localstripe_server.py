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
import os
import sys
from pathlib import Path

try:  # imported as scripts.<name> (the tests) or run as a script (python scripts/<name>.py)
    from scripts.tool_venv import ensure_tool
except ImportError:
    from tool_venv import ensure_tool

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ["localstripe==1.15.10"]
VENV = Path(os.environ.get("PLATFORM_LOCALSTRIPE_VENV", ROOT / ".venv-tools" / "localstripe"))
PYTHON = VENV / "bin" / "python"


def ensure(*, quiet: bool = False) -> Path:
    """Create the virtualenv with localstripe in it (once) and return its python (``tool_venv.ensure_tool``)."""
    return ensure_tool(VENV, REQUIREMENTS, label="localstripe", quiet=quiet)


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
