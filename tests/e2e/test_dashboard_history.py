"""The staff dashboard in a browser over the demo's history: the charts are drawn, the body refreshes itself.

The history is the demo's own (web.demo.history: 60 days of orders made by the services on a simulated clock).
"""

import pytest
from django.core.management import call_command

from tests.e2e.conftest import wait_for_js
from tests.e2e.test_journey import log_in
from web import dashboard, queues

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_the_demo_history_and_refreshes(live_server, live_queue, new_page, screens, monkeypatch):
    monkeypatch.setattr(queues, "check_worker", lambda timeout: "down: no worker answered")
    call_command("seed_demo", verbosity=0)
    data = dashboard.dashboard_data()
    page = new_page()
    log_in(page, live_server.url, "staff")
    assert page.url == f"{live_server.url}/dashboard/"
    columns = page.locator("svg[aria-labelledby^='orders-chart'] rect.bar")
    assert columns.count() == 30
    heights = [float(columns.nth(i).get_attribute("height")) for i in range(30)]
    assert [height > 0 for height in heights] == [count > 0 for _day, count in data.orders_per_day]
    assert sum(height > 0 for height in heights) >= 25
    assert page.locator("svg[aria-labelledby^='stages-chart'] rect.bar").count() == len(data.stage_times) >= 4
    assert page.inner_text('[data-stat="sourcing-jobs"]') == str(data.sourcing.jobs)
    page.eval_on_selector("#orders-chart-heading", "element => element.closest('section').scrollIntoView()")
    screens.shoot(page, "11-dashboard-history", full_page=False)
    # The body is fetched again every 15 s and swapped in place.
    page.evaluate("document.querySelector('[data-stat=\"outbox\"]').textContent = 'stale'")
    # Polled from the test side: wait_for_function would eval() inside the page, which its CSP forbids.
    wait_for_js(page, "document.querySelector('[data-stat=\"outbox\"]').textContent !== 'stale'", timeout_ms=20_000)
    assert page.script_errors == []
