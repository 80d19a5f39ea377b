"""The print agent's maker API (issue 18): claims, the maker's start confirmation, reports, heartbeats."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import TokenScope
from accounts.services import api_token_create
from makers.models import Printer
from orders.models import Job, JobEvent
from orders.services import jobs as job_services
from orders.services.dispatch import order_dispatch
from slicing.models import Slice, SliceStatus
from tests.orders.test_dispatch import confirmed_order, member
from tests.orders.test_maker_api import png_bytes

pytestmark = pytest.mark.django_db

GCODE = b"G28\nG1 X10 Y10\nM84\n"
SLICER_SECONDS = 3600.0


def agent_client(user) -> APIClient:
    client = APIClient()
    key = api_token_create(user=user, name="agent", scope=TokenScope.AGENT)[1]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def sliced_job(job: Job, *, seconds: float = SLICER_SECONDS) -> Job:
    """Give the job a done slice with a small G-code file (what the slicer would have made)."""
    item = job.job_items.get().order_item
    reused = Slice.objects.filter(
        design_version=item.design_version, copies=item.quantity, print_time_s=seconds
    ).first()
    if reused is not None:  # the same part again: one slice per cache key, as the slicer keeps them
        Job.objects.filter(pk=job.pk).update(print_slice=reused)
        return Job.objects.get(pk=job.pk)
    part_slice = Slice.objects.create(
        design_version=item.design_version,
        material=job.material,
        printer_profile="PrusaResearch/MK3S/0.4",
        copies=item.quantity,
        status=SliceStatus.DONE,
        print_time_s=seconds,
        material_cm3=10.0,
        mass_g=12.4,
        layers=100,
        finished_at=timezone.now(),
    )
    part_slice.print_file.save("job.gcode", ContentFile(GCODE))
    Job.objects.filter(pk=job.pk).update(print_slice=part_slice)
    return Job.objects.get(pk=job.pk)


@pytest.fixture
def accepted(customer, version, makers):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    job_services.job_accept(job_id=job.pk, actor=member(job.maker))
    return sliced_job(job)


@pytest.fixture
def agent(accepted):
    return agent_client(member(accepted.maker))


def report(client, job, event, **fields):
    return client.post(
        f"/api/maker/agent/jobs/{job.pk}/report/", {"agent": "shop-pi", "event": event, **fields}, format="json"
    )


def test_the_agent_lists_accepted_jobs_on_its_printers_with_the_file_and_its_hash(agent, accepted):
    response = agent.get("/api/maker/agent/jobs/")
    assert response.status_code == 200
    assert response.json() == {
        "jobs": [
            {
                "id": accepted.pk,
                "status": "accepted",
                "printer": accepted.printer_id,
                "printer_name": accepted.printer.name,
                "material": "pla",
                "quantity": 2,
                "print_file_url": f"http://testserver/api/maker/jobs/{accepted.pk}/print-file/",
                "print_file_sha256": hashlib.sha256(GCODE).hexdigest(),
                "print_file_name": f"job-{accepted.pk}.gcode",
                "start_confirmed": False,
                "claimed_by": None,
                "print_state": "waiting",
                "progress": None,
                "estimated_seconds": 3600,
                "actual_seconds": None,
                "print_failure_reason": "",
            }
        ]
    }
    # And the agent's token downloads the file it names
    download = agent.get(f"/api/maker/jobs/{accepted.pk}/print-file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == GCODE


def test_an_agent_token_reaches_only_the_maker_api(agent, accepted):
    refused = agent.get("/api/orders/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "This token is for a print agent: it may call the maker API (/api/maker/...) only."
    )
    assert agent.get("/api/auth/tokens/").status_code == 403
    assert agent.get("/api/maker/jobs/").status_code == 200


def test_an_offered_job_is_not_listed_and_cannot_be_claimed(customer, version, makers):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    client = agent_client(member(job.maker))
    assert client.get("/api/maker/agent/jobs/").json() == {"jobs": []}
    response = client.post(f"/api/maker/agent/jobs/{job.pk}/claim/", {"agent": "shop-pi"}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Job {job.pk} is not for an agent: it is offered, and only accepted jobs planned on a printer are."
    )
    assert Job.objects.get(pk=job.pk).claimed_by == ""


def test_a_claim_is_idempotent_for_its_agent_and_409_for_another(agent, accepted):
    url = f"/api/maker/agent/jobs/{accepted.pk}/claim/"
    first = agent.post(url, {"agent": "shop-pi"}, format="json")
    assert first.status_code == 200 and first.json()["claimed_by"] == "shop-pi"
    again = agent.post(url, {"agent": "shop-pi"}, format="json")
    assert again.status_code == 200 and again.json()["claimed_by"] == "shop-pi"
    other = agent.post(url, {"agent": "garage-pi"}, format="json")
    assert other.status_code == 409
    assert other.json()["detail"] == f"Job {accepted.pk} is claimed by another agent (shop-pi)."
    assert agent.post(url, {}, format="json").status_code == 400
    assert Job.objects.get(pk=accepted.pk).claimed_by == "shop-pi"


def test_another_makers_agent_gets_404(accepted, makers):
    stranger = agent_client(member(makers["munich"]))
    response = stranger.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "x"}, format="json")
    assert response.status_code == 404
    assert stranger.post(f"/api/maker/jobs/{accepted.pk}/confirm-start/").status_code == 404
    assert report(stranger, accepted, "uploaded").status_code == 404
    assert Job.objects.get(pk=accepted.pk).claimed_by == ""


def test_reports_need_the_claiming_agent(agent, accepted):
    response = report(agent, accepted, "uploaded")
    assert response.status_code == 409
    assert response.json()["detail"] == f"Job {accepted.pk} is not claimed by this agent: claim it first."
    agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "garage-pi"}, format="json")
    assert report(agent, accepted, "uploaded").status_code == 409
    assert Job.objects.get(pk=accepted.pk).print_state == "waiting"


def test_the_print_starts_only_after_the_maker_confirms(agent, accepted):
    agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "shop-pi"}, format="json")
    assert report(agent, accepted, "uploaded").json()["print_state"] == "uploaded"

    # Started before the maker confirmed the bed is clear: refused, nothing changed
    refused = report(agent, accepted, "started")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"The maker has not confirmed that the bed of {accepted.printer.name} is clear: do not start job {accepted.pk}."
    )
    assert Job.objects.get(pk=accepted.pk).status == "accepted"

    # The maker confirms (twice: the same answer), then the start goes through the job door once
    confirm = agent.post(f"/api/maker/jobs/{accepted.pk}/confirm-start/")
    assert confirm.status_code == 200 and confirm.json() == {"id": accepted.pk, "start_confirmed": True}
    assert agent.post(f"/api/maker/jobs/{accepted.pk}/confirm-start/").json()["start_confirmed"] is True
    started = report(agent, accepted, "started")
    assert started.status_code == 200
    body = started.json()
    assert (body["status"], body["print_state"], body["progress"]["percent"]) == ("printing", "printing", 0.0)
    assert report(agent, accepted, "started").status_code == 200
    events = JobEvent.objects.filter(job=accepted, to_status="printing")
    assert [event.reason for event in events] == [f"started on {accepted.printer.name} by the agent"]


def start(agent, job):
    agent.post(f"/api/maker/agent/jobs/{job.pk}/claim/", {"agent": "shop-pi"}, format="json")
    report(agent, job, "uploaded")
    agent.post(f"/api/maker/jobs/{job.pk}/confirm-start/")
    assert report(agent, job, "started").status_code == 200


def test_progress_is_stored_without_an_event_row(agent, accepted):
    start(agent, accepted)
    events_before = JobEvent.objects.filter(job=accepted).count()
    response = report(agent, accepted, "progress", percent=42.5, layer=17, seconds_left=1800)
    assert response.status_code == 200
    progress = Job.objects.get(pk=accepted.pk).progress
    assert (progress["percent"], progress["layer"], progress["seconds_left"]) == (42.5, 17, 1800)
    assert JobEvent.objects.filter(job=accepted).count() == events_before
    bad = report(agent, accepted, "progress", percent=140)
    assert bad.status_code == 400
    assert Job.objects.get(pk=accepted.pk).progress["percent"] == 42.5


def test_finished_records_the_actual_time_and_moves_to_printed(agent, accepted):
    start(agent, accepted)
    response = report(agent, accepted, "finished", elapsed_seconds=5400)
    assert response.status_code == 200
    job = Job.objects.get(pk=accepted.pk)
    assert (job.status, job.print_state, job.actual_seconds, job.estimated_print_seconds) == (
        "printed",
        "finished",
        5400.0,
        3600.0,
    )
    assert job.progress["percent"] == 100.0
    event = JobEvent.objects.get(job=accepted, to_status="printed")
    assert event.reason == "finished on the printer; no camera snapshot"
    assert not job.photo
    # A repeat is a no-op
    assert report(agent, accepted, "finished", elapsed_seconds=9999).status_code == 200
    assert Job.objects.get(pk=accepted.pk).actual_seconds == 5400.0
    # The printer learnt: it takes 1.5 times the slicer's estimate
    printer = Printer.objects.get(pk=accepted.printer_id)
    assert (printer.correction_factor, printer.correction_samples) == (1.5, 1)
    # the slicer was a third off; with nothing known before this first print, its quote was not corrected either
    assert (printer.estimate_error_raw, printer.estimate_error_corrected) == (0.3333, 0.3333)


def test_finished_with_a_snapshot_keeps_it_as_the_photo(agent, accepted):
    start(agent, accepted)
    response = agent.post(
        f"/api/maker/agent/jobs/{accepted.pk}/report/",
        {"agent": "shop-pi", "event": "finished", "photo": ContentFile(png_bytes(), name="cam.png")},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    job = Job.objects.get(pk=accepted.pk)
    assert job.photo.name == f"jobs/photos/job-{accepted.pk}.jpg"
    assert JobEvent.objects.get(job=accepted, to_status="printed").reason == "finished on the printer"


def test_finished_without_elapsed_uses_the_time_since_the_start(agent, accepted):
    start(agent, accepted)
    Job.objects.filter(pk=accepted.pk).update(print_started_at=timezone.now() - timedelta(seconds=4000))
    report(agent, accepted, "finished")
    assert Job.objects.get(pk=accepted.pk).actual_seconds == pytest.approx(4000, abs=5)


def test_a_failed_print_goes_back_to_accepted_and_can_be_retried(agent, accepted):
    start(agent, accepted)
    response = report(agent, accepted, "failed", reason="thermal runaway")
    assert response.status_code == 200
    job = Job.objects.get(pk=accepted.pk)
    assert (job.status, job.print_state, job.print_failure_reason, job.start_confirmed_at) == (
        "accepted",
        "failed",
        "thermal runaway",
        None,
    )
    event = JobEvent.objects.filter(job=accepted).latest("id")
    assert (event.from_status, event.to_status) == ("printing", "accepted")
    assert event.reason == f"print failed on {accepted.printer.name}: thermal runaway"
    assert report(agent, accepted, "failed", reason="again").status_code == 200  # a repeat
    assert Job.objects.get(pk=accepted.pk).print_failure_reason == "thermal runaway"
    # Starting again needs a new confirmation ...
    assert report(agent, accepted, "started").status_code == 409
    # ... which puts the job back to waiting for the agent to put the file on the printer again
    agent.post(f"/api/maker/jobs/{accepted.pk}/confirm-start/")
    assert Job.objects.get(pk=accepted.pk).print_state == "waiting"
    report(agent, accepted, "uploaded")
    assert report(agent, accepted, "started").json()["status"] == "printing"
    assert JobEvent.objects.filter(job=accepted, to_status="printing").count() == 2


def test_a_cancelled_print_says_so(agent, accepted):
    start(agent, accepted)
    report(agent, accepted, "cancelled")
    job = Job.objects.get(pk=accepted.pk)
    assert (job.status, job.print_failure_reason) == ("accepted", "the print was cancelled on the printer")


def test_the_maker_can_give_up_after_a_failed_print(agent, accepted):
    start(agent, accepted)
    report(agent, accepted, "failed", reason="nozzle clog")
    job_services.job_fail(job_id=accepted.pk, actor=member(accepted.maker), reason="no spare nozzle")
    assert Job.objects.get(pk=accepted.pk).status == "failed"


def test_confirm_start_is_only_for_accepted_jobs(agent, accepted):
    start(agent, accepted)
    response = agent.post(f"/api/maker/jobs/{accepted.pk}/confirm-start/")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Only an accepted job planned on a printer can be started; job {accepted.pk} is printing."
    )


def test_bad_events_and_numbers_are_400(agent, accepted):
    agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "shop-pi"}, format="json")
    assert report(agent, accepted, "exploded").status_code == 400
    assert report(agent, accepted, "progress", percent="lots").status_code == 400
    assert report(agent, accepted, "progress", percent=10).status_code == 409  # not printing yet


def test_heartbeat_stores_the_printers_state_and_offline_after_the_setting(agent, accepted, materials, settings):
    printer_id = accepted.printer_id
    body = {
        "agent": "shop-pi",
        "printers": [
            {"printer": printer_id, "state": "printing", "percent": 12.5, "loaded_material": "petg", "message": "ok"}
        ],
    }
    response = agent.post("/api/maker/agent/printers/", body, format="json")
    assert response.status_code == 200
    assert response.json() == {"printers": [{"printer": printer_id, "state": "printing"}]}
    printer = Printer.objects.get(pk=printer_id)
    assert (printer.agent_state, printer.agent_percent, printer.loaded_material.code, printer.agent_message) == (
        "printing",
        12.5,
        "petg",
        "ok",
    )
    # Not heard from for longer than AGENT_OFFLINE_AFTER_SECONDS: offline
    settings.AGENT_OFFLINE_AFTER_SECONDS = 60
    Printer.objects.filter(pk=printer_id).update(agent_seen_at=timezone.now() - timedelta(seconds=61))
    assert Printer.objects.get(pk=printer_id).live_state == "offline"
    Printer.objects.filter(pk=printer_id).update(agent_seen_at=timezone.now() - timedelta(seconds=59))
    assert Printer.objects.get(pk=printer_id).live_state == "printing"
    # null clears the loaded material; leaving it out keeps it
    agent.post(
        "/api/maker/agent/printers/",
        {"agent": "shop-pi", "printers": [{"printer": printer_id, "state": "idle"}]},
        format="json",
    )
    assert Printer.objects.get(pk=printer_id).loaded_material.code == "petg"
    agent.post(
        "/api/maker/agent/printers/",
        {"agent": "shop-pi", "printers": [{"printer": printer_id, "state": "idle", "loaded_material": None}]},
        format="json",
    )
    assert Printer.objects.get(pk=printer_id).loaded_material is None


def test_a_heartbeat_with_one_bad_beat_writes_none_of_them(agent, accepted):
    response = agent.post(
        "/api/maker/agent/printers/",
        {
            "agent": "shop-pi",
            "printers": [
                {"printer": accepted.printer_id, "state": "idle"},
                {"printer": accepted.printer_id, "state": "error", "message": "thermal runaway\x07"},
            ],
        },
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "bad_text")
    assert Printer.objects.get(pk=accepted.printer_id).agent_state == ""


def test_heartbeat_with_another_makers_printer_is_400_and_writes_nothing(agent, accepted, makers):
    foreign = makers["munich"].printers.first()
    response = agent.post(
        "/api/maker/agent/printers/",
        {
            "agent": "shop-pi",
            "printers": [
                {"printer": accepted.printer_id, "state": "idle"},
                {"printer": foreign.pk, "state": "idle"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == f"These printers are not your maker's: {foreign.pk}."
    assert Printer.objects.get(pk=accepted.printer_id).agent_state == ""
    bad_state = agent.post(
        "/api/maker/agent/printers/",
        {"agent": "shop-pi", "printers": [{"printer": accepted.printer_id, "state": "melting"}]},
        format="json",
    )
    assert bad_state.status_code == 400
    unknown = agent.post(
        "/api/maker/agent/printers/",
        {"agent": "shop-pi", "printers": [{"printer": accepted.printer_id, "state": "idle", "loaded_material": "x"}]},
        format="json",
    )
    assert unknown.status_code == 400
    assert Printer.objects.get(pk=accepted.printer_id).agent_state == ""


def quote_offers(customer, version) -> dict:
    from tests.conftest import client_for

    response = client_for(customer).post(
        "/api/quotes/",
        {"design_version": version.pk, "material": "pla", "quantity": 2, "ship_to": {"city": "Berlin"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return {offer["maker"]: offer for offer in response.json()["makers"]}, response.json()


def test_the_next_quote_for_that_printer_uses_the_correction(agent, accepted, customer, version, materials):
    from decimal import Decimal

    from orders.pricing.prices import quote_part
    from orders.services.quoting import material_pricing, part_metrics

    before, _ = quote_offers(customer, version)
    maker_id = accepted.maker_id
    assert before[maker_id]["correction"] is None

    # When one print on the job's printer took 1.5 times the slicer's estimate
    start(agent, accepted)
    report(agent, accepted, "finished", elapsed_seconds=5400)

    # Then the next quote prices that maker's printer at 1.5 times the hours (the others are unchanged)
    after, body = quote_offers(customer, version)
    offer = after[maker_id]
    assert offer["printer"]["id"] == accepted.printer_id
    assert offer["correction"] == {"factor": 1.5, "samples": 1, "lead_days_added": 0}
    corrected = quote_part(
        part=part_metrics(version.analysis, "fdm"),
        material=material_pricing(materials["pla"]),
        quantity=2,
        price_factor=Decimal(offer["price_factor"]),
        time_factor=1.5,
    )
    assert offer["machine_hours"] == corrected.machine_hours == round(body["machine_hours"] * 1.5, 3)
    assert offer["price"] == str(corrected.total)
    assert Decimal(offer["price"]) > Decimal(before[maker_id]["price"])
    others = [maker for maker in after if maker != maker_id]
    assert others and all(after[m]["correction"] is None for m in others)
    assert all(after[m]["price"] == before[m]["price"] for m in others)


def test_the_correction_waits_for_the_minimum_samples(agent, accepted, customer, version, settings):
    settings.AGENT_CORRECTION_MIN_SAMPLES = 2
    start(agent, accepted)
    report(agent, accepted, "finished", elapsed_seconds=5400)
    assert Printer.objects.get(pk=accepted.printer_id).correction_samples == 1
    offers, _ = quote_offers(customer, version)
    assert offers[accepted.maker_id]["correction"] is None


def test_dispatch_plans_the_job_on_an_idle_printer_with_the_material_loaded(customer, version, makers, materials):
    from tests.factories import PrinterFactory

    berlin = makers["berlin"]
    first = berlin.printers.get()
    second = PrinterFactory(maker=berlin, name="Zz second", materials=[materials["pla"]])
    assert sorted([first.name, second.name])[0] == first.name  # without agents the first is planned

    # An idle printer with PETG loaded is no better; one with PLA loaded but not heard from lately neither
    Printer.objects.filter(pk=second.pk).update(
        agent_state="idle", agent_seen_at=timezone.now(), loaded_material=materials["petg"]
    )
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    assert Job.objects.get(order=order).printer_id == first.pk

    Printer.objects.filter(pk=second.pk).update(
        loaded_material=materials["pla"], agent_seen_at=timezone.now() - timedelta(seconds=3600)
    )
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    assert Job.objects.get(order=order).printer_id == first.pk

    # Idle, PLA loaded, seen now: that one
    Printer.objects.filter(pk=second.pk).update(agent_seen_at=timezone.now())
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    assert Job.objects.get(order=order).printer_id == second.pk


def test_the_correction_uses_the_latest_samples_and_is_clamped(accepted, settings):
    from orders.services.estimates import printer_refresh_correction

    # Given four finished prints on the printer, oldest first: 3.0, 1.0, 1.2 and 1.4 times the estimate
    now = timezone.now()
    for age, ratio in ((4, 3.0), (3, 1.0), (2, 1.2), (1, 1.4)):
        copy = Job.objects.get(pk=accepted.pk)
        copy.pk = None
        copy.estimated_print_seconds = 1000.0
        copy.actual_seconds = 1000.0 * ratio
        copy.print_finished_at = now - timedelta(hours=age)
        copy.save()
    settings.AGENT_CORRECTION_SAMPLES = 3

    # Then the oldest is left out: the median of 1.0, 1.2 and 1.4
    result = printer_refresh_correction(printer_id=accepted.printer_id)
    assert (result.factor, result.samples) == (1.2, 3)
    printer = Printer.objects.get(pk=accepted.printer_id)
    assert (printer.correction_factor, printer.correction_samples) == (1.2, 3)
    # raw errors 0, 1/6, 2/7 -> 1/6; corrected as quoted then (newest first: x1.1 of the two before it, x1.0 of
    # the one before it, nothing before): 0.2143, 0.1667, 0 -> 0.1667
    assert (printer.estimate_error_raw, printer.estimate_error_corrected) == (0.1667, 0.1667)

    # And a bound clamps it
    settings.AGENT_CORRECTION_MAX = 1.1
    assert printer_refresh_correction(printer_id=accepted.printer_id).factor == 1.1


def test_the_makers_job_api_shows_the_print(agent, accepted):
    from tests.conftest import client_for

    start(agent, accepted)
    report(agent, accepted, "progress", percent=50, layer=3, seconds_left=60)
    body = client_for(member(accepted.maker)).get(f"/api/maker/jobs/{accepted.pk}/").json()
    assert (body["printer"], body["print_state"], body["start_confirmed"]) == (accepted.printer_id, "printing", True)
    assert (body["progress"]["percent"], body["progress"]["layer"], body["progress"]["seconds_left"]) == (50.0, 3, 60)
    assert (body["actual_seconds"], body["print_failure_reason"]) == (None, "")


def test_a_print_the_maker_reported_by_hand_still_records_its_time(agent, accepted):
    from tests.conftest import client_for

    agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "shop-pi"}, format="json")
    report(agent, accepted, "uploaded")
    agent.post(f"/api/maker/jobs/{accepted.pk}/confirm-start/")
    maker = client_for(member(accepted.maker))
    maker.post(f"/api/maker/jobs/{accepted.pk}/progress/", {"status": "printing"}, format="json")
    assert report(agent, accepted, "started").json()["print_state"] == "printing"
    maker.post(
        f"/api/maker/jobs/{accepted.pk}/progress/",
        {"status": "printed", "photo": ContentFile(png_bytes(), name="p.png")},
        format="multipart",
    )
    response = report(agent, accepted, "finished", elapsed_seconds=1800)
    assert response.status_code == 200
    job = Job.objects.get(pk=accepted.pk)
    assert (job.status, job.print_state, job.actual_seconds) == ("printed", "finished", 1800.0)
    assert JobEvent.objects.filter(job=accepted, to_status="printed").count() == 1
    assert Printer.objects.get(pk=accepted.printer_id).correction_factor == 0.5


def test_the_makers_printer_api_shows_the_live_state_and_the_correction(agent, accepted, materials):
    from tests.conftest import client_for

    agent.post(
        "/api/maker/agent/printers/",
        {"agent": "shop-pi", "printers": [{"printer": accepted.printer_id, "state": "idle", "loaded_material": "pla"}]},
        format="json",
    )
    start(agent, accepted)
    report(agent, accepted, "finished", elapsed_seconds=4500)
    printers = client_for(member(accepted.maker)).get("/api/maker/printers/").json()
    printer = next(p for p in printers if p["id"] == accepted.printer_id)
    assert (printer["live_state"], printer["loaded_material"]) == ("idle", "pla")
    assert (printer["correction_factor"], printer["correction_samples"]) == (1.25, 1)
    assert (printer["estimate_error_raw"], printer["estimate_error_corrected"]) == (0.2, 0.2)  # one print: as raw


def test_the_agents_job_list_costs_the_same_queries_for_one_job_or_three(agent, accepted, customer, version):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        agent.get("/api/maker/agent/jobs/")  # the file digests are remembered after the first read
        with CaptureQueriesContext(connection) as captured:
            response = agent.get("/api/maker/agent/jobs/")
        assert response.status_code == 200
        return len(captured), len(response.json()["jobs"])

    one = queries()
    for _ in range(2):
        order = confirmed_order(customer, version)
        order_dispatch(order_id=order.pk)
        job = Job.objects.get(order=order)
        job_services.job_accept(job_id=job.pk, actor=member(job.maker))
        sliced_job(job)
    three = queries()
    assert (one[1], three[1]) == (1, 3)
    assert one[0] == three[0]


def test_the_maker_takes_a_job_back_from_a_replaced_agent_and_another_agent_claims_it(agent, accepted):
    # given a job an agent claimed, put on its printer and the maker confirmed (the agent's machine then died)
    agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "shop-pi"}, format="json")
    report(agent, accepted, "uploaded")
    agent.post(f"/api/maker/jobs/{accepted.pk}/confirm-start/")
    refused = agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "new-pi"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "claimed_by_other_agent")
    # when the maker takes it back
    released = agent.post(f"/api/maker/jobs/{accepted.pk}/release-agent/")
    # then the job waits for any agent again, unconfirmed, and the new agent claims it
    assert (released.status_code, released.json()) == (200, {"id": accepted.pk, "claimed_by": None})
    job = Job.objects.get(pk=accepted.pk)
    assert (job.claimed_by, job.print_state, job.start_confirmed_at, job.progress) == ("", "waiting", None, None)
    claimed = agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "new-pi"}, format="json")
    assert (claimed.status_code, claimed.json()["claimed_by"]) == (200, "new-pi")
    # and the old agent may no longer report on it
    assert report(agent, accepted, "started").json()["code"] == "not_claimed"


def test_a_printing_job_is_not_taken_back(agent, accepted):
    start(agent, accepted)
    refused = agent.post(f"/api/maker/jobs/{accepted.pk}/release-agent/")
    assert (refused.status_code, refused.json()["code"]) == (409, "cannot_release")
    assert Job.objects.get(pk=accepted.pk).claimed_by == "shop-pi"


def test_the_job_page_takes_the_job_back(agent, accepted, client):
    agent.post(f"/api/maker/agent/jobs/{accepted.pk}/claim/", {"agent": "shop-pi"}, format="json")
    client.force_login(member(accepted.maker))
    page = client.get(f"/maker/jobs/{accepted.pk}/").content.decode()
    assert f'action="/maker/jobs/{accepted.pk}/release-agent/"' in page and "Take the job back from shop-pi" in page
    answer = client.post(f"/maker/jobs/{accepted.pk}/release-agent/", follow=True)
    assert "taken back from the agent shop-pi" in answer.content.decode()
    assert Job.objects.get(pk=accepted.pk).claimed_by == ""
