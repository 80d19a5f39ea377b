"""The demo's past: seed_demo writes 60 days of trade through the services, once, and every chart and list of the
staff dashboard has something true to show."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from billing.models import LedgerEntry, Refund, RefundStatus
from core.models import Notification, OutboxMessage
from designs.models import DesignVersion, VersionStatus
from orders.models import Claim, ClaimStatus, Job, JobStatus, Order, OrderEvent, OrderStatus
from slicing.selectors import slicer_health
from web import dashboard

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def counts() -> dict[str, int]:
    return {
        "orders": Order.objects.count(),
        "jobs": Job.objects.count(),
        "events": OrderEvent.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "versions": DesignVersion.objects.count(),
    }


def test_seed_demo_writes_a_lived_in_past_once(live_queue):
    # given a fresh database; when the demo is seeded
    call_command("seed_demo", verbosity=0)
    first = counts()
    now = timezone.now()

    # then every order status is there, each moved through its door (an event per status)
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    for order in Order.objects.all():
        assert order.events.filter(kind=OrderEvent.KIND_STATUS).latest("created_at", "id").to_status == order.status
    # 50 to 70 orders spread over 60 days, none in the future
    assert 50 <= first["orders"] <= 70
    oldest = Order.objects.order_by("created_at").first().created_at
    assert timedelta(days=55) < now - oldest < timedelta(days=62)
    assert not Order.objects.filter(created_at__gt=now).exists()
    # jobs taken, printing, declined and failed (their parts went to another maker nearby)
    assert {JobStatus.ACCEPTED, JobStatus.PRINTING, JobStatus.DECLINED, JobStatus.FAILED} <= set(
        Job.objects.values_list("status", flat=True)
    )
    # offers about to expire, a stalled job, failed analyses, a refunded and an open claim
    data = dashboard.dashboard_data(now=now)
    assert data.job_counts["expiring"] >= 1 and len(data.expiring_offers) >= 1
    assert data.job_counts["overdue"] >= 1
    assert {group.error_code for group in data.analysis_failures} and all(
        group.count >= 1 for group in data.analysis_failures
    )
    assert DesignVersion.objects.filter(status=VersionStatus.FAILED).count() == 2
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.OPEN, ClaimStatus.REFUNDED}
    assert Refund.objects.filter(status=RefundStatus.SUCCEEDED, from_payout_of__isnull=False).count() == 1
    # deliveries by several makers, and charts with something to draw
    assert Job.objects.filter(status=JobStatus.SHIPPED).values("maker").distinct().count() >= 3
    assert sum(count for _day, count in data.orders_per_day) >= 30
    assert sum(1 for _day, count in data.orders_per_day if count) >= 25
    assert {stage.status for stage in data.stage_times} >= {
        OrderStatus.ROUTING,
        OrderStatus.IN_PRODUCTION,
        OrderStatus.SHIPPED,
    }
    assert all(stage.median_hours > 0 for stage in data.stage_times if stage.status != OrderStatus.CONFIRMED)
    assert data.sourcing.jobs >= 30 and data.sourcing.saved_kg > 0
    assert data.batches_by_status["open"] >= 1 and data.batches_by_status["completed"] >= 30
    assert data.maker_totals["active_jobs"] >= 3
    # offers waiting on several makers' boards, two on the README's maker's (Kreuzberg Print Lab)
    waiting = Job.objects.filter(status=JobStatus.OFFERED, offer_expires_at__gt=now)
    assert waiting.filter(maker__slug="kreuzberg-print-lab").count() == 2
    assert waiting.values("maker").distinct().count() >= 4
    # the older past's jobs were offered with estimates: the worker does not slice weeks-old jobs when the demo starts
    assert not Job.objects.filter(offered_at__lt=now - timedelta(days=8), print_slice__isnull=False).exists()
    if slicer_health() == "ok":  # the present's offers ask for theirs
        assert Job.objects.filter(status=JobStatus.OFFERED, print_slice__isnull=True).count() == 0
    # people read their notifications every few days: only those of the last three or four days are unread
    assert not Notification.objects.filter(read_at__isnull=True, created_at__lt=now - timedelta(days=4)).exists()
    assert (
        Notification.objects.filter(read_at__isnull=False).count()
        > Notification.objects.filter(read_at__isnull=True).count()
    )
    assert 0 < Notification.objects.filter(user__username="alice", read_at__isnull=True).count() <= 15
    assert not Notification.objects.filter(read_at__lt=F("created_at")).exists()
    # the past's e-mails are not sent again when the worker starts; the order paid a minute ago is dispatched by it
    assert not OutboxMessage.objects.filter(sent_at__isnull=True, task_name="core.notification_deliver").exists()
    confirmed = Order.objects.get(status=OrderStatus.CONFIRMED)
    message = OutboxMessage.objects.get(task_name="orders.order_dispatch", kwargs__order_id=confirmed.pk)
    assert message.sent_at > message.created_at  # published to the broker when the seed committed
    past = OutboxMessage.objects.filter(task_name="orders.order_dispatch").exclude(pk=message.pk)
    assert past.exists() and not past.exclude(sent_at=F("created_at")).exists()  # done by the simulation
    # payouts of old deliveries were released by the release service, recent ones are held
    assert LedgerEntry.objects.filter(kind="payout_released").exists()
    assert abs(timezone.now() - datetime.now(UTC)) < timedelta(seconds=5)  # the real clock is back

    # when it is seeded again, then nothing is added
    call_command("seed_demo", verbosity=0)
    assert counts() == first


@pytest.mark.parametrize("hour", [0.5, 3.3, 23.9])
def test_the_makers_boards_hold_the_present_offers_whatever_the_hour_it_is_seeded(live_queue, hour):
    # given the demo's people, makers and designs, seeded at an hour when the day's everyday order would still be
    # waiting for its maker if it were placed in the last hours (the morning after midnight, late at night)
    from web.demo.history import PRESENT_OFFERS, history_seed
    from web.management.commands.seed_demo import Command

    command = Command()
    users = command._users()
    command._addresses(users)
    command._materials()
    command._makers()
    command._designs(users)
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    now = midnight + timedelta(hours=hour)
    # when the past is written up to that moment
    history_seed(now=now)
    # then the offers waiting on the makers' boards are the present's, two on Kreuzberg Print Lab's: every everyday
    # order has been taken by then
    waiting = Job.objects.filter(status=JobStatus.OFFERED, offer_expires_at__gt=now)
    assert waiting.filter(maker__slug="kreuzberg-print-lab").count() == 2
    assert waiting.count() == len(PRESENT_OFFERS)
