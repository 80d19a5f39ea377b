"""A real local Stripe API (localstripe) for the tests, started once per test session on a free port.

Fixtures (registered in tests/conftest.py):

- ``localstripe``: the server. ``localstripe.provider()`` is a ``StripeProvider`` pointed at it;
  ``localstripe.pay(payment_ref, card=...)`` pays a PaymentIntent the way Stripe.js does from the browser;
  ``localstripe.register_webhook(name, url, secret)`` makes it deliver signed events to ``url`` (every
  registered endpoint gets every event, about a second after the change).
- ``stripe_webhooks``: a small HTTP server (a thread) registered as the endpoint ``tests`` with
  ``WEBHOOK_SECRET``; ``stripe_webhooks.wait_for(event_type, payment_ref)`` returns the delivery (the raw body
  and headers) as localstripe sent it.

localstripe lives in its own virtualenv (``scripts/localstripe_server.py``; ``python3 dev.py test`` prepares
it, otherwise the first test that needs it does). When it cannot be installed the tests that need it skip,
unless PLATFORM_REQUIRE_LOCALSTRIPE=1 (CI), where they fail.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import stripe

from billing.providers.stripe import StripeProvider
from scripts import localstripe_server

API_KEY = "sk_test_localstripe"
PUBLISHABLE_KEY = "pk_test_localstripe"
WEBHOOK_SECRET = "whsec_localstripe_tests"
CARD_OK = "4242424242424242"
# localstripe declines only a few numbers when a PaymentIntent charges the card: 4000 0000 0000 0341
# (Stripe's "attaches, then charging fails"); 4000 0000 0000 0002 is declined only when attached to a customer.
CARD_DECLINED = "4000000000000341"
SERVER_SCRIPT = Path(localstripe_server.__file__)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("PLATFORM_REQUIRE_LOCALSTRIPE") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass
class LocalStripe:
    url: str
    process: subprocess.Popen
    log: Path
    api_key: str = API_KEY
    publishable_key: str = PUBLISHABLE_KEY

    def provider(self, *, webhook_secret: str = WEBHOOK_SECRET, **options) -> StripeProvider:
        return StripeProvider(
            api_key=self.api_key,
            webhook_secret=webhook_secret,
            publishable_key=self.publishable_key,
            api_base=self.url,
            max_network_retries=0,
            **options,
        )

    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(self.api_key, base_addresses={"api": self.url}, max_network_retries=0)

    def pay(self, payment_ref: str, *, card: str = CARD_OK):
        """What Stripe.js does on the payment page: a PaymentMethod from the card, then confirm the
        PaymentIntent with it. localstripe cannot take ``payment_method`` in the confirm call itself, so the
        PaymentIntent is updated first. A declined card raises ``stripe.CardError``; returns the intent."""
        client = self.client()
        method = client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
        )
        client.v1.payment_intents.update(payment_ref, params={"payment_method": method.id})
        return client.v1.payment_intents.confirm(payment_ref)

    def register_webhook(self, name: str, url: str, secret: str, events: list[str] | None = None) -> None:
        body = {"url": url, "secret": secret}
        if events is not None:
            body["events"] = events
        request = urllib.request.Request(
            f"{self.url}/_config/webhooks/{name}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        # Stripe.js's stand-in is the one page localstripe serves without a key.
        with urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_localstripe(folder: Path, *, python: Path, timeout: float = 30) -> LocalStripe:
    """Start a localstripe on a free port (another port if that one was taken meanwhile) and wait until it
    answers; ``stop()`` ends it."""
    for attempt in range(3):
        port = _free_port()
        log = folder / f"localstripe-{port}.log"
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [str(python), str(SERVER_SCRIPT), "serve", "--port", str(port)],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stop() ends it and anything it started
            )
        server = LocalStripe(url=f"http://127.0.0.1:{port}", process=process, log=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(server.url):
                return server
            time.sleep(0.1)
        server.stop()
        if attempt == 2 or "Address already in use" not in server.output():
            raise RuntimeError(f"localstripe did not start on port {port}:\n{server.output()}")
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    try:
        python = localstripe_server.ensure(quiet=True)
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", None) or b""
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        detail = f": {detail.strip()[-800:]}" if detail.strip() else ""
        _unavailable(f"localstripe cannot be installed in {localstripe_server.VENV} ({error}){detail}")
    server = start_localstripe(tmp_path_factory.mktemp("localstripe"), python=python)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Delivery:
    body: bytes
    headers: dict[str, str]

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, event_type: str, payment_ref: str, *, timeout: float = 15) -> Delivery:
        """The first delivery of ``event_type`` about the PaymentIntent ``payment_ref``."""

        def match() -> Delivery | None:
            for delivery in self.deliveries:
                event = delivery.event
                obj = event["data"]["object"]
                if event["type"] == event_type and payment_ref in (obj.get("id"), obj.get("payment_intent")):
                    return delivery
            return None

        with self.arrived:
            if not self.arrived.wait_for(match, timeout=timeout):
                seen = [delivery.event["type"] for delivery in self.deliveries]
                raise AssertionError(f"no {event_type} for {payment_ref} within {timeout} s (got {seen})")
            return match()


@pytest.fixture(scope="session")
def stripe_webhooks(localstripe):
    receiver: WebhookReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.arrived:
                receiver.deliveries.append(Delivery(body=body, headers=dict(self.headers.items())))
                receiver.arrived.notify_all()
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = WebhookReceiver(url=f"http://127.0.0.1:{server.server_address[1]}/stripe")
    thread = threading.Thread(target=server.serve_forever, name="stripe-webhooks", daemon=True)
    thread.start()
    localstripe.register_webhook("tests", receiver.url, WEBHOOK_SECRET)
    try:
        yield receiver
    finally:
        # Deliveries to a closed port only fail in localstripe's log.
        with contextlib.suppress(OSError):
            server.shutdown()
            server.server_close()


def signature_header(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header as Stripe makes it, for events localstripe never sends (refunds)."""
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret, timestamp=timestamp)
