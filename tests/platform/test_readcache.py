"""The read cache (core/readcache.py): kept API reads are served only while no table they read was written.

The reference in every comparison is the same request rendered with the cache switched off
(``READ_CACHE_SECONDS=0``): a kept answer must be byte for byte what a fresh render says at that moment, except the
countdown fields that move with the clock.
"""

import io
import threading
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import readcache
from designs.models import Design
from orders.models import Job, Order
from orders.services.dispatch import order_dispatch
from orders.services.jobs import job_accept, job_report_progress
from orders.services.ordering import ItemRequest, order_cancel, order_confirm, order_place
from orders.services.quoting import ShipTo
from tests.conftest import client_for
from tests.money import delivery, pay

pytestmark = pytest.mark.django_db

BERLIN = ShipTo(52.52, 13.405, "Berlin")


def fresh(client, path, settings, **headers):
    """The same request with the cache off: what the database says now."""
    seconds = settings.READ_CACHE_SECONDS
    settings.READ_CACHE_SECONDS = 0
    try:
        return client.get(path, **headers)
    finally:
        settings.READ_CACHE_SECONDS = seconds


def without_countdown(body):
    """A body with offers' ``seconds_left`` taken out (the clock moves between two requests), and the countdowns."""
    countdowns = []

    def strip(value):
        if isinstance(value, dict):
            if "seconds_left" in value:
                countdowns.append(value["seconds_left"])
            return {key: strip(item) for key, item in value.items() if key != "seconds_left"}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return strip(body), countdowns


def assert_same(kept_body, fresh_body, path):
    kept, kept_countdowns = without_countdown(kept_body)
    now, fresh_countdowns = without_countdown(fresh_body)
    assert kept == now, path
    assert len(kept_countdowns) == len(fresh_countdowns)
    for a, b in zip(kept_countdowns, fresh_countdowns, strict=True):
        assert (a is None) == (b is None) and (a is None or abs(a - b) <= 2), (path, a, b)


def same_as_fresh(client, path, settings):
    kept = client.get(path)
    assert kept.status_code == 200, kept.content
    assert_same(kept.json(), fresh(client, path, settings).json(), path)
    return kept


def placed_order(customer, version) -> Order:
    order = order_place(
        customer=customer,
        delivery=delivery(BERLIN),
        items=[ItemRequest(design_version_id=version.pk, material_code="pla", quantity=2)],
    )
    return order


def maker_client(job):
    return client_for(job.maker.members.get())


# Which statements write which tables -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('INSERT INTO "orders_order" ("status") VALUES (%s)', ["orders_order"]),
        ('UPDATE "orders_job" SET "status" = %s WHERE "orders_job"."id" = %s', ["orders_job"]),
        ('  delete from "designs_design" WHERE id = 1', ["designs_design"]),
        ('TRUNCATE "orders_order", "orders_job" RESTART IDENTITY CASCADE;', ["orders_order", "orders_job"]),
        ('SELECT "orders_order"."id" FROM "orders_order"', []),
        ("SAVEPOINT s1", []),
    ],
)
def test_the_tables_a_statement_writes(sql, tables):
    assert readcache.written_tables(sql) == tables


def test_every_write_path_changes_the_version_at_once_and_after_commit(customer, version):
    # given the version of the orders table
    before = readcache.table_versions(["orders_order"])["orders_order"]
    # when an order is written with queryset.update (no save(), no signal)
    order = placed_order(customer, version)
    middle = readcache.table_versions(["orders_order"])["orders_order"]
    Order.objects.filter(pk=order.pk).update(ship_to_label="Berlin Mitte")
    after = readcache.table_versions(["orders_order"])["orders_order"]
    # then each write gave the table a new version
    assert len({before, middle, after}) == 3


# Served from the cache, and never stale ----------------------------------------------------------------------


def test_a_repeated_read_costs_no_query_and_says_what_a_fresh_render_says(customer, version, makers, settings):
    order = placed_order(customer, version)
    client = client_for(customer)
    first = same_as_fresh(client, f"/api/orders/{order.pk}/", settings)
    # the second read of the same URL (the endpoint's tables are known after the first one) is kept ...
    second = client.get(f"/api/orders/{order.pk}/")
    with CaptureQueriesContext(connection) as queries:
        third = client.get(f"/api/orders/{order.pk}/")
    # ... and the third is answered from it: only the token check reaches the database
    assert third.status_code == 200
    assert third.content == second.content
    assert len(queries.captured_queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert third["ETag"].startswith('W/"')
    assert first.json() == third.json()


def test_a_kept_read_is_one_trip_to_the_cache_and_a_first_render_two(customer, version, makers, monkeypatch):
    order = placed_order(customer, version)
    client = client_for(customer)
    client.get(f"/api/orders/{order.pk}/")  # the endpoint learns its tables
    trips, inside = [], []

    def counted(name, original):
        def call(keys, *args, **kwargs):
            first = next(iter(keys)) if isinstance(keys, list | dict) else keys
            # the read cache's own trips (not throttles'), each once (a local cache's get_many calls get)
            if str(first).startswith(readcache.ENTRY_PREFIX) and not inside:
                trips.append(name)
            inside.append(name)
            try:
                return original(keys, *args, **kwargs)
            finally:
                inside.pop()

        return call

    for name in ("get", "get_many", "set"):
        monkeypatch.setattr(readcache.cache, name, counted(name, getattr(readcache.cache, name)))
    other = placed_order(customer, version)
    trips.clear()
    assert client.get(f"/api/orders/{other.pk}/").status_code == 200
    # the entry and the versions of the tables the endpoint reads in one read, then the new entry kept
    assert trips == ["get_many", "set"]
    trips.clear()
    assert client.get(f"/api/orders/{other.pk}/").status_code == 200
    assert trips == ["get_many"]  # kept: the entry and the versions it was rendered at, together


def test_a_whole_order_life_reads_the_same_as_fresh_renders_at_every_step(customer, version, makers, settings):
    # given a customer and (later) a maker reading their pages after every step of an order's life
    client = client_for(customer)
    order = placed_order(customer, version)
    customer_paths = ["/api/orders/", f"/api/orders/{order.pk}/", "/api/designs/", f"/api/designs/{version.design_id}/"]

    def check_customer():
        for path in customer_paths:
            same_as_fresh(client, path, settings)
            same_as_fresh(client, path, settings)  # kept now, and still right

    check_customer()
    order_confirm(order_id=order.pk, actor=customer)
    check_customer()
    pay(order.pk)
    check_customer()
    order_dispatch(order_id=order.pk)
    check_customer()
    job = Job.objects.get(order=order)
    maker = maker_client(job)
    maker_paths = ["/api/maker/jobs/?status=offered", "/api/maker/jobs/", f"/api/maker/jobs/{job.pk}/"]

    def check_maker():
        for path in maker_paths:
            for _ in range(2):
                kept = maker.get(path)
                assert kept.status_code == 200
                assert_same(kept.json(), fresh(maker, path, settings).json(), path)

    check_maker()
    job_accept(job_id=job.pk, actor=job.maker.members.get())
    check_maker()
    check_customer()
    job_report_progress(job_id=job.pk, actor=job.maker.members.get(), status="printing")
    check_maker()
    check_customer()
    # a rename written with a bare queryset update shows at once too
    Design.objects.filter(pk=version.design_id).update(name="Renamed cube")
    assert client.get(f"/api/designs/{version.design_id}/").json()["name"] == "Renamed cube"
    check_customer()


def test_one_callers_kept_read_is_never_anothers(customer, other_customer, version, makers):
    order = placed_order(customer, version)
    owner, other = client_for(customer), client_for(other_customer)
    for _ in range(3):
        assert owner.get(f"/api/orders/{order.pk}/").status_code == 200
    # the other customer asks for the same URL: refused as before, not served the owner's kept body
    assert other.get(f"/api/orders/{order.pk}/").status_code == 404
    assert other.get("/api/orders/").json()["count"] == 0


def test_the_host_is_part_of_what_is_kept(customer, version, makers, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "api.example.org"]
    version.thumbnail.save("thumb.png", ContentFile(b"png"))
    # absolute file URLs carry the host the caller used: a body kept for one host is not served to another
    client = client_for(customer)
    for _ in range(3):
        client.get(f"/api/designs/{version.design_id}/")
    other_host = client.get(f"/api/designs/{version.design_id}/", HTTP_HOST="api.example.org")
    assert (
        other_host.json()
        == fresh(client, f"/api/designs/{version.design_id}/", settings, HTTP_HOST="api.example.org").json()
    )
    assert "api.example.org" in other_host.content.decode()


# Conditional GET ---------------------------------------------------------------------------------------------


def test_if_none_match_answers_304_until_the_data_changes(customer, version, makers):
    order = placed_order(customer, version)
    client = client_for(customer)
    client.get(f"/api/orders/{order.pk}/")
    first = client.get(f"/api/orders/{order.pk}/")
    etag = first["ETag"]
    # when the client asks again with the ETag and nothing changed
    with CaptureQueriesContext(connection) as queries:
        unchanged = client.get(f"/api/orders/{order.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert len(queries.captured_queries) == 1
    # when the order changes, the same ETag gets the new body
    order_cancel(order_id=order.pk, actor=customer)
    changed = client.get(f"/api/orders/{order.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["status"] == "cancelled"
    assert changed["ETag"] != etag


def test_a_maker_poll_with_nothing_new_is_a_304(customer, version, makers):
    order = placed_order(customer, version)
    order_confirm(order_id=order.pk, actor=customer)
    pay(order.pk)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    maker = maker_client(job)
    maker.get("/api/maker/jobs/?status=offered")
    etag = maker.get("/api/maker/jobs/?status=offered")["ETag"]
    assert maker.get("/api/maker/jobs/?status=offered", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # another order offered to the same maker: the poll sees it
    second = placed_order(customer, version)
    order_confirm(order_id=second.pk, actor=customer)
    pay(second.pk)
    order_dispatch(order_id=second.pk)
    new = maker.get("/api/maker/jobs/?status=offered", HTTP_IF_NONE_MATCH=etag)
    if Job.objects.filter(order=second, maker=job.maker).exists():
        assert new.status_code == 200
        assert {row["id"] for row in new.json()["results"]} >= {job.pk}


def test_a_kept_offer_still_counts_down(customer, version, makers, monkeypatch):
    order = placed_order(customer, version)
    order_confirm(order_id=order.pk, actor=customer)
    pay(order.pk)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    maker = maker_client(job)
    maker.get(f"/api/maker/jobs/{job.pk}/")
    now = maker.get(f"/api/maker/jobs/{job.pk}/").json()["seconds_left"]
    # ten minutes later, nothing written: the kept body's countdown moved with the clock
    later = timezone.now() + timedelta(minutes=10)
    monkeypatch.setattr("orders.api.serializers.timezone.now", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        kept = maker.get(f"/api/maker/jobs/{job.pk}/").json()
    # answered from the cache: only the token check (and its once-a-minute "last used" stamp) reached the database
    assert [query["sql"] for query in queries.captured_queries if "accounts_apitoken" not in query["sql"]] == []
    assert now - 601 <= kept["seconds_left"] <= now - 599
    listed = maker.get("/api/maker/jobs/?status=offered").json()["results"]
    assert [row["seconds_left"] for row in listed if row["id"] == job.pk] == [kept["seconds_left"]]


# Writes from elsewhere ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_by_another_connection_makes_the_kept_read_go(customer, version, makers):
    # given a kept read (a real commit, as on a server: no test transaction around it)
    client = client_for(customer)
    path = f"/api/designs/{version.design_id}/"
    for _ in range(2):
        assert client.get(path).json()["name"] == "Cube"

    # when another thread (its own database connection, as a Celery worker would have) commits a change
    def worker():
        try:
            with transaction.atomic():
                Design.objects.filter(pk=version.design_id).update(name="Cube, from the worker")
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    # then the next read says so
    assert client.get(path).json()["name"] == "Cube, from the worker"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_the_answer_right(customer, version, makers, settings):
    client = client_for(customer)
    path = f"/api/designs/{version.design_id}/"
    same_as_fresh(client, path, settings)
    with pytest.raises(RuntimeError), transaction.atomic():
        Design.objects.filter(pk=version.design_id).update(name="never")
        raise RuntimeError
    assert same_as_fresh(client, path, settings).json()["name"] == "Cube"


def test_clear_makes_every_kept_read_go(customer, version, makers):
    client = client_for(customer)
    for _ in range(2):
        client.get("/api/designs/")
    # a change the platform cannot see (straight SQL without Django's cursor wrappers is simulated by
    # writing the version keys back: here, by clearing after a raw change)
    with connection.cursor() as cursor:
        cursor.db.execute_wrappers.clear()
        cursor.execute("UPDATE designs_design SET name = 'outside' WHERE id = %s", [version.design_id])
    readcache.install(connection=connection)
    assert "every kept read will be rendered afresh" in call_command_output("readcache_clear")
    assert client.get("/api/designs/").json()["results"][0]["name"] == "outside"


def call_command_output(name: str) -> str:
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue()
