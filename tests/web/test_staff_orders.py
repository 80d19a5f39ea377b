"""Staff: the orders on hold and the staff order page, reached from the "order on hold" notification; its actions
(dispatch again, cancel with the refund, re-route a job) go through the order services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from billing.models import Refund
from core.models import Notification, OutboxMessage
from orders.models import Job, JobEvent, Order, OrderEvent
from orders.selectors import orders_on_hold
from orders.services import jobs as job_services
from orders.services.dispatch import ORDER_DISPATCH_TASK, order_dispatch
from orders.services.ordering import ItemRequest, order_place
from tests.factories import PrinterFactory, ReadyVersionFactory
from tests.money import delivery
from tests.web.conftest import client_as, confirmed_order

pytestmark = pytest.mark.django_db


def _declined_by_both_berlin_makers(order, capture) -> None:
    """Both Berlin PLA makers turn the order down; Munich and Paris are too far: dispatch holds it."""
    for reason in ("too busy this week", "out of white PLA"):
        job = Job.objects.get(order=order, status="offered")
        with capture(execute=True):
            job_services.job_decline(job_id=job.pk, actor=job.maker.members.get(), reason=reason)


@pytest.fixture
def held(world, django_capture_on_commit_callbacks):
    """world.order (carol's, paid), declined by Berlin FDM and then Berlin Small: on hold."""
    _declined_by_both_berlin_makers(world.order, django_capture_on_commit_callbacks)
    world.order.refresh_from_db()
    assert world.order.status == "on_hold"
    return world


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_on_hold_notification_links_to_a_staff_page_that_opens(held):
    order = held.order
    notification = Notification.objects.get(user=held.staff, kind="order.on_hold")

    response = client_as(held.staff).get(notification.link)

    assert notification.link == f"/dashboard/orders/{order.pk}/"
    assert notification.subject == f"Order {order.pk} is on hold: no maker"
    assert order.hold_reason == f"no maker within 400 km can make item {order.items.get().pk} (PLA)"
    assert notification.body == order.hold_reason
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>Order {order.pk} " in page
    assert order.hold_reason in page
    assert "too busy this week" in page and "out of white PLA" in page
    assert page.count('data-status="declined"') == 2 + 2  # each job's badge, and each decline in the timeline
    assert f'action="/dashboard/orders/{order.pk}/dispatch/"' in page
    assert f'action="/dashboard/orders/{order.pk}/cancel/"' in page
    assert "/reroute/" not in page  # both jobs are declined: nothing to take away


def test_the_staff_order_page_is_nobody_elses(held):
    link = Notification.objects.get(user=held.staff, kind="order.on_hold").link
    for user in (held.customer, held.other_customer, held.maker, held.other_maker):
        assert client_as(user).get(link).status_code == 404
    anonymous = client_as(None).get(link)
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/login/?next={link}")
    assert client_as(held.staff).get("/dashboard/orders/999999/").status_code == 404


def test_the_on_hold_list_shows_the_longest_waiting_first_with_reason_and_what_dispatch_tried(
    held, django_capture_on_commit_callbacks
):
    # given a second held order, from another customer, that has waited longer, and an order that is routing
    newer = held.order
    older = confirmed_order(held.other_customer, ReadyVersionFactory(design__owner=held.other_customer), quantity=1)
    order_dispatch(order_id=older.pk)
    _declined_by_both_berlin_makers(older, django_capture_on_commit_callbacks)
    Order.objects.filter(pk=older.pk).update(status_changed_at=timezone.now() - timedelta(hours=5))
    routing = confirmed_order(held.customer, held.version, quantity=1)
    order_dispatch(order_id=routing.pk)

    response = client_as(held.staff).get("/dashboard/orders/on-hold/")

    assert response.status_code == 200
    page = response.content.decode()
    assert [order.pk for order in response.context["orders"]] == [older.pk, newer.pk]
    assert page.index(f'data-order="{older.pk}"') < page.index(f'data-order="{newer.pk}"')
    assert f'data-order="{routing.pk}"' not in page
    assert "2 orders wait for a maker, the longest-waiting first." in page
    older.refresh_from_db()
    for order, customer in ((older, "oscar"), (newer, "carol")):
        section = page[page.index(f'data-order="{order.pk}"') :]
        section = section[: section.index("</section>")]
        assert f'<div class="alert alert-warn" data-hold-reason>{order.hold_reason}</div>' in section
        assert f"<dd>{customer}" in section
        assert "on hold for 5" in section if order == older else "on hold for 0" in section
        assert "Berlin FDM: " in section and "Berlin Small: " in section
        assert section.count('data-status="declined"') == 2
        assert "too busy this week" in section and "out of white PLA" in section
        assert f'action="/dashboard/orders/{order.pk}/dispatch/"' in section
    items = response.context["orders"][1].items.all()
    assert [(item.quantity, item.material.code) for item in items] == [(2, "pla")]


def test_the_on_hold_list_reads_in_a_fixed_number_of_queries(held, django_assert_num_queries):
    # 1 orders (+customer), 1 items (+material, version, design), 1 jobs (+maker), 1 job events
    with django_assert_num_queries(4):
        assert len(orders_on_hold()) == 1


def test_dispatch_again_offers_the_parts_to_a_maker_that_came_online(held, django_capture_on_commit_callbacks):
    # given: the Berlin resin shop loads PLA too (it has never been asked about this order)
    PrinterFactory(maker=held.makers["berlin_resin"], materials=[held.order.items.get().material])
    client = client_as(held.staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/dashboard/orders/{held.order.pk}/dispatch/", {"return_to": "on-hold"})

    assert (response.status_code, response["Location"]) == (302, "/dashboard/orders/on-hold/")
    assert _messages(response) == [f"Order {held.order.pk}: dispatch is queued."]
    held.order.refresh_from_db()
    assert (held.order.status, held.order.hold_reason) == ("routing", "")
    offered = Job.objects.get(order=held.order, status="offered")
    assert offered.maker == held.makers["berlin_resin"]
    note = OrderEvent.objects.filter(order=held.order, kind="note").get()
    assert (note.actor, note.reason, note.to_status) == (held.staff, "dispatch again, asked by staff", "on_hold")
    assert client.get("/dashboard/orders/on-hold/").context["orders"] == []


def test_dispatch_again_is_refused_for_an_order_not_paid_yet(world):
    placed = order_place(
        customer=world.customer,
        delivery=delivery(),
        items=[ItemRequest(design_version_id=world.version.pk, material_code="pla", quantity=1)],
    )
    queued = OutboxMessage.objects.filter(task_name=ORDER_DISPATCH_TASK).count()

    response = client_as(world.staff).post(f"/dashboard/orders/{placed.pk}/dispatch/")

    assert response["Location"] == f"/dashboard/orders/{placed.pk}/"
    assert _messages(response) == [f"Order {placed.pk} is placed: there is nothing to dispatch."]
    assert OutboxMessage.objects.filter(task_name=ORDER_DISPATCH_TASK).count() == queued
    assert list(OrderEvent.objects.filter(order=placed).values_list("to_status", flat=True)) == ["placed"]


def test_staff_cancel_a_held_order_and_the_customer_gets_all_back(held, django_capture_on_commit_callbacks):
    order = held.order
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(held.staff).post(
            f"/dashboard/orders/{order.pk}/cancel/", {"cancel-reason": "no maker can print PLA near Berlin"}
        )

    assert response["Location"] == f"/dashboard/orders/{order.pk}/"
    assert _messages(response) == [f"Order {order.pk} is cancelled; what was paid is refunded."]
    order.refresh_from_db()
    assert order.status == "cancelled"
    event = OrderEvent.objects.filter(order=order, kind="status").last()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        "on_hold",
        "cancelled",
        held.staff,
        "no maker can print PLA near Berlin",
    )
    refund = Refund.objects.get(payment__order_id=order.pk)
    assert (refund.amount, refund.status) == (order.total, "succeeded")
    assert order.total > Decimal("0")
    page = client_as(held.staff).get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert "Nothing to do: the order is past the point where staff step in." in page


def test_staff_reroute_takes_the_job_from_its_maker_and_offers_it_to_the_next(
    world, django_capture_on_commit_callbacks
):
    job = world.job  # offered to Berlin FDM
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(world.staff).post(
            f"/dashboard/jobs/{job.pk}/reroute/", {"reroute-reason": "Berlin FDM is closed this week"}
        )

    assert response["Location"] == f"/dashboard/orders/{world.order.pk}/"
    assert _messages(response) == [f"Job {job.pk} is taken from Berlin FDM; its parts go to the next maker."]
    job.refresh_from_db()
    assert job.status == "cancelled"
    event = JobEvent.objects.filter(job=job).last()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        "offered",
        "cancelled",
        world.staff,
        "Berlin FDM is closed this week",
    )
    assert Job.objects.get(order=world.order, status="offered").maker == world.makers["berlin_small"]


def test_a_printing_job_cannot_be_rerouted_and_nothing_changes(world):
    job = world.job
    job_services.job_accept(job_id=job.pk, actor=world.maker)
    job_services.job_report_progress(job_id=job.pk, actor=world.maker, status="printing")
    events = JobEvent.objects.filter(job=job).count()

    response = client_as(world.staff).post(f"/dashboard/jobs/{job.pk}/reroute/")

    assert _messages(response) == [
        "The job is printing and cannot become cancelled. Allowed next: accepted, failed, printed."
    ]
    job.refresh_from_db()
    assert job.status == "printing"
    assert JobEvent.objects.filter(job=job).count() == events
    assert Job.objects.filter(order=world.order).count() == 1
    page = client_as(world.staff).get(f"/dashboard/orders/{world.order.pk}/").content.decode()
    assert "/reroute/" not in page


def test_the_actions_are_posts_for_staff_only(held):
    order = held.order
    for user in (held.customer, held.maker):
        for path in (f"/dashboard/orders/{order.pk}/cancel/", f"/dashboard/orders/{order.pk}/dispatch/"):
            assert client_as(user).post(path).status_code == 404
    assert client_as(held.staff).get(f"/dashboard/orders/{order.pk}/cancel/").status_code == 405
    order.refresh_from_db()
    assert order.status == "on_hold"
    assert not OrderEvent.objects.filter(order=order, kind="note").exists()


def test_the_dashboard_links_the_on_hold_list_with_its_count(held):
    page = client_as(held.staff).get("/dashboard/").content.decode()
    assert (
        '<a href="/dashboard/orders/on-hold/" data-on-hold="1">Orders on hold '
        '<span class="count" aria-label="1 order on hold">1</span></a>'
    ) in page
