"""Issue 18 end to end: the platform (a live server), a real OctoPrint 1.11.8 with its Virtual Printer
(tests/octoprint_local.py) and the maker agent as its own process (`python -m agent`), nothing faked between them.

A customer's order is sliced for the maker's printer and paid; the maker accepts it and makes an agent key; the
agent uploads the file and waits; the maker confirms the bed is clear (`agent confirm`); the print starts and its
progress reaches the platform; the agent is killed in the middle and started again, and the print is neither
started twice nor lost; the job ends `printed` with the printer's own time, and the next quote for that printer
uses the correction learnt from it.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Role, TokenScope
from accounts.services import api_token_create
from makers.models import Printer
from orders.models import Job, JobEvent, JobStatus
from orders.services.ordering import ItemRequest, order_confirm, order_place
from orders.services.quoting import ShipTo
from tests.factories import MakerFactory, MaterialFactory, PrinterFactory, UserFactory
from tests.money import delivery, pay
from tests.slicing.conftest import MK3S, box_stl, needs_slicer, stored_version

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), needs_slicer]

ROOT = Path(settings.BASE_DIR)


def call(base: str, method: str, path: str, key: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def workshop():
    """A maker in Berlin with one Prusa MK3S+ (a printer model the slicer knows), its member, and a customer's
    20 mm cube."""
    pla = MaterialFactory()
    version = stored_version(box_stl((20, 20, 20)))
    customer = version.design.owner
    customer.role = Role.CUSTOMER
    customer.save(update_fields=["role"])
    maker = MakerFactory(name="Kreuzberg Farm", latitude=52.50, longitude=13.40)
    printer = PrinterFactory(maker=maker, name="MK3S+", profile=MK3S, nozzle_mm=0.4, materials=[pla])
    member = UserFactory(username="kai", role=Role.MAKER)
    maker.members.add(member)
    return {"version": version, "customer": customer, "maker": maker, "printer": printer, "member": member}


def test_an_order_printed_by_the_agent_on_a_real_octoprint_teaches_the_next_quote(
    live_server, octoprint_server, workshop, tmp_path
):
    base = live_server.url
    printer = workshop["printer"]
    # Given the customer's paid order near the maker: dispatch offers it, sliced for the MK3S+
    order = order_place(
        customer=workshop["customer"],
        items=[ItemRequest(design_version_id=workshop["version"].pk, material_code="pla", quantity=1)],
        delivery=delivery(ShipTo(52.5, 13.4, "Berlin")),
    )
    order_confirm(order_id=order.pk, actor=workshop["customer"])
    pay(order.pk)
    job = Job.objects.get(order=order)
    assert (job.status, job.printer_id) == (JobStatus.OFFERED, printer.pk)
    # ... the maker accepts it (its own key) and makes a key for its print agent
    _, full_key = api_token_create(user=workshop["member"], name="laptop")
    assert call(base, "POST", f"/api/maker/jobs/{job.pk}/accept/", full_key)[0] == 200
    status, made = call(base, "POST", "/api/auth/tokens/", full_key, {"name": "workshop", "scope": TokenScope.AGENT})
    assert status == 201, made
    # ... and writes agent.toml for its OctoPrint
    config = tmp_path / "agent.toml"
    config.write_text(
        f'[platform]\nurl = "{base}"\ntoken = "{made["key"]}"\nagent_id = "workshop-1"\npoll_seconds = 0.5\n\n'
        f'[[printers]]\nplatform_printer = {printer.pk}\ndriver = "octoprint"\nurl = "{octoprint_server.url}"\n'
        f'api_key = "{octoprint_server.api_key}"\nloaded_material = "pla"\n'
    )
    log_path = tmp_path / "agent.log"

    def agent(*command: str, wait: bool = False):
        log = open(log_path, "ab")  # noqa: SIM115 - handed to the process
        arguments = [sys.executable, "-m", "agent", "--config", str(config), *command]
        if wait:
            return subprocess.run(arguments, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=60)
        return subprocess.Popen(arguments, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def until(condition, what: str, timeout: float = 120):
        deadline = time.monotonic() + timeout
        while not condition():
            job.refresh_from_db()
            assert time.monotonic() < deadline, f"{what}: job {job.status}/{job.print_state}\n{log_path.read_text()}"
            time.sleep(0.2)

    def refreshed():
        job.refresh_from_db()
        return job

    first = agent("run")
    try:
        # When the agent has uploaded the file: it is on OctoPrint, and nothing printed before the maker's word
        until(lambda: refreshed().print_state == "uploaded", "uploaded")
        file_name = f"job-{job.pk}.gcode"
        assert octoprint_server.request("GET", f"/api/files/local/{file_name}")[0] == 200
        assert octoprint_server.request("GET", "/api/job")[1]["state"] == "Operational"
        assert (job.status, job.claimed_by) == (JobStatus.ACCEPTED, "workshop-1")
        assert Printer.objects.get(pk=printer.pk).agent_state == "idle"
        # ... the maker confirms the bed is clear, from the agent's command line
        assert agent("confirm", str(job.pk), wait=True).returncode == 0
        # then the print starts and its progress reaches the platform
        until(lambda: refreshed().status == JobStatus.PRINTING and (job.progress or {}).get("percent"), "progress")
    finally:
        # And when the agent is killed in the middle of the print
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    assert octoprint_server.request("GET", "/api/job")[1]["state"] == "Printing"
    progress_before = refreshed().progress

    second = agent("run")
    try:
        # then the agent started again follows the same print to its end
        until(lambda: refreshed().status == JobStatus.PRINTED, "printed", timeout=600)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=10)

    # ... having started it once, on the printer and on the platform, and reported after the restart
    prints = octoprint_server.request("GET", f"/api/files/local/{file_name}")[1]["prints"]
    assert (prints["success"], prints["failure"]) == (1, 0)
    moves = list(JobEvent.objects.filter(job=job).values_list("from_status", "to_status"))
    assert moves.count((JobStatus.ACCEPTED, JobStatus.PRINTING)) == 1
    assert moves[-1] == (JobStatus.PRINTING, JobStatus.PRINTED)
    assert job.progress["reported_at"] > progress_before["reported_at"]
    # ... with the printer's own time kept, far less than the slicer's (the virtual printer does not move)
    assert 0 < job.actual_seconds < job.estimated_print_seconds
    learnt = Printer.objects.get(pk=printer.pk)
    ratio = job.actual_seconds / job.estimated_print_seconds
    expected = max(settings.AGENT_CORRECTION_MIN, min(settings.AGENT_CORRECTION_MAX, ratio))
    assert learnt.correction_samples == 1 and learnt.correction_factor == pytest.approx(expected, abs=0.001)

    # And the next quote for that printer uses the correction
    _, customer_key = api_token_create(user=workshop["customer"], name="browser")
    status, quote = call(
        base,
        "POST",
        "/api/quotes/",
        customer_key,
        {"design_version": workshop["version"].pk, "material": "pla", "quantity": 1, "ship_to": {"city": "Berlin"}},
    )
    assert status == 201, quote
    deadline = time.monotonic() + 120
    while (offer := quote["makers"][0])["basis"] != "sliced":
        assert time.monotonic() < deadline, quote
        time.sleep(0.5)
        quote = call(base, "GET", f"/api/quotes/{quote['id']}/", customer_key)[1]
    assert offer["printer"]["id"] == printer.pk
    assert offer["correction"]["factor"] == pytest.approx(expected, abs=0.001)
    assert offer["correction"]["samples"] == 1
    sliced_hours = job.print_slice.machine_hours
    assert offer["machine_hours"] == pytest.approx(sliced_hours * offer["correction"]["factor"], abs=0.002)
    assert Decimal(offer["price"]) > 0
