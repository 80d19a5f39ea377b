"""The OctoPrint driver and the agent's loop against a real OctoPrint 1.11.8 with its bundled Virtual Printer
(tests/octoprint_local.py; an application key of its user, no global key)."""

import time

import pytest

from agent.config import PrinterConfig
from agent.drivers.octoprint import OctoPrintDriver
from tests.agent.conftest import write_config
from tests.agent.fakes import PlatformJob
from tests.agent.test_loop import confirm

pytestmark = pytest.mark.slow

# A few seconds on the virtual printer: the dwells keep it printing long enough to be seen printing.
GCODE = b"G28\n" + b"".join(b";LAYER:%d\nG1 X%d Y%d F3000\nG4 P400\n" % (n, n + 5, n + 5) for n in range(8))


def driver_for(server):
    return OctoPrintDriver(PrinterConfig(7, "octoprint", server.url, api_key=server.api_key))


def wait_for(driver, states, timeout=60, *, with_percent=False):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        status = driver.status()
        seen.append(status.state)
        # Just after a start OctoPrint says "Starting"/"Printing" with no completion yet for a moment.
        if status.state in states and (status.percent is not None or not with_percent):
            return status, seen
        time.sleep(0.1)
    raise AssertionError(f"no {states} within {timeout}s: {seen[-20:]}")


def test_the_driver_uploads_starts_follows_and_sees_the_end_of_a_real_print(octoprint_server):
    octoprint_server.wait_until_idle()
    driver = driver_for(octoprint_server)

    driver.upload("agent-driver-1.gcode", GCODE)

    status, answer = octoprint_server.request("GET", "/api/files/local/agent-driver-1.gcode")
    assert status == 200
    assert answer["size"] == len(GCODE)
    assert driver.status().state in ("idle", "finished", "cancelled")
    assert driver.status().file != "agent-driver-1.gcode"

    driver.start("agent-driver-1.gcode")
    printing, _ = wait_for(driver, {"printing"}, with_percent=True)
    assert printing.file == "agent-driver-1.gcode"
    assert 0 <= printing.percent < 100

    finished, seen = wait_for(driver, {"finished"})
    assert finished.file == "agent-driver-1.gcode"
    assert finished.percent == 100.0
    assert finished.elapsed >= 2
    assert "error" not in seen


def test_cancelling_a_real_print_shows_cancelled(octoprint_server):
    octoprint_server.wait_until_idle()
    driver = driver_for(octoprint_server)
    driver.upload("agent-driver-2.gcode", GCODE)
    driver.start("agent-driver-2.gcode")
    wait_for(driver, {"printing"})

    driver.cancel()

    cancelled, _ = wait_for(driver, {"cancelled"})
    assert cancelled.file == "agent-driver-2.gcode"
    assert cancelled.percent is None


def test_the_agent_runs_a_job_on_a_real_octoprint_and_reports_its_time(
    octoprint_server, platform_server, tmp_path, clock
):
    from agent.config import load_config
    from agent.loop import Agent

    octoprint_server.wait_until_idle()
    platform_server.add_job(PlatformJob(id=31, printer=7, file=GCODE))
    printers = (
        f'[[printers]]\nplatform_printer = 7\ndriver = "octoprint"\nurl = "{octoprint_server.url}"\n'
        f'api_key = "{octoprint_server.api_key}"\n'
    )
    agent = Agent(load_config(write_config(tmp_path, platform_server.url, printers)), clock=clock)

    agent.poll_once()
    assert platform_server.jobs[31].print_state == "uploaded"
    status, answer = octoprint_server.request("GET", "/api/job")
    assert answer["state"] == "Operational"
    assert (answer["job"]["file"] or {}).get("name") != "job-31.gcode"

    confirm(platform_server, 31)
    agent.poll_once()
    assert platform_server.jobs[31].status == "printing"

    deadline = time.monotonic() + 60
    while platform_server.jobs[31].status == "printing" and time.monotonic() < deadline:
        time.sleep(0.3)
        agent.poll_once()

    job = platform_server.jobs[31]
    assert job.status == "printed"
    assert job.actual_seconds >= 2
    events = platform_server.events(31)
    assert events[:2] == ["uploaded", "started"]
    assert events[-1] == "finished"
    assert "progress" in events
    assert octoprint_server.request("GET", "/api/job")[1]["job"]["file"]["name"] == "job-31.gcode"


def test_an_agent_killed_mid_print_and_restarted_neither_starts_it_again_nor_loses_its_end(
    octoprint_server, platform_server, tmp_path
):
    import os
    import signal
    import subprocess
    import sys

    octoprint_server.wait_until_idle()
    long_gcode = b"G28\n" + b"".join(b"G1 X%d Y%d F3000\nG4 P500\n" % (n + 5, n + 5) for n in range(24))
    platform_server.add_job(PlatformJob(id=41, printer=7, file=long_gcode))
    printers = (
        f'[[printers]]\nplatform_printer = 7\ndriver = "octoprint"\nurl = "{octoprint_server.url}"\n'
        f'api_key = "{octoprint_server.api_key}"\n'
    )
    config = write_config(tmp_path, platform_server.url, printers)

    def run_agent():
        log = open(tmp_path / "agent.log", "ab")  # noqa: SIM115 - handed to the process
        return subprocess.Popen(
            [sys.executable, "-m", "agent", "--config", str(config), "run"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(condition, what, timeout=60):
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, (
                f"{what}: {platform_server.events(41)}\n" + (tmp_path / "agent.log").read_text()
            )
            time.sleep(0.1)

    first = run_agent()
    try:
        wait(lambda: platform_server.jobs[41].print_state == "uploaded", "uploaded")
        confirm(platform_server, 41)
        wait(lambda: platform_server.events(41).count("progress") >= 2, "progress")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    percent_before = platform_server.jobs[41].progress["percent"]
    progress_before = platform_server.events(41).count("progress")
    assert octoprint_server.request("GET", "/api/job")[1]["state"] == "Printing"

    second = run_agent()
    try:
        wait(lambda: platform_server.jobs[41].status == "printed", "printed")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=10)

    events = platform_server.events(41)
    assert events.count("started") == 1
    assert events[-1] == "finished"
    assert events.count("progress") > progress_before  # the restarted agent went on reporting
    resumed = [r["percent"] for r in platform_server.reports if r["event"] == "progress"][-1]
    assert resumed >= percent_before
    assert platform_server.jobs[41].actual_seconds >= 12
    prints = octoprint_server.request("GET", "/api/files/local/job-41.gcode")[1]["prints"]
    assert (prints["success"], prints["failure"]) == (1, 0)
