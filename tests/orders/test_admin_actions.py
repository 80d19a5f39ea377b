"""The orders' admin actions through the changelist's POST: "Dispatch again" queues dispatch for each selected
order (what dispatch then does depends on the order), "Re-route to another maker" takes each selected job from its
maker through job_reroute and reports the ones it refuses. ("Cancel" is in tests/platform/test_admin.py.)"""

import pytest

from core.models import OutboxMessage
from orders.models import Job, JobEvent, OrderEvent
from orders.services import jobs as job_services
from orders.services.dispatch import ORDER_DISPATCH_TASK, order_dispatch
from orders.services.ordering import ItemRequest, order_place
from tests.admin_actions import run_action, staff_member  # noqa: F401 - fixture
from tests.factories import PrinterFactory
from tests.money import delivery
from tests.orders.test_dispatch import BERLIN, confirmed_order, member

pytestmark = pytest.mark.django_db


def _held(customer, version, capture):
    order = confirmed_order(customer, version, ship_to=BERLIN)
    order_dispatch(order_id=order.pk)
    for _ in range(2):
        job = Job.objects.get(order=order, status="offered")
        with capture(execute=True):
            job_services.job_decline(job_id=job.pk, actor=member(job.maker), reason="too busy")
    order.refresh_from_db()
    assert order.status == "on_hold"
    return order


def test_dispatch_again_queues_dispatch_for_each_selected_order(
    staff_member,  # noqa: F811
    customer,
    version,
    makers,
    materials,
    django_capture_on_commit_callbacks,
):
    held = _held(customer, version, django_capture_on_commit_callbacks)
    placed = order_place(
        customer=customer,
        delivery=delivery(),
        items=[ItemRequest(design_version_id=version.pk, material_code="pla", quantity=1)],
    )
    PrinterFactory(maker=makers["berlin_resin"], materials=[materials["pla"]])  # a Berlin maker now loads PLA
    OutboxMessage.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        status, shown = run_action(staff_member, "/admin/orders/order/", "dispatch_again", [held.pk, placed.pk])

    assert (status, shown) == (200, ["Dispatch queued for 2 order(s)."])
    assert sorted(
        OutboxMessage.objects.filter(task_name=ORDER_DISPATCH_TASK).values_list("kwargs", flat=True),
        key=lambda kwargs: kwargs["order_id"],
    ) == [{"order_id": held.pk}, {"order_id": placed.pk}]
    held.refresh_from_db()
    assert (held.status, held.hold_reason) == ("routing", "")
    assert Job.objects.get(order=held, status="offered").maker == makers["berlin_resin"]
    placed.refresh_from_db()
    assert placed.status == "placed"  # dispatch leaves an unpaid order alone
    assert list(OrderEvent.objects.filter(order=placed).values_list("to_status", flat=True)) == ["placed"]


def test_reroute_takes_each_job_from_its_maker_and_reports_the_ones_it_cannot(
    staff_member,  # noqa: F811
    customer,
    version,
    makers,
    django_capture_on_commit_callbacks,
):
    offered_order = confirmed_order(customer, version, ship_to=BERLIN)
    order_dispatch(order_id=offered_order.pk)
    offered = Job.objects.get(order=offered_order)
    printing_order = confirmed_order(customer, version, ship_to=BERLIN)
    order_dispatch(order_id=printing_order.pk)
    printing = Job.objects.get(order=printing_order)
    job_services.job_accept(job_id=printing.pk, actor=member(printing.maker))
    job_services.job_report_progress(job_id=printing.pk, actor=member(printing.maker), status="printing")

    with django_capture_on_commit_callbacks(execute=True):
        status, shown = run_action(staff_member, "/admin/orders/job/", "reroute", [offered.pk, printing.pk])

    assert status == 200
    assert shown == [
        f"Job {printing.pk} ({printing.maker.name}, order {printing_order.pk}): The job is printing and cannot "
        "become cancelled. Allowed next: accepted, failed, printed.",
        "1 job(s) re-routed.",
    ]
    offered.refresh_from_db()
    assert offered.status == "cancelled"
    event = JobEvent.objects.filter(job=offered).last()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        "offered",
        "cancelled",
        staff_member,
        "re-routed by staff",
    )
    next_offer = Job.objects.get(order=offered_order, status="offered")
    assert next_offer.maker != offered.maker
    assert Job.objects.get(pk=printing.pk).status == "printing"
    assert Job.objects.filter(order=printing_order).count() == 1
