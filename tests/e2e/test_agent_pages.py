"""The print agent's pages in a browser (issue 18): the maker confirms the start on the job page (a real form post
with its CSRF token), sees the print's progress, and reads its printers' live state and correction; staff see the
network's printers. Screenshots: 50-maker-job-agent, 51-maker-printers, 52-staff-printers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from makers.models import Printer
from orders.models import Job
from orders.services import agent as agent_services
from orders.services import jobs as job_services
from orders.services.dispatch import order_dispatch
from tests.e2e.login import log_in
from tests.factories import PrinterFactory
from tests.orders.test_agent_api import sliced_job
from tests.web.conftest import confirmed_order

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def _uploaded_job(customer, version):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    maker_user = job.maker.members.get()
    job_services.job_accept(job_id=job.pk, actor=maker_user)
    job = sliced_job(job)
    agent_services.job_claim(user=maker_user, job_id=job.pk, agent="workshop-pi")
    report = agent_services.AgentReport(event="uploaded")
    agent_services.job_agent_report(user=maker_user, job_id=job.pk, agent="workshop-pi", report=report)
    return job, maker_user


def test_the_maker_confirms_the_start_and_watches_its_printers(
    live_server, new_page, screens, customer, staff, version, makers, materials
):
    job, maker_user = _uploaded_job(customer, version)
    berlin = job.maker
    now = timezone.now()
    Printer.objects.filter(pk=job.printer_id).update(
        name="Prusa MK4 #1", agent_state="idle", agent_seen_at=now, loaded_material=materials["pla"]
    )
    second = PrinterFactory(maker=berlin, name="Prusa MK4 #2", materials=[materials["pla"], materials["petg"]])
    Printer.objects.filter(pk=second.pk).update(
        agent_state="printing",
        agent_percent=63,
        agent_seen_at=now,
        loaded_material=materials["petg"],
        correction_factor=1.18,
        correction_samples=7,
        estimate_error_raw=0.171,
        estimate_error_corrected=0.036,
    )
    third = PrinterFactory(maker=berlin, name="Voron 2.4", materials=[materials["petg"]])
    Printer.objects.filter(pk=third.pk).update(
        agent_state="idle",
        agent_seen_at=now - timedelta(minutes=10),
        correction_factor=0.92,
        correction_samples=3,
        estimate_error_raw=0.094,
        estimate_error_corrected=0.021,
    )

    page = new_page(1280, 900)
    log_in(page, live_server.url, maker_user.username, PASSWORD)
    page.goto(f"{live_server.url}/maker/jobs/{job.pk}/")
    button = page.locator("#print-agent form[action$='/confirm-start/'] button[type=submit]")
    assert button.inner_text() == "Start the print: the bed is clear"
    screens.shoot(page, "50-maker-job-agent-1280")
    button.click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/maker/jobs/{job.pk}/"
    assert "the agent starts the print on Prusa MK4 #1" in page.inner_text(".messages")
    assert Job.objects.get(pk=job.pk).start_confirmed_at is not None

    # The agent starts it and reports progress: the page shows it
    agent_services.job_agent_report(
        user=maker_user, job_id=job.pk, agent="workshop-pi", report=agent_services.AgentReport(event="started")
    )
    agent_services.job_agent_report(
        user=maker_user,
        job_id=job.pk,
        agent="workshop-pi",
        report=agent_services.AgentReport(event="progress", percent=37.5, layer=42, seconds_left=2280),
    )
    page.reload()
    assert page.inner_text("#print-agent [data-progress]") == "37.5 % · layer 42 · 38 min left"

    page.goto(f"{live_server.url}/maker/printers/")
    assert page.inner_text("[data-printer-live='Prusa MK4 #2'] [data-correction]") == "× 1.18"
    assert page.inner_text("[data-printer-live='Voron 2.4']").startswith("Voron 2.4\tOffline")
    screens.shoot(page, "51-maker-printers-1280")
    assert page.script_errors == []

    staff_page = new_page(1280, 900)
    log_in(staff_page, live_server.url, staff.username, PASSWORD)
    staff_page.goto(f"{live_server.url}/dashboard/printers/")
    assert staff_page.inner_text("[data-state='printing']") == "1"
    assert staff_page.inner_text("[data-state='offline']") == "1"
    screens.shoot(staff_page, "52-staff-printers-1280")
    assert staff_page.script_errors == []
