"""The broker going away: requests still succeed and nothing queued is lost (a private Redis with AOF)."""

import time

import pytest
import requests

from core.models import OutboxMessage
from orders.models import Job, Order
from orders.services.dispatch import ORDER_DISPATCH_TASK
from tests.factories import MakerFactory, MaterialFactory, PrinterFactory, ReadyVersionFactory, UserFactory, api_key_for
from tests.money import BERLIN_ADDRESS, provider_event
from tests.reliability.cluster import Cluster, RedisServer
from tests.reliability.test_delivery import FAST
from tests.worker import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.kill()


@pytest.fixture
def cluster(redis, tmp_path, settings):
    running = Cluster(broker_url=redis.url, folder=tmp_path / "cluster", settings=settings, **FAST)
    running.start_web()
    yield running
    running.stop()


@pytest.fixture
def shop(db):
    """A customer in Berlin with ready parts, and a Berlin maker with room for many jobs."""
    pla = MaterialFactory()
    maker = MakerFactory(capacity=100)
    PrinterFactory(maker=maker, materials=[pla])
    customer = UserFactory(username="cleo")
    versions = [ReadyVersionFactory(design__owner=customer) for _ in range(20)]
    return customer, api_key_for(customer), versions


def place(cluster, token, version, *, confirm: bool) -> tuple[int, float]:
    headers = {"Authorization": f"Token {token}"}
    order = requests.post(
        f"{cluster.base_url}/api/orders/",
        headers=headers,
        timeout=30,
        json={
            "items": [{"design_version": version.pk, "material": "pla", "quantity": 1}],
            "ship_to": {"lat": 52.52, "lon": 13.405},
            "shipping_address": BERLIN_ADDRESS,
        },
    )
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    elapsed = 0.0
    if confirm:
        # The customer confirms, then the payment provider says paid: that webhook queues the dispatch.
        started = time.monotonic()
        answer = requests.post(f"{cluster.base_url}/api/orders/{order_id}/confirm/", headers=headers, timeout=30)
        assert answer.status_code == 200, answer.text
        payload, signature = provider_event(order_id)
        paid = requests.post(
            f"{cluster.base_url}/api/payments/webhooks/test/",
            data=payload,
            headers={**signature, "Content-Type": "application/json"},
            timeout=30,
        )
        elapsed = time.monotonic() - started
        assert paid.status_code == 200, paid.text
    return order_id, elapsed


def test_redis_down_when_an_order_is_confirmed(cluster, redis, shop):
    customer, token, versions = shop
    cluster.start_worker()
    cluster.start_beat()
    order_id, _ = place(cluster, token, versions[0], confirm=False)
    redis.stop()
    order_id, confirm_seconds = place(cluster, token, versions[1], confirm=True)
    # the API answered, fast, and the order is saved as confirmed
    assert confirm_seconds < 10
    assert Order.objects.get(pk=order_id).status == "confirmed"
    message = OutboxMessage.objects.get(task_name=ORDER_DISPATCH_TASK, kwargs={"order_id": order_id})
    assert message.sent_at is None and message.last_error
    # when Redis is back, the sweeper sends the dispatch and the order is routed
    redis.start()
    back = time.monotonic()
    wait_until(
        lambda: Order.objects.get(pk=order_id).status == "routing",
        timeout=120,
        message=f"dispatch after Redis came back\n{cluster.logs()}",
    )
    print(
        f"\n[reliability] broker down at confirm: answered in {confirm_seconds:.2f} s; dispatched "
        f"{time.monotonic() - back:.1f} s after Redis came back"
    )
    assert Job.objects.filter(order_id=order_id).count() == 1
    assert OutboxMessage.objects.get(pk=message.pk).sent_at is not None


def test_redis_crash_with_a_backlog_loses_nothing(cluster, redis, shop):
    customer, token, versions = shop
    order_ids = [place(cluster, token, version, confirm=True)[0] for version in versions]
    assert redis.queue_length("dispatch") == len(order_ids)  # no worker yet: a backlog
    redis.kill()  # a crash, not a clean shutdown: the append-only file must hold every message
    redis.start()
    assert redis.queue_length("dispatch") == len(order_ids)
    cluster.start_worker(concurrency=2)
    wait_until(
        lambda: Order.objects.filter(pk__in=order_ids, status="routing").count() == len(order_ids),
        timeout=180,
        message=f"the backlog to drain\n{cluster.logs()}",
    )
    print(f"\n[reliability] Redis crash with {len(order_ids)} queued dispatches: 0 lost")
    assert Job.objects.filter(order_id__in=order_ids).count() == len(order_ids)  # one job each, none twice
