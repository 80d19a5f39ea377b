"""The PrusaLink driver and the loop against a fake PrusaLink that follows its v1 OpenAPI document, behind HTTP
digest authentication."""

from agent.config import PrinterConfig
from agent.drivers import PrinterStatus
from agent.drivers.prusalink import PrusaLinkDriver
from tests.agent.conftest import prusalink_printer
from tests.agent.fakes import PlatformJob
from tests.agent.test_loop import GCODE, confirm


def driver_for(server, password="secret-digest"):
    return PrusaLinkDriver(PrinterConfig(8, "prusalink", server.url, user="maker", password=password))


def test_the_driver_uploads_without_starting_then_starts_and_reads_the_job(prusalink):
    driver = driver_for(prusalink)

    driver.upload("job-12.gcode", GCODE)

    assert prusalink.files == {"job-12.gcode": GCODE}
    assert prusalink.upload_headers[-1]["print-after-upload"] == "?0"
    assert prusalink.upload_headers[-1]["content-type"] == "application/octet-stream"
    assert prusalink.state == "IDLE"
    assert driver.status() == PrinterStatus("idle")

    driver.start("job-12.gcode")
    prusalink.advance(progress=37.0, seconds=400, remaining=680)

    assert driver.status() == PrinterStatus(
        "printing", file="job-12.gcode", percent=37.0, seconds_left=680, elapsed=400
    )

    prusalink.finish(seconds=1090)
    assert driver.status() == PrinterStatus(
        "finished", file="job-12.gcode", percent=100.0, seconds_left=0, elapsed=1090
    )


def test_every_request_is_digest_authenticated_and_a_wrong_password_shows_offline(prusalink):
    status = driver_for(prusalink, password="wrong").status()

    assert status.state == "offline"
    assert status.error == "PrusaLink GET /api/v1/status: 401 Digest authentication"
    assert prusalink.files == {}


def test_cancel_stops_the_current_job(prusalink):
    driver = driver_for(prusalink)
    driver.upload("job-12.gcode", GCODE)
    driver.start("job-12.gcode")

    driver.cancel()

    assert prusalink.requests[-1] == ("DELETE", f"/api/v1/job/{prusalink.job['id']}")
    assert driver.status().state == "cancelled"


def test_the_loop_runs_a_job_on_prusalink(platform_server, prusalink, make_agent):
    platform_server.add_job(PlatformJob(id=21, printer=8, file=GCODE))
    agent = make_agent(prusalink_printer(prusalink))
    agent.poll_once()
    assert prusalink.files == {"job-21.gcode": GCODE}
    assert prusalink.state == "IDLE"

    confirm(platform_server, 21)
    agent.poll_once()
    prusalink.advance(progress=55.0, seconds=300, remaining=245)
    agent.poll_once()

    assert prusalink.count("POST", "/api/v1/files/usb/job-21.gcode") == 1
    assert platform_server.jobs[21].progress == {"percent": 55.0, "layer": None, "seconds_left": 245}

    prusalink.finish(seconds=545)
    agent.poll_once()

    job = platform_server.jobs[21]
    assert (job.status, job.actual_seconds, job.photo) == ("printed", 545, None)
    assert platform_server.events(21) == ["uploaded", "started", "progress", "finished"]


def test_a_printer_error_on_prusalink_fails_the_job_with_its_message(platform_server, prusalink, make_agent):
    platform_server.add_job(PlatformJob(id=21, printer=8, file=GCODE))
    agent = make_agent(prusalink_printer(prusalink))
    agent.poll_once()
    confirm(platform_server, 21)
    agent.poll_once()

    prusalink.fail("Filament runout sensor not responding")
    agent.poll_once()

    assert platform_server.jobs[21].reasons == ["Filament runout sensor not responding"]
    assert platform_server.jobs[21].status == "accepted"
