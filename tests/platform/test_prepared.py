"""Reads compiled once and run again with new values (core/prepared.py) give what ``values()`` gives."""

from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from core.prepared import PreparedRead, read_together
from core.readcache import capture_reads
from orders.models import Job, OrderItem
from orders.services.dispatch import order_dispatch
from tests.orders.test_dispatch import confirmed_order

pytestmark = pytest.mark.django_db

FIELDS = (
    "id",
    "order_id",
    "unit_price",
    "price_breakdown",
    "created_at",
    "design_version__design__name",
    "risk_accepted",
)
ITEMS = PreparedRead(lambda order: OrderItem.objects.filter(order_id=order).order_by("id").values(*FIELDS))
ITEMS_OF = PreparedRead(lambda orders: OrderItem.objects.filter(order_id__in=orders).order_by("id").values(*FIELDS))
JOBS = PreparedRead(lambda order, maker: Job.objects.filter(order_id=order, maker_id=maker).values("id", "price"))


@pytest.fixture
def orders(customer, version, makers):
    placed = [confirmed_order(customer, version, quantity=quantity) for quantity in (1, 2, 3)]
    for order in placed:
        order_dispatch(order_id=order.pk)
    return placed


def test_rows_are_what_values_gives_whatever_the_values(orders):
    for order in orders:
        expected = list(OrderItem.objects.filter(order_id=order.pk).order_by("id").values(*FIELDS))
        assert ITEMS(order=order.pk) == expected
        assert isinstance(expected[0]["unit_price"], Decimal) and isinstance(expected[0]["price_breakdown"], dict)
    ids = [order.pk for order in orders]
    for chosen in (ids[:1], ids[:2], ids, ids[1:]):  # a list's length is part of the shape
        assert ITEMS_OF(orders=chosen) == list(
            OrderItem.objects.filter(order_id__in=chosen).order_by("id").values(*FIELDS)
        )
    job = Job.objects.get(order=orders[1])
    assert JOBS(order=orders[1].pk, maker=job.maker_id) == [{"id": job.pk, "price": job.price}]
    assert JOBS(order=orders[1].pk, maker=job.maker_id + 1000) == []  # the second value counts too


def test_nothing_found_and_ids_no_column_holds(orders):
    assert ITEMS(order=orders[-1].pk + 1000) == []
    with CaptureQueriesContext(connection) as queries:
        assert ITEMS(order=2**63) == [] and ITEMS(order=-1) == [] and ITEMS_OF(orders=[1, 2**64]) == []
    assert len(queries) == 0  # refused before the database, as Django refuses an id out of range


def test_compiled_once_per_connection_and_seen_by_the_read_cache(orders):
    ITEMS(order=orders[0].pk)
    compiled = len(connections["default"].__dict__["_prepared_reads"])
    with CaptureQueriesContext(connection) as queries, capture_reads() as capture:
        ITEMS(order=orders[1].pk)
        ITEMS(order=orders[2].pk)
    assert len(connections["default"].__dict__["_prepared_reads"]) == compiled
    assert len(queries) == 2  # counted like any read
    assert {"orders_orderitem", "designs_designversion", "designs_design"} <= capture.tables


def test_a_value_that_is_not_a_parameter_is_refused():
    unused = PreparedRead(lambda order: OrderItem.objects.values("id"))
    with pytest.raises(ValueError, match="each value must appear once"):
        unused(order=1)


def test_on_postgresql_prepared_once_per_session_unless_switched_off(orders, settings):
    def statements(read):
        with CaptureQueriesContext(connection) as queries:
            rows = [read(order=order.pk) for order in orders]
        assert rows == [
            list(OrderItem.objects.filter(order_id=order.pk).order_by("id").values(*FIELDS)) for order in orders
        ]
        return [query["sql"].split("*/")[-1].split()[0] for query in queries]

    prepared = statements(PreparedRead(ITEMS.build))
    settings.DATABASE_PREPARE_READS = False
    whole = statements(PreparedRead(ITEMS.build))
    if connection.vendor == "postgresql":
        assert prepared == ["PREPARE", "EXECUTE", "EXECUTE", "EXECUTE"]
    else:
        assert prepared == ["SELECT"] * 3
    assert whole == ["SELECT"] * 3


def test_reads_sent_together_answer_each_in_its_place(orders):
    ids = [order.pk for order in orders]
    job = Job.objects.get(order=orders[0])
    calls = [
        (ITEMS, {"order": ids[0]}),
        (ITEMS_OF, {"orders": ids}),
        (ITEMS, {"order": 2**63}),  # refused: no row, nothing sent
        (JOBS, {"order": ids[0], "maker": job.maker_id}),
        (ITEMS, {"order": ids[-1] + 1000}),  # nothing found
        (ITEMS, {"order": ids[2]}),
    ]
    together = read_together(*calls)
    assert together == [read(**values) for read, values in calls]
    assert [len(rows) for rows in together] == [1, 3, 0, 1, 0, 1]
    with CaptureQueriesContext(connection) as queries:
        read_together(*calls)
    assert len(queries) == 5  # the refused one is not sent
