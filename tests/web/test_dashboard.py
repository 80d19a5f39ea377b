"""The staff dashboard on a small known dataset: exact numbers, bounded queries, queue depths."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import OutboxMessage
from designs.models import DesignVersion
from orders.matching.geo import haversine_km
from orders.models import Batch, Job, JobItem, Order, OrderEvent, OrderItem
from tests.factories import ReadyVersionFactory
from tests.web.conftest import client_as
from web import queues
from web.dashboard import dashboard_data

pytestmark = pytest.mark.django_db

BERLIN = (52.52, 13.405)


@pytest.fixture(autouse=True)
def _no_worker(monkeypatch):
    from django.core.cache import cache

    cache.delete("web:worker-liveness")
    monkeypatch.setattr(queues, "check_worker", lambda timeout: "down: no worker answered")


def order_at(customer, when, *, status="routing"):
    order = Order.objects.create(
        customer=customer, status=status, ship_to_latitude=BERLIN[0], ship_to_longitude=BERLIN[1], total=Decimal("10")
    )
    Order.objects.filter(pk=order.pk).update(created_at=when)
    return order


def event(order, to_status, when, *, kind="status"):
    row = OrderEvent.objects.create(order=order, to_status=to_status, kind=kind)
    OrderEvent.objects.filter(pk=row.pk).update(created_at=when)


class Dataset:
    """Seven jobs in five batches, three failed analyses, two unsent outbox messages, four orders."""

    def __init__(self, customer, makers, materials, now):
        pla = materials["pla"]
        version = ReadyVersionFactory(design__owner=customer)
        self.order_a = order_at(customer, now)
        self.order_b = order_at(customer, now)
        order_at(customer, now - timedelta(days=3))
        order_at(customer, now - timedelta(days=40))
        item = OrderItem.objects.create(
            order=self.order_a,
            design_version=version,
            material=pla,
            quantity=1,
            unit_price=Decimal("10"),
            total_price=Decimal("10"),
            price_breakdown={"total_mass_g": 1000.0},
        )
        t0 = now - timedelta(hours=5)
        event(self.order_a, "placed", t0)
        event(self.order_a, "placed", t0 + timedelta(minutes=30), kind="note")  # a note is not a stage change
        event(self.order_a, "confirmed", t0 + timedelta(hours=1))
        event(self.order_a, "routing", t0 + timedelta(hours=1, minutes=30))
        event(self.order_b, "placed", t0)
        event(self.order_b, "confirmed", t0 + timedelta(hours=3))

        def batch(maker, status):
            return Batch.objects.create(maker=makers[maker], material=pla, status=status, joinable_until=now)

        berlin, munich = batch("berlin", "open"), batch("munich", "open")
        small, munich_production = batch("berlin_small", "in_production"), batch("munich", "in_production")
        paris = batch("paris", "completed")

        def job(batch_row, status, *, expires=timedelta(hours=4), due=timedelta(days=3), distance=5.0):
            row = Job.objects.create(
                order=self.order_a,
                batch=batch_row,
                maker=batch_row.maker,
                material=pla,
                status=status,
                quantity=1,
                offer_expires_at=now + expires,
                due_at=now + due,
                distance_km=distance,
            )
            JobItem.objects.create(job=row, order_item=item, quantity=1)
            return row

        self.expiring = job(berlin, "offered", expires=timedelta(minutes=30))
        job(berlin, "offered", expires=timedelta(hours=3))
        job(munich, "offered", expires=-timedelta(minutes=10))
        self.overdue = job(small, "accepted", due=-timedelta(days=1), distance=5.0)
        job(munich_production, "printing", due=timedelta(days=2), distance=15.0)
        job(paris, "shipped", due=-timedelta(days=2), distance=300.0)
        job(berlin, "declined")

        def failed(code, changed):
            row = ReadyVersionFactory(
                design__owner=customer, status="failed", analysis=None, error=f"{code} happened", error_code=code
            )
            DesignVersion.objects.filter(pk=row.pk).update(status_changed_at=changed)
            return row

        failed("unreadable", now - timedelta(days=10))
        self.latest_unreadable = failed("unreadable", now)
        failed("too_many_faces", now)
        OutboxMessage.objects.create(task_name="a", kwargs={})
        OutboxMessage.objects.create(task_name="b", kwargs={})
        OutboxMessage.objects.create(task_name="c", kwargs={}, sent_at=now)


@pytest.fixture
def dataset(customer, makers, materials):
    return Dataset(customer, makers, materials, timezone.now())


def test_the_dashboard_numbers_on_a_known_dataset(dataset):
    now = timezone.now()
    data = dashboard_data(now=now)
    assert data.batches_by_status == {"open": 2, "in_production": 2, "completed": 1, "cancelled": 0}
    assert [(b.maker.name, b.live_jobs) for b in data.active_batches] == [
        ("Munich Works", 1),
        ("Berlin Small", 1),
        ("Munich Works", 1),
        ("Berlin FDM", 2),
    ]
    assert data.job_counts == {"expiring": 1, "stale_offers": 1, "overdue": 1, "in_hand": 2}
    assert [job.pk for job in data.expiring_offers] == [dataset.expiring.pk]
    assert [job.pk for job in data.overdue_jobs] == [dataset.overdue.pk]
    assert [(g.error_code, g.count, g.last_week) for g in data.analysis_failures] == [
        ("unreadable", 2, 1),
        ("too_many_faces", 1, 1),
    ]
    assert data.analysis_failures[0].example == dataset.latest_unreadable
    assert data.outbox["count"] == 2
    per_day = dict(data.orders_per_day)
    assert len(data.orders_per_day) == 30
    assert (per_day[now.date()], per_day[now.date() - timedelta(days=3)], sum(per_day.values())) == (2, 1, 3)
    assert [(s.status, s.median_hours, s.orders) for s in data.stage_times] == [
        ("placed", 2.0, 2),
        ("confirmed", 0.5, 1),
    ]
    assert [(load.maker.name, load.active_jobs, load.capacity) for load in data.maker_loads] == [
        ("Berlin Small", 1, 1),
        ("Berlin FDM", 2, 3),
        ("Munich Works", 2, 3),
        ("Berlin Resin", 0, 3),
        ("Paris Atelier", 0, 3),
    ]
    assert data.maker_totals == {"makers": 5, "capacity": 13, "active_jobs": 5, "utilisation": 5 / 13}
    sourcing = data.sourcing
    assert (sourcing.jobs, sourcing.median_distance_km) == (3, 15.0)
    assert sourcing.distance_bands == [
        ("0-10 km", 1),
        ("10-25 km", 1),
        ("25-50 km", 0),
        ("50-100 km", 0),
        ("100-200 km", 0),
        ("over 200 km", 1),
    ]
    # 1 kg each: a van over 5 + 15 + 300 km (x 1.2 road circuity, 0.36 kg per t-km) plus 0.181 kg per parcel,
    # against a lorry (0.12366 kg per t-km) from the central factory to Berlin for each of the three parcels.
    assert sourcing.local_co2_kg == pytest.approx(0.001 * 320 * 1.2 * 0.36 + 3 * 0.181)
    factory_km = haversine_km(*BERLIN, settings.CENTRAL_FACTORY_LATITUDE, settings.CENTRAL_FACTORY_LONGITUDE)
    assert sourcing.central_co2_kg == pytest.approx(3 * (0.001 * factory_km * 1.2 * 0.12366 + 0.181))


def test_the_dashboard_page_shows_the_numbers(dataset, staff):
    response = client_as(staff).get("/dashboard/")
    page = response.content.decode()
    for stat, value in {
        "expiring-offers": 1,
        "stale-offers": 1,
        "overdue-jobs": 1,
        "jobs-in-hand": 2,
        "outbox": 2,
        "batches-open": 2,
        "batches-in_production": 2,
        "sourcing-jobs": 3,
        "median-distance": "15.0 km",
        "worker": "down",
    }.items():
        assert f'data-stat="{stat}">{value}<' in page
    assert (
        '<tr data-failure="unreadable"><td><code>unreadable</code></td><td class="num">2</td><td class="num">1</td>'
        in page
    )
    assert page.count('<rect class="bar" x=') == 30 + 2 + 5 + 6  # days, stages, makers, distance bands
    assert '<meta http-equiv="refresh" content="15">' in page
    assert 'data-live-url="/dashboard/live/" data-live-interval="15000"' in page


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/dashboard/live/").status_code == 200
    return len(captured.captured_queries)


def test_dashboard_queries_do_not_grow_with_rows(dataset, staff, customer, makers, materials):
    client = client_as(staff)
    few = count_queries(client)
    for _ in range(4):
        Dataset(customer, makers, materials, timezone.now())
    assert Job.objects.count() == 35
    many = count_queries(client)
    assert few == many
    # 18 reads of the dashboard, and the staff member's two-factor check (one query for their authenticator)
    assert many <= 19


def test_queue_depth_counts_the_filesystem_brokers_message_files(tmp_path, settings):
    settings.CELERY_BROKER_URL = "filesystem://localhost/"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(tmp_path),
    }
    for name in ("1_a.meshes.msg", "2_b.meshes.msg", "3_c.meshes.msg", "4_d.notify.msg", "5_e.celery.msg", "junk.txt"):
        (tmp_path / name).write_text("{}")
    depths = {depth.name: depth.messages for depth in queues.queue_depths()}
    assert depths == {"celery": 1, "meshes": 3, "slicing": 0, "dispatch": 0, "notify": 1}


def test_queue_depth_says_unknown_when_the_broker_cannot_be_read(tmp_path, settings):
    settings.CELERY_BROKER_URL = "filesystem://localhost/"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(tmp_path / "missing"),
    }
    depths = queues.queue_depths()
    assert [(d.name, d.messages) for d in depths] == [
        ("celery", None),
        ("meshes", None),
        ("slicing", None),
        ("dispatch", None),
        ("notify", None),
    ]
    assert depths[0].error.startswith("FileNotFoundError")


@pytest.mark.skipif(not settings.CELERY_BROKER_URL.startswith("redis"), reason="needs the Redis broker")
def test_queue_depth_reads_llen_of_each_redis_queue_and_its_priorities(settings):
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = ["meshes", "meshes\x06\x163", "notify"]
    try:
        client.delete(*keys, "celery", "slicing", "dispatch")
        client.rpush("meshes", "m1", "m2")
        client.rpush("meshes\x06\x163", "m3")
        client.rpush("notify", "n1")
        depths = {depth.name: depth.messages for depth in queues.queue_depths()}
    finally:
        client.delete(*keys)
    assert depths == {"celery": 0, "meshes": 3, "slicing": 0, "dispatch": 0, "notify": 1}


def test_worker_liveness_is_asked_once_per_period(monkeypatch):
    calls = []
    monkeypatch.setattr(queues, "check_worker", lambda timeout: calls.append(timeout) or "ok")
    assert [queues.worker_liveness(), queues.worker_liveness()] == ["ok", "ok"]
    assert calls == [1.0]
