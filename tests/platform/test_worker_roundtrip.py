"""Tasks really cross the broker to a separate worker process, on whatever broker the environment gives."""

import pytest

from core.models import OutboxMessage
from core.queueing import enqueue_after_commit
from tests.worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_ping_round_trips_through_a_real_worker(celery_worker):
    from core.tasks import ping

    # when a task is published (not eager) and its result awaited
    result = ping.apply_async(kwargs={"value": "hello"})
    answer = result.get(timeout=30)
    # then another process ran it
    assert answer["value"] == "hello"
    assert answer["pid"] in celery_worker.child_pids()


def test_outbox_publishes_after_commit_and_marks_sent(celery_worker):
    from django.db import transaction

    with transaction.atomic():
        message = enqueue_after_commit("core.ping", value="after-commit")
        # inside the transaction nothing is published yet
        assert OutboxMessage.objects.get(pk=message.pk).sent_at is None
    sent = wait_until(
        lambda: OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=False).first(),
        timeout=10,
        message="the outbox row to be marked sent",
    )
    assert sent.attempts == 1
    assert sent.last_error == ""


def test_health_reports_every_part_ok_with_a_worker(celery_worker, api):
    response = api.get("/api/health/")
    assert response.status_code == 200, response.json()
    body = response.json()
    # The slicer is optional (quotes stay estimates without it): reported, never a reason for 503.
    slicer = body.pop("slicer")
    assert slicer == "ok" or slicer.startswith("unavailable: ")
    assert body == {"database": "ok", "broker": "ok", "worker": "ok"}


def test_health_names_the_worker_when_none_runs(live_queue, api, db):
    response = api.get("/api/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["worker"].startswith("down")
    assert "worker" in body["detail"]
