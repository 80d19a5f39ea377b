"""Staff in a browser: from the dashboard's on-hold badge to the held order, dispatched again with a click; both pages
at desktop and phone widths (screenshots), and nothing scrolls sideways on a phone."""

import pytest

from core.models import Notification
from orders.models import Job
from orders.services import jobs as job_services
from orders.services.dispatch import order_dispatch
from tests.e2e.login import log_in
from tests.factories import PrinterFactory
from tests.web.conftest import confirmed_order

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def _held_order(customer, version):
    """carol's order, declined by both Berlin PLA makers (Munich and Paris are too far): on hold."""
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    for reason in ("too busy this week", "out of white PLA"):
        job = Job.objects.get(order=order, status="offered")
        job_services.job_decline(job_id=job.pk, actor=job.maker.members.get(), reason=reason)
        order_dispatch(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "on_hold"
    return order


def _log_in(page, base: str, username: str) -> None:
    log_in(page, base, username, PASSWORD)


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_staff_follow_the_badge_to_the_held_order_and_dispatch_it_again(
    live_server, new_page, screens, customer, staff, version, makers
):
    order = _held_order(customer, version)
    link = Notification.objects.get(user=staff, kind="order.on_hold").link

    page = new_page(1280, 900)
    _log_in(page, live_server.url, staff.username)
    assert page.url == f"{live_server.url}/dashboard/"
    page.click("a[data-on-hold='1']")
    assert page.url == f"{live_server.url}/dashboard/orders/on-hold/"
    assert page.inner_text(f"[data-order='{order.pk}'] [data-hold-reason]") == order.hold_reason
    screens.shoot(page, "40-staff-orders-on-hold-1280")
    page.goto(f"{live_server.url}{link}")
    assert page.inner_text("h1") == f"Order {order.pk} On hold"
    assert page.locator("[data-job]").count() == 2
    screens.shoot(page, "41-staff-order-1280")

    # The same staff member on a phone (the session's cookie: a second log-in within the same 30 s would reuse the
    # authenticator's code, which allauth rightly refuses).
    phone = new_page(390, 844)
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{live_server.url}/dashboard/orders/on-hold/")
    assert _no_sideways_scroll(phone)
    screens.shoot(phone, "42-staff-orders-on-hold-390")
    phone.goto(f"{live_server.url}{link}")
    phone.click("summary:has-text('Cancel the order')")
    assert _no_sideways_scroll(phone)
    screens.shoot(phone, "43-staff-order-390")

    # A maker near the customer loads PLA: dispatch again from the list offers it the parts.
    PrinterFactory(maker=makers["berlin_resin"], materials=[order.items.get().material])
    page.goto(f"{live_server.url}/dashboard/orders/on-hold/")
    page.click(f"[data-order='{order.pk}'] button[type=submit]")
    assert page.url == f"{live_server.url}/dashboard/orders/on-hold/"
    assert page.inner_text(".messages") == f"Order {order.pk}: dispatch is queued."
    assert page.inner_text("main .card p.muted") == "No order is on hold."
    assert Job.objects.get(order=order, status="offered").maker == makers["berlin_resin"]
    assert page.script_errors == [] and phone.script_errors == []
