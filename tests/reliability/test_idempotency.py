"""Every task can run twice, or twice at once, and leave one result (redelivery makes both happen)."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from core.models import Notification, OutboxMessage
from core.notifications import notification_deliver, notify
from core.queueing import enqueue_after_commit, outbox_publish
from designs.models import DesignVersionEvent
from designs.services import design_upload, design_version_analyse
from orders.models import Job, JobEvent, OrderEvent
from orders.services.dispatch import job_offers_expire, order_dispatch
from tests.designs.test_designs_api import stl_bytes
from tests.factories import MaterialFactory
from tests.orders.test_dispatch import confirmed_order

pytestmark = pytest.mark.django_db(transaction=True)


def twice_at_once(function, **kwargs):
    """Run ``function(**kwargs)`` in two threads (two database connections) released together."""
    barrier, errors = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            function(**kwargs)
        except Exception as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


@pytest.fixture
def queued_version(customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    MaterialFactory()
    return design_upload(owner=customer, uploaded_file=SimpleUploadedFile("a.stl", stl_bytes())).version


def test_analysis_run_twice_leaves_one_result(queued_version, customer):
    design_version_analyse(version_id=queued_version.pk)
    assert design_version_analyse(version_id=queued_version.pk) == "skipped"
    assert [e.to_status for e in DesignVersionEvent.objects.filter(version=queued_version)] == [
        "queued",
        "analysing",
        "ready",
    ]
    assert Notification.objects.filter(user=customer, kind="design.ready").count() == 1


def test_analysis_run_twice_at_once_leaves_one_result(queued_version, customer):
    twice_at_once(design_version_analyse, version_id=queued_version.pk)
    events = [e.to_status for e in DesignVersionEvent.objects.filter(version=queued_version)]
    assert events.count("ready") == 1 and events[-1] == "ready"
    assert Notification.objects.filter(user=customer, kind="design.ready").count() == 1


def test_dispatch_twice_at_once_makes_one_job(customer, version, makers):
    order = confirmed_order(customer, version)
    twice_at_once(order_dispatch, order_id=order.pk)
    assert Job.objects.filter(order=order).count() == 1
    assert OrderEvent.objects.filter(order=order, to_status="routing").count() == 1


def test_offer_expiry_twice_at_once_expires_once(customer, version, makers):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    later = job.offer_expires_at + timedelta(seconds=1)
    twice_at_once(job_offers_expire, now=later)
    assert JobEvent.objects.filter(job=job, to_status="expired").count() == 1


def test_a_notification_delivered_twice_is_emailed_once(customer):
    notification = notify(user=customer, kind="test", subject="Hello", body="once")  # delivered after commit
    notification_deliver(notification_id=notification.pk)  # and twice more, as a redelivery would
    notification_deliver(notification_id=notification.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hello"


def test_the_same_event_notifies_once(customer):
    first = notify(user=customer, kind="test", subject="A", dedupe_key="event-1")
    again = notify(user=customer, kind="test", subject="A", dedupe_key="event-1")
    assert first is not None and again is None
    assert Notification.objects.filter(user=customer).count() == 1


def test_an_outbox_message_is_published_once(customer):
    message = enqueue_after_commit("core.ping", value="x")  # published after commit (autocommit here)
    assert outbox_publish(message_id=message.pk) is False  # a second publish (the sweeper) does nothing
    assert outbox_publish(message_id=message.pk) is False
    sent = OutboxMessage.objects.get(pk=message.pk)
    assert sent.attempts == 1 and sent.sent_at <= timezone.now()
