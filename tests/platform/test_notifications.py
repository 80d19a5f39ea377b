"""Customers hear about their orders: a notification row, an e-mail (console/SMTP backend) and, when they set
one, a webhook POST signed with their secret (HMAC-SHA256 over "timestamp.body")."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from core.models import Notification
from orders.services.status import order_set_status
from tests.conftest import client_for
from tests.orders.test_dispatch import confirmed_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    """A local HTTP server that records the webhook calls it receives."""
    calls = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            calls.append({"headers": dict(self.headers), "body": body})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks/makernet", calls
    server.shutdown()


def test_order_changes_are_emailed_and_posted_to_the_signed_webhook(customer, version, makers, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # the receiver listens on 127.0.0.1
    url, calls = receiver
    me = client_for(customer).patch("/api/auth/me/", {"webhook_url": url}, format="json").json()
    assert me["webhook_url"] == url and len(me["webhook_secret"]) == 64
    mail.outbox.clear()
    # placed (no notice), waiting for payment, paid, routed by the dispatch that runs after commit, then cancelled
    order = confirmed_order(customer, version)
    order_set_status(order_id=order.pk, to="cancelled", reason="changed my mind")
    kinds = list(Notification.objects.filter(user=customer).order_by("id").values_list("kind", flat=True))
    assert kinds == ["order.awaiting_payment", "order.confirmed", "order.routing", "order.cancelled"]
    assert [message.subject for message in mail.outbox if message.to == [customer.email]] == [
        f"Order {order.pk} is waiting for your payment",
        f"Order {order.pk} is paid: we are finding makers near you",
        f"Order {order.pk}: offers are out to local makers",
        f"Order {order.pk} is cancelled",
    ]
    assert f"/orders/{order.pk}/" in mail.outbox[-1].body
    assert len(calls) == 4
    call = calls[-1]
    payload = json.loads(call["body"])
    assert payload["kind"] == "order.cancelled"
    assert payload["data"] == {"order": order.pk, "from": "routing", "to": "cancelled", "reason": "changed my mind"}
    timestamp = call["headers"]["X-Makernet-Timestamp"]
    expected = hmac.new(
        me["webhook_secret"].encode(), f"{timestamp}.".encode() + call["body"], hashlib.sha256
    ).hexdigest()
    assert call["headers"]["X-Makernet-Signature"] == f"sha256={expected}"
    assert Notification.objects.filter(user=customer, webhook_sent_at__isnull=False).count() == 4


@pytest.fixture
def task_errors_stay_in_the_task():
    """As in production, a failing task does not raise into whoever queued it (it retries on its own)."""
    from platform.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def test_a_webhook_that_is_down_does_not_block_anything(
    customer, version, makers, task_errors_stay_in_the_task, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # nothing listens on 127.0.0.1:9
    client_for(customer).patch("/api/auth/me/", {"webhook_url": "http://127.0.0.1:9/nobody"}, format="json")
    order = confirmed_order(customer, version)
    notification = Notification.objects.get(user=customer, kind="order.confirmed")
    assert order.pk and notification.email_sent_at is not None
    assert notification.webhook_sent_at is None
    assert "webhook" in notification.last_error
