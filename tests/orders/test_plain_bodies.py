"""The order and job read bodies built from plain rows (orders/api/bodies.py) are the serializers' bodies, byte for
byte: every field, every shape (counter-offers with top-ups, slices done, dropping the part or failed, photos,
payments, invoices, the agent's fields), for the customer, staff and the maker; in a fixed number of queries."""

import json
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from billing.models import Invoice, Payment
from makers.models import Printer
from orders import selectors
from orders.api import bodies
from orders.api.serializers import JobListSerializer, JobSerializer, OrderListSerializer, OrderSerializer
from orders.models import Job, JobEvent, Order, OrderEvent, OrderItem
from orders.services import jobs as job_services
from orders.services.counteroffers import counter_offer_answer, counter_offer_make
from orders.services.dispatch import order_dispatch
from slicing.models import Slice, SliceStatus
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.orders.test_agent_api import sliced_job
from tests.orders.test_counter_offers import offered_job
from tests.orders.test_dispatch import confirmed_order, member
from tests.orders.test_maker_api import png_bytes

pytestmark = pytest.mark.django_db


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def assert_order_bodies_are_the_serializers(user, order_ids) -> int:
    """Each order's plain body against OrderSerializer's, as ``user`` sees it; returns how many were compared."""
    compared = 0
    for order in selectors.orders_visible_to(user).filter(pk__in=order_ids):
        body = bodies.order_body(user, order.pk)
        expected = rendered(OrderSerializer(order).data)
        assert json.loads(rendered(body)) == json.loads(expected), order.pk
        assert rendered(body) == expected, order.pk  # the same keys in the same order
        compared += 1
    if user.is_staff or user.is_customer:  # and the list endpoint, every page of it
        listed = selectors.orders_visible_to(user, detail=False)
        body = client_for(user).get("/api/orders/", {"page_size": 100}).json()
        assert body["count"] == listed.count()
        assert body["results"] == json.loads(rendered(OrderListSerializer(listed[:100], many=True).data))
    return compared


def assert_job_bodies_are_the_serializers(user) -> int:
    """Every job of ``user``'s maker: the detail and list bodies against JobSerializer's and JobListSerializer's."""
    jobs = list(selectors.jobs_for_maker(user, detail=True))
    for job in jobs:
        detail = bodies.job_body(user, job.pk)
        expected = rendered(JobSerializer(job).data)
        assert json.loads(rendered(detail)) == json.loads(expected), job.pk
        assert rendered(detail) == expected, job.pk
    listed = bodies.job_bodies(selectors.jobs_of_maker(user), detail=False)
    assert rendered(listed) == rendered(JobListSerializer(jobs, many=True).data)
    # and the list endpoint, paged and filtered
    page = client_for(user).get("/api/maker/jobs/", {"page_size": 100, "status": ["offered", "accepted"]}).json()
    wanted = [job for job in jobs if job.status in ("offered", "accepted")]
    assert page["count"] == len(wanted)
    assert page["results"] == json.loads(rendered(JobListSerializer(wanted, many=True).data))
    return len(jobs)


def frozen():
    """The offers' countdown (seconds_left) moves with the clock: both bodies are taken at the same instant."""
    return mock.patch("django.utils.timezone.now", return_value=timezone.now())


def test_orders_and_jobs_of_every_shape(customer, version, makers, staff):
    # an order whose maker answered with a higher price, accepted by the customer, the top-up still unpaid
    rise = offered_job(customer, version)
    counter_offer = counter_offer_make(
        job_id=rise.pk, actor=member(rise.maker), price=rise.price + Decimal("5.55"), message="thicker walls"
    )
    counter_offer_answer(counter_offer_id=counter_offer.pk, actor=customer, accept=True)
    # an accepted job with a done slice on a named printer, the agent's progress, and a photo
    held = confirmed_order(customer, version)
    order_dispatch(order_id=held.pk)
    job = Job.objects.get(order=held)
    job_services.job_accept(job_id=job.pk, actor=member(job.maker))
    job = sliced_job(job)
    printer = Printer.objects.filter(maker=job.maker).first()
    Job.objects.filter(pk=job.pk).update(
        printer=printer, print_state="printing", progress={"percent": 41.5, "layer": 12}, actual_seconds=61.25
    )
    job.photo.save("parts.png", ContentFile(png_bytes()))
    # offers whose slices dropped part of the model, or failed
    dropped = offered_job(customer, version)
    failed = offered_job(customer, version)
    for target, fields in (
        (dropped, {"drops_part": True, "drop_reason": "the slicer left out 12 % of the part"}),
        (failed, {"status": SliceStatus.FAILED, "error": "PrusaSlicer stopped: empty layers"}),
    ):
        part_slice = Slice.objects.create(
            design_version=version,
            material=target.material,
            printer_profile="PrusaResearch/MK4/0.4",
            copies=2 + target.pk,
            status=fields.pop("status", SliceStatus.DONE),
            print_time_s=5400.0,
            **fields,
        )
        Job.objects.filter(pk=target.pk).update(print_slice=part_slice)
    # a reorder of an item, and a payment still pending with its checkout
    item = OrderItem.objects.filter(order=held).first()
    OrderItem.objects.filter(pk=item.pk).update(reorder_of=item, colour="orange", parameters={"width": 12.5})
    Payment.objects.filter(order_id=rise.order_id, purpose="order").update(
        status="failed", failure_message="card declined", checkout_url="https://pay.example/abc"
    )
    order_ids = [rise.order_id, held.pk, dropped.order_id, failed.order_id]
    assert Invoice.objects.filter(order_id__in=order_ids).exists()

    nobody = UserFactory(username="eve")
    seen = 0
    with frozen():
        assert assert_order_bodies_are_the_serializers(customer, order_ids) == 4
        assert assert_order_bodies_are_the_serializers(staff, order_ids) == 4
        assert assert_order_bodies_are_the_serializers(nobody, order_ids) == 0
        for maker in {job.maker for job in Job.objects.filter(order_id__in=order_ids).select_related("maker")}:
            seen += assert_job_bodies_are_the_serializers(member(maker))
    assert seen == Job.objects.filter(order_id__in=order_ids).count() >= 4


def test_the_bodies_read_in_a_fixed_number_of_queries(customer, version, makers, settings):
    settings.READ_CACHE_SECONDS = 0  # every request renders

    def queries(path, user):
        client = client_for(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        # the token check's stamp of last use is written at most once a minute, and a read's PREPARE once per
        # database session: neither is the body's
        return [
            query["sql"].split(" FROM ", 1)[1].split()[0]
            for query in captured
            if "apitoken" not in query["sql"] and not query["sql"].startswith("PREPARE ")
        ]

    job = offered_job(customer, version)
    maker = member(job.maker)
    small = queries(f"/api/orders/{job.order_id}/", customer), queries(f"/api/maker/jobs/{job.pk}/", maker)
    # a counter-offer (withdrawn when the maker accepts the offer as it was) and longer timelines
    counter_offer_make(job_id=job.pk, actor=maker, price=job.price + Decimal("1.00"))
    job_services.job_accept(job_id=job.pk, actor=maker)
    for number in range(3):
        OrderEvent.objects.create(
            order_id=job.order_id, from_status="confirmed", to_status="confirmed", reason=f"{number}"
        )
        JobEvent.objects.create(job=job, from_status="accepted", to_status="accepted", reason=f"{number}")
    large = queries(f"/api/orders/{job.order_id}/", customer), queries(f"/api/maker/jobs/{job.pk}/", maker)
    assert large == small
    # one read per kind of row, besides the token check
    assert sorted(small[0]) == sorted(
        f'"{table}"'
        for table in (
            "orders_order",
            "orders_orderitem",
            "billing_payment",
            "billing_invoice",
            "orders_job",
            "orders_counteroffer",
            "orders_orderevent",
        )
    )
    assert sorted(small[1]) == ['"orders_counteroffer"', '"orders_job"', '"orders_jobevent"', '"orders_jobitem"']


def test_someone_elses_order_or_job_is_404_as_before(customer, version, makers, other_customer):
    job = offered_job(customer, version)
    assert client_for(other_customer).get(f"/api/orders/{job.order_id}/").status_code == 404
    other_maker = next(maker for maker in makers.values() if maker.pk != job.maker_id)
    assert client_for(member(other_maker)).get(f"/api/maker/jobs/{job.pk}/").status_code == 404
    assert client_for(customer).get(f"/api/orders/{2**63 - 1}/").status_code == 404
    assert client_for(customer).get(f"/api/orders/{job.order_id}/").json()["id"] == job.order_id


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_order_and_job_of_the_demo(live_queue):
    call_command("seed_demo", verbosity=0)
    orders = Order.objects.select_related("customer")
    staff = UserFactory(username="auditor", is_staff=True)
    with frozen():
        assert_the_demo(orders, staff)
    assert timedelta(0) < timezone.now() - orders.order_by("created_at").first().created_at


def assert_the_demo(orders, staff):
    assert assert_order_bodies_are_the_serializers(staff, orders.values_list("pk", flat=True)) == orders.count()
    for customer in {order.customer for order in orders}:
        own = orders.filter(customer=customer).values_list("pk", flat=True)
        assert assert_order_bodies_are_the_serializers(customer, own) == len(own)
    jobs = Job.objects.select_related("maker")
    assert sum(assert_job_bodies_are_the_serializers(member(maker)) for maker in {job.maker for job in jobs}) == (
        jobs.count()
    )
