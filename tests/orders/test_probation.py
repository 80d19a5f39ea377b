"""A new maker's probation and the holiday pause, as matching and dispatch see them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from makers.services import maker_set_paused
from orders.models import Job, JobStatus, Order, OrderStatus
from orders.services import claims
from orders.services import jobs as job_services
from orders.services.dispatch import order_dispatch
from orders.services.ordering import ItemRequest, order_confirm, order_mark_delivered, order_place
from orders.services.probation import maker_probation, maker_probation_review
from orders.services.quoting import ShipTo, maker_candidates
from tests.factories import MakerFactory, PrinterFactory, ReadyVersionFactory, UserFactory
from tests.money import delivery, pay

pytestmark = pytest.mark.django_db

BERLIN = ShipTo(52.52, 13.405, "Berlin")


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (90, 90, 90)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def new_maker(materials):
    """A maker fresh from its application: on probation, room for 5 jobs, one PLA printer in Berlin."""
    maker = MakerFactory(name="Fresh Prints", slug="fresh-prints", capacity=5, on_probation=True)
    PrinterFactory(maker=maker, materials=[materials["pla"]])
    user = UserFactory(username="fresh", role="maker")
    maker.members.add(user)
    return maker


def dispatched_order(customer) -> Order:
    version = ReadyVersionFactory(design__owner=customer)
    order = order_place(
        customer=customer,
        delivery=delivery(BERLIN),
        items=[ItemRequest(design_version_id=version.pk, material_code="pla", quantity=1, colour="")],
    )
    order_confirm(order_id=order.pk, actor=customer)
    pay(order.pk)
    order_dispatch(order_id=order.pk)
    return Order.objects.get(pk=order.pk)


def delivered(job: Job, *, customer) -> Job:
    maker_user = job.maker.members.get()
    job_services.job_accept(job_id=job.pk, actor=maker_user)
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="printing")
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="printed", photo=jpeg())
    job_services.job_report_progress(job_id=job.pk, actor=maker_user, status="shipped", tracking_number="T1")
    order_mark_delivered(order_id=job.order_id, actor=customer)
    return job


def test_a_maker_on_probation_holds_at_most_n_jobs(customer, new_maker, settings):
    settings.MAKER_PROBATION_MAX_JOBS = 2

    first, second, third = (dispatched_order(customer) for _ in range(3))

    assert Job.objects.filter(maker=new_maker, status=JobStatus.OFFERED).count() == 2
    assert [first.status, second.status] == [OrderStatus.ROUTING, OrderStatus.ROUTING]
    assert third.status == OrderStatus.ON_HOLD
    assert not Job.objects.filter(order=third).exists()


def test_the_probation_cap_counts_jobs_in_hand_until_shipped(customer, new_maker, settings):
    settings.MAKER_PROBATION_MAX_JOBS = 1
    settings.MAKER_PROBATION_DELIVERIES = 5
    job = Job.objects.get(order=dispatched_order(customer))
    assert dispatched_order(customer).status == OrderStatus.ON_HOLD  # one in hand: full

    delivered(job, customer=customer)

    assert Job.objects.get(order=dispatched_order(customer)).maker == new_maker  # shipped: room again
    assert maker_probation(new_maker).jobs_in_hand == 1


def test_a_maker_not_on_probation_takes_up_to_its_capacity(customer, new_maker, settings):
    settings.MAKER_PROBATION_MAX_JOBS = 2
    new_maker.on_probation = False
    new_maker.save(update_fields=["on_probation"])

    for _ in range(3):
        dispatched_order(customer)

    assert Job.objects.filter(maker=new_maker, status=JobStatus.OFFERED).count() == 3


def test_probation_lifts_after_m_deliveries_without_a_claim(customer, new_maker, settings):
    settings.MAKER_PROBATION_MAX_JOBS = 3
    settings.MAKER_PROBATION_DELIVERIES = 3
    jobs = [Job.objects.get(order=dispatched_order(customer)) for _ in range(3)]

    delivered(jobs[0], customer=customer)
    delivered(jobs[1], customer=customer)
    new_maker.refresh_from_db()
    assert new_maker.on_probation is True
    assert maker_probation(new_maker).clean_deliveries == 2

    delivered(jobs[2], customer=customer)

    new_maker.refresh_from_db()
    assert new_maker.on_probation is False


def test_a_claim_starts_the_count_again(customer, new_maker, settings):
    settings.MAKER_PROBATION_MAX_JOBS = 3
    settings.MAKER_PROBATION_DELIVERIES = 2
    first, second, third = (Job.objects.get(order=dispatched_order(customer)) for _ in range(3))
    delivered(first, customer=customer)
    claims.claim_open(order_id=first.order_id, customer=customer, reason="It broke.", photos=[jpeg()])

    delivered(second, customer=customer)

    new_maker.refresh_from_db()
    assert new_maker.on_probation is True
    assert maker_probation(new_maker).clean_deliveries == 1
    assert maker_probation_review(maker_id=new_maker.pk) is True

    delivered(third, customer=customer)

    new_maker.refresh_from_db()
    assert new_maker.on_probation is False


def test_a_paused_maker_gets_no_offers_and_keeps_its_jobs(customer, new_maker, makers):
    new_maker.on_probation = False
    new_maker.save(update_fields=["on_probation"])
    held = Job.objects.filter(order=dispatched_order(customer)).first()
    for maker in makers.values():
        maker_set_paused(maker=maker, paused=True)

    maker_set_paused(maker=new_maker, paused=True)
    order = dispatched_order(customer)

    assert order.status == OrderStatus.ON_HOLD
    assert [m.id for m in maker_candidates(ship_to=BERLIN, radius_km=400)] == []
    held.refresh_from_db()
    assert (held.maker, held.status) == (new_maker, JobStatus.OFFERED)

    maker_set_paused(maker=new_maker, paused=False)

    assert [m.id for m in maker_candidates(ship_to=BERLIN, radius_km=400)] == [new_maker.pk]
