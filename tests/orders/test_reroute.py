"""Staff re-route (orders.services.jobs.job_reroute): the job is cancelled with an event by the staff member, its
parts are offered to the next maker, and the maker it was taken from is not offered them again (dispatch skips
makers whose job for an item was dropped, cancelled included)."""

import pytest

from core.errors import TransitionNotAllowed
from orders.models import Batch, Job, JobEvent, Order
from orders.services import jobs as job_services
from orders.services.dispatch import order_dispatch
from tests.orders.test_dispatch import BERLIN, confirmed_order, member

pytestmark = pytest.mark.django_db


def test_reroute_cancels_the_job_as_staff_and_offers_the_parts_to_the_next_maker(
    customer, version, makers, staff, django_capture_on_commit_callbacks
):
    order = confirmed_order(customer, version, ship_to=BERLIN)
    order_dispatch(order_id=order.pk)
    first = Job.objects.get(order=order)
    assert first.maker == makers["berlin"]

    with django_capture_on_commit_callbacks(execute=True):
        job = job_services.job_reroute(job_id=first.pk, actor=staff, reason="the shop is closed this week")

    assert job.status == "cancelled"
    event = JobEvent.objects.filter(job=first).last()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        "offered",
        "cancelled",
        staff,
        "the shop is closed this week",
    )
    assert Batch.objects.get(pk=first.batch_id).status == "cancelled"  # its only job is gone
    second = Job.objects.get(order=order, status="offered")
    assert second.maker == makers["berlin_small"]
    assert (second.quantity, Order.objects.get(pk=order.pk).status) == (2, "routing")


def test_an_accepted_job_can_be_rerouted_and_its_maker_is_not_asked_again(
    customer, version, makers, staff, django_capture_on_commit_callbacks
):
    order = confirmed_order(customer, version, ship_to=BERLIN)
    order_dispatch(order_id=order.pk)
    first = Job.objects.get(order=order)
    job_services.job_accept(job_id=first.pk, actor=member(first.maker))
    assert Order.objects.get(pk=order.pk).status == "in_production"
    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_reroute(job_id=first.pk, actor=staff)
    second = Job.objects.get(order=order, status="offered")
    assert JobEvent.objects.filter(job=first).last().reason == "re-routed by staff"  # the default reason

    # when staff re-route the second maker's offer too: the only other Berlin PLA maker is the first one
    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_reroute(job_id=second.pk, actor=staff)

    order.refresh_from_db()
    assert order.status == "on_hold"  # not back to Berlin FDM
    assert order.hold_reason == f"no maker within 400 km can make item {order.items.get().pk} (PLA)"
    assert list(Job.objects.filter(order=order).order_by("id").values_list("maker__slug", "status")) == [
        ("berlin-fdm", "cancelled"),
        ("berlin-small", "cancelled"),
    ]


def test_a_job_in_production_cannot_be_rerouted(customer, version, makers, staff):
    order = confirmed_order(customer, version, ship_to=BERLIN)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    job_services.job_accept(job_id=job.pk, actor=member(job.maker))
    job_services.job_report_progress(job_id=job.pk, actor=member(job.maker), status="printing")
    events = JobEvent.objects.filter(job=job).count()

    with pytest.raises(TransitionNotAllowed) as refused:
        job_services.job_reroute(job_id=job.pk, actor=staff)

    assert (
        str(refused.value)
        == "The job is printing and cannot become cancelled. Allowed next: accepted, failed, printed."
    )
    assert Job.objects.get(pk=job.pk).status == "printing"
    assert JobEvent.objects.filter(job=job).count() == events
    assert Job.objects.filter(order=order).count() == 1
