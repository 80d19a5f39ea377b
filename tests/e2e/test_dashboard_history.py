"""The staff dashboard in a browser over a month of history: the charts are drawn, the body refreshes itself.

The history is written as rows (orders with their events, jobs at makers in several cities) with timestamps
spread over 30 days, which no real run of the services could produce in a test.
"""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalogue.models import Material
from makers.models import Maker
from orders.models import Batch, Job, JobItem, Order, OrderEvent, OrderItem
from tests.e2e.conftest import wait_for_js
from tests.e2e.test_journey import log_in
from tests.factories import ReadyVersionFactory, UserFactory
from web import queues
from web.management.commands.seed_demo import Command as SeedDemo

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Each stage and the hours an order typically spends in it before the next event.
STAGES = (
    ("placed", 0.2),
    ("confirmed", 0.1),
    ("routing", 3.0),
    ("in_production", 30.0),
    ("shipped", 40.0),
    ("delivered", 0.0),
)


def seed_history(days: int = 30, seed: int = 7) -> int:
    """Orders every day (more on weekdays), each with its timeline and a job at one of the demo makers."""
    random.seed(seed)
    seeder = SeedDemo()
    seeder._users()
    seeder._materials()
    seeder._makers()
    customer = UserFactory(username="history")
    version = ReadyVersionFactory(design__owner=customer)
    pla = Material.objects.get(code="pla")
    makers = list(Maker.objects.order_by("slug"))
    now = timezone.now()
    seconds_today = (now - now.replace(hour=0, minute=0, second=0, microsecond=0)).total_seconds()
    orders = 0
    for day in range(days):
        # Some time earlier that same calendar day, so each of the 30 days gets its orders.
        earlier = random.uniform(0, min(8 * 3600, seconds_today))
        start = now - timedelta(days=days - 1 - day, seconds=earlier)
        for _ in range(random.choice((1, 2, 3, 4)) + (2 if start.weekday() < 5 else 0)):
            maker = random.choice(makers)
            done = day < days - 4
            order = Order.objects.create(
                customer=customer,
                status="delivered" if done else "in_production",
                ship_to_latitude=maker.latitude + random.uniform(-0.2, 0.2),
                ship_to_longitude=maker.longitude + random.uniform(-0.2, 0.2),
                total=Decimal("20.00"),
            )
            Order.objects.filter(pk=order.pk).update(created_at=start)
            item = OrderItem.objects.create(
                order=order,
                design_version=version,
                material=pla,
                quantity=2,
                unit_price=Decimal("10"),
                total_price=Decimal("20"),
                price_breakdown={"total_mass_g": random.uniform(40, 400)},
            )
            moment = start
            for status, hours in STAGES if done else STAGES[:4]:
                event = OrderEvent.objects.create(order=order, to_status=status)
                OrderEvent.objects.filter(pk=event.pk).update(created_at=moment)
                moment += timedelta(hours=hours * random.uniform(0.5, 1.5))
            batch = Batch.objects.create(
                maker=maker, material=pla, status="completed" if done else "in_production", joinable_until=start
            )
            job = Job.objects.create(
                order=order,
                batch=batch,
                maker=maker,
                material=pla,
                status="shipped" if done else "printing",
                quantity=2,
                offer_expires_at=start + timedelta(hours=4),
                due_at=start + timedelta(days=4),
                distance_km=random.uniform(1, 60),
            )
            JobItem.objects.create(job=job, order_item=item, quantity=2)
            orders += 1
    return orders


def test_the_dashboard_draws_a_month_of_history_and_refreshes(live_server, new_page, screens, monkeypatch):
    monkeypatch.setattr(queues, "check_worker", lambda timeout: "down: no worker answered")
    orders = seed_history()
    page = new_page()
    log_in(page, live_server.url, "staff")
    assert page.url == f"{live_server.url}/dashboard/"
    columns = page.locator("svg[aria-labelledby^='orders-chart'] rect.bar")
    assert columns.count() == 30
    heights = [float(columns.nth(i).get_attribute("height")) for i in range(30)]
    assert all(height > 0 for height in heights)
    assert page.locator("svg[aria-labelledby^='stages-chart'] rect.bar").count() == 5
    assert page.inner_text('[data-stat="sourcing-jobs"]') == str(orders)
    page.eval_on_selector("#orders-chart-heading", "element => element.closest('section').scrollIntoView()")
    screens.shoot(page, "11-dashboard-history", full_page=False)
    # The body is fetched again every 15 s and swapped in place.
    page.evaluate("document.querySelector('[data-stat=\"outbox\"]').textContent = 'stale'")
    # Polled from the test side: wait_for_function would eval() inside the page, which its CSP forbids.
    wait_for_js(page, "document.querySelector('[data-stat=\"outbox\"]').textContent !== 'stale'", timeout_ms=20_000)
    assert page.script_errors == []
