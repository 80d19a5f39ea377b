from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import Notification, OutboxMessage
from orders.models import Batch, Job, JobEvent, Order, OrderEvent
from orders.services import jobs as job_services
from orders.services.dispatch import ORDER_DISPATCH_TASK, job_offers_expire, order_dispatch, orders_sweep_stuck
from orders.services.ordering import ItemRequest, order_confirm, order_place
from orders.services.quoting import ShipTo
from tests.factories import ReadyVersionFactory, UserFactory, cube_report
from tests.money import delivery, pay

pytestmark = pytest.mark.django_db

BERLIN = ShipTo(52.52, 13.405, "Berlin")
MUNICH = ShipTo(48.137, 11.575, "Munich")


def photo_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def confirmed_order(customer, version, *, ship_to=BERLIN, material="pla", quantity=2, colour=""):
    order = order_place(
        customer=customer,
        delivery=delivery(ship_to),
        items=[ItemRequest(design_version_id=version.pk, material_code=material, quantity=quantity, colour=colour)],
    )
    order_confirm(order_id=order.pk, actor=customer)
    pay(order.pk)
    return order


def member(maker):
    return maker.members.get()


def test_an_order_in_berlin_goes_to_a_berlin_maker_not_a_far_one(customer, version, makers):
    order = confirmed_order(customer, version)
    assert order_dispatch(order_id=order.pk) == "routing"
    job = Job.objects.get(order=order)
    assert job.maker == makers["berlin"]  # the reliable Berlin shop outranks the cheaper one-slot shop
    assert job.status == "offered"
    assert job.distance_km < 10
    assert job.quantity == 2
    assert job.offer_expires_at == pytest.approx(job.offered_at + timedelta(hours=4), abs=timedelta(seconds=5))
    assert set(job.match["items"][str(order.items.get().pk)]["score_parts"]) == {
        "distance",
        "co2",
        "lead_time",
        "reliability",
        "price",
    }
    assert Notification.objects.filter(user=member(makers["berlin"]), kind="job.offered").count() == 1


def test_an_order_in_munich_goes_to_munich(customer, version, makers):
    order = confirmed_order(customer, version, ship_to=MUNICH)
    order_dispatch(order_id=order.pk)
    assert Job.objects.get(order=order).maker == makers["munich"]


def test_dispatch_twice_makes_no_second_job(customer, version, makers):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    order_dispatch(order_id=order.pk)
    assert Job.objects.filter(order=order).count() == 1
    assert [e.to_status for e in OrderEvent.objects.filter(order=order)] == [
        "placed",
        "awaiting_payment",
        "confirmed",
        "routing",
    ]


def test_orders_confirmed_close_together_share_a_batch(customer, version, makers):
    first = confirmed_order(customer, version, quantity=3)
    second = confirmed_order(customer, version, quantity=4)
    order_dispatch(order_id=first.pk)
    order_dispatch(order_id=second.pk)
    jobs = list(Job.objects.filter(order__in=[first, second]))
    assert len({job.batch_id for job in jobs}) == 1
    batch = jobs[0].batch
    assert batch.maker == makers["berlin"]
    placements = [p for plate in batch.packing["plates"] for p in plate["placements"]]
    assert len(placements) == 7  # every copy of both orders is on the plate
    # 7 cubes of 20 mm (+5 mm spacing) fit one 250 x 210 plate
    assert batch.plates == 1
    assert 0 < batch.fill_ratio < 1
    assert batch.machine_hours > 0


def test_a_batch_outside_its_window_is_not_joined(customer, version, makers):
    first = confirmed_order(customer, version)
    order_dispatch(order_id=first.pk)
    Batch.objects.update(joinable_until=timezone.now() - timedelta(seconds=1))
    second = confirmed_order(customer, version)
    order_dispatch(order_id=second.pk)
    assert Batch.objects.count() == 2


def test_a_decline_offers_the_work_to_the_next_maker(customer, version, makers, django_capture_on_commit_callbacks):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    first = Job.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_decline(job_id=first.pk, actor=member(first.maker), reason="printer in maintenance")
    first.refresh_from_db()
    assert first.status == "declined" and first.decline_reason == "printer in maintenance"
    second = Job.objects.get(order=order, status="offered")
    assert second.maker != first.maker
    assert second.maker.city == "Berlin"
    assert Order.objects.get(pk=order.pk).status == "routing"


def test_an_unanswered_offer_expires_and_moves_on(customer, version, makers, django_capture_on_commit_callbacks):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    first = Job.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        assert job_offers_expire(now=timezone.now()) == 0  # not yet
        assert job_offers_expire(now=first.offer_expires_at + timedelta(seconds=1)) == 1
    first.refresh_from_db()
    assert first.status == "expired"
    assert JobEvent.objects.filter(job=first, to_status="expired", reason__contains="did not answer").exists()
    assert Job.objects.get(order=order, status="offered").maker != first.maker


def test_no_eligible_maker_left_puts_the_order_on_hold_and_tells_staff(
    customer, version, makers, staff, django_capture_on_commit_callbacks
):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    for _ in range(2):  # both Berlin PLA makers decline in turn
        job = Job.objects.get(order=order, status="offered")
        with django_capture_on_commit_callbacks(execute=True):
            job_services.job_decline(job_id=job.pk, actor=member(job.maker), reason="too busy")
    order.refresh_from_db()
    assert order.status == "on_hold"
    assert "no maker within 400 km" in order.hold_reason
    assert Notification.objects.filter(user=staff, kind="order.on_hold").count() == 1
    assert Notification.objects.filter(user=customer, kind="order.on_hold").count() == 1


def test_a_part_too_big_for_every_printer_holds_with_the_reason(customer, materials, makers):
    version = ReadyVersionFactory(design__owner=customer, analysis=cube_report(240.0))
    order = confirmed_order(customer, version, quantity=1)
    order_dispatch(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "on_hold"
    assert "does not fit" in order.hold_reason


def test_the_order_follows_its_jobs_to_shipped(customer, version, makers):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    actor = member(job.maker)
    job_services.job_accept(job_id=job.pk, actor=actor)
    assert Order.objects.get(pk=order.pk).status == "in_production"
    job_services.job_report_progress(job_id=job.pk, actor=actor, status="printing")
    assert Batch.objects.get(pk=job.batch_id).status == "in_production"
    job_services.job_report_progress(
        job_id=job.pk,
        actor=actor,
        status="printed",
        photo=SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg"),
    )
    job_services.job_report_progress(
        job_id=job.pk, actor=actor, status="shipped", tracking_number="1Z999", carrier="DHL"
    )
    order.refresh_from_db()
    assert order.status == "shipped"
    assert Batch.objects.get(pk=job.batch_id).status == "completed"
    assert [e.to_status for e in OrderEvent.objects.filter(order=order)] == [
        "placed",
        "awaiting_payment",
        "confirmed",
        "routing",
        "in_production",
        "shipped",
    ]
    assert [e.to_status for e in JobEvent.objects.filter(job=job)] == [
        "offered",
        "accepted",
        "printing",
        "printed",
        "shipped",
    ]
    job.maker.refresh_from_db()
    assert job.maker.jobs_shipped == 1


def test_a_failed_job_goes_back_to_routing(customer, version, makers, django_capture_on_commit_callbacks):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    job_services.job_accept(job_id=job.pk, actor=member(job.maker))
    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_fail(job_id=job.pk, actor=member(job.maker), reason="nozzle clogged, cannot finish")
    order.refresh_from_db()
    assert order.status == "routing"
    assert Job.objects.get(order=order, status="offered").maker != job.maker


def test_the_sweep_redispatches_an_order_whose_task_was_lost(customer, version, makers):
    order = confirmed_order(customer, version)
    Order.objects.filter(pk=order.pk).update(status_changed_at=timezone.now() - timedelta(minutes=10))
    before = OutboxMessage.objects.filter(task_name=ORDER_DISPATCH_TASK).count()
    assert orders_sweep_stuck() == 1
    assert OutboxMessage.objects.filter(task_name=ORDER_DISPATCH_TASK).count() == before + 1
    order_dispatch(order_id=order.pk)
    Order.objects.filter(pk=order.pk).update(status_changed_at=timezone.now() - timedelta(minutes=10))
    assert orders_sweep_stuck() == 0  # every part is held now


def test_the_maker_with_a_full_queue_is_skipped(customer, version, makers):
    # the one-slot Berlin shop becomes the only PLA maker near; fill its slot
    makers["berlin"].printers.update(is_online=False)
    someone = UserFactory()
    busy = confirmed_order(someone, ReadyVersionFactory(design__owner=someone), quantity=1)
    order_dispatch(order_id=busy.pk)
    assert Job.objects.get(order=busy).maker == makers["berlin_small"]
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "on_hold"
    assert "no free slot" in order.hold_reason
