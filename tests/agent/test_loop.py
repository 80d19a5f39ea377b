"""The agent's loop against a fake platform (the agent contract) and a fake Moonraker (its published Web API)."""

import hashlib
import json

from agent.__main__ import main
from agent.client import PlatformClient
from tests.agent.conftest import TOKEN, moonraker_printer
from tests.agent.fakes import SNAPSHOT, PlatformJob

GCODE = b"; sliced for printer 7\nG28\nG1 X10 Y10 F3000\n" * 20


def confirm(platform_server, job_id):
    return PlatformClient(platform_server.url, TOKEN).confirm_start(job_id)


def test_a_new_job_is_claimed_and_uploaded_but_not_started_before_the_maker_confirms(
    platform_server, moonraker, make_agent
):
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    agent = make_agent(moonraker_printer(moonraker))

    agent.poll_once()
    agent.poll_once()

    job = platform_server.jobs[12]
    assert job.claimed_by == "workshop-1"
    assert job.print_state == "uploaded"
    assert job.status == "accepted"
    assert moonraker.files == {"job-12.gcode": GCODE}
    assert moonraker.count("POST", "/printer/print/start") == 0
    assert moonraker.print_stats["state"] == "standby"
    assert platform_server.events(12) == ["uploaded"]
    assert platform_server.heartbeats[-1] == {
        "agent": "workshop-1",
        "printers": [{"printer": 7, "state": "idle", "loaded_material": "PLA"}],
    }


def test_after_the_confirmation_the_print_starts_once_and_its_progress_and_end_reach_the_platform(
    platform_server, moonraker, make_agent
):
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    agent = make_agent(moonraker_printer(moonraker))
    agent.poll_once()

    assert confirm(platform_server, 12) == {"start_confirmed": True}
    agent.poll_once()

    assert moonraker.requests.count(("POST", "/printer/print/start?filename=job-12.gcode")) == 1
    assert platform_server.jobs[12].status == "printing"
    assert platform_server.events(12) == ["uploaded", "started"]

    moonraker.advance(progress=0.42, seconds=120, layer=7)
    agent.poll_once()
    agent.poll_once()

    assert moonraker.count("POST", "/printer/print/start") == 1
    assert platform_server.jobs[12].progress == {"percent": 42.0, "layer": 7, "seconds_left": 166}
    progress = [report for report in platform_server.reports if report["event"] == "progress"]
    assert progress[-1] == {
        "job": 12,
        "agent": "workshop-1",
        "event": "progress",
        "percent": 42.0,
        "layer": 7,
        "seconds_left": 166,
        "elapsed_seconds": 120,
        "photo": None,
    }
    assert platform_server.heartbeats[-1]["printers"] == [
        {"printer": 7, "state": "printing", "percent": 42.0, "loaded_material": "PLA"}
    ]

    moonraker.complete(seconds=3125.4)
    agent.poll_once()
    agent.poll_once()

    job = platform_server.jobs[12]
    assert job.status == "printed"
    assert job.print_state == "finished"
    assert job.actual_seconds == 3125
    assert job.photo == SNAPSHOT
    assert platform_server.events(12) == ["uploaded", "started", "progress", "progress", "finished"]
    assert moonraker.count("POST", "/printer/print/start") == 1


def test_a_file_that_does_not_match_its_checksum_is_reported_failed_and_never_reaches_the_printer(
    platform_server, moonraker, make_agent
):
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE, sha256=hashlib.sha256(b"other").hexdigest()))
    agent = make_agent(moonraker_printer(moonraker))

    agent.poll_once()
    agent.poll_once()

    expected, actual = hashlib.sha256(b"other").hexdigest(), hashlib.sha256(GCODE).hexdigest()
    assert platform_server.events(12) == ["failed"]
    assert platform_server.jobs[12].reasons == [
        f"the downloaded print file does not match its checksum (expected {expected}, got {actual})"
    ]
    assert platform_server.jobs[12].print_state == "failed"
    assert moonraker.files == {}
    assert moonraker.count("POST", "/server/files/upload") == 0


def test_a_print_ending_in_an_error_is_reported_failed_with_the_printers_words_and_can_be_retried(
    platform_server, moonraker, make_agent
):
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    agent = make_agent(moonraker_printer(moonraker))
    agent.poll_once()
    confirm(platform_server, 12)
    agent.poll_once()
    moonraker.advance(progress=0.1, seconds=60, layer=2)
    agent.poll_once()

    moonraker.fail("Heater extruder not heating at expected rate")
    agent.poll_once()
    agent.poll_once()

    job = platform_server.jobs[12]
    assert job.reasons == ["Heater extruder not heating at expected rate"]
    assert (job.status, job.print_state, job.start_confirmed) == ("accepted", "failed", False)
    assert platform_server.events(12) == ["uploaded", "started", "progress", "failed"]
    failed = platform_server.reports[-1]
    assert failed["elapsed_seconds"] == 60
    assert platform_server.heartbeats[-1]["printers"] == [
        {
            "printer": 7,
            "state": "idle",
            "loaded_material": "PLA",
            "message": "Heater extruder not heating at expected rate",
        }
    ]
    assert moonraker.count("POST", "/printer/print/start") == 1

    # The maker fixes the heater and confirms again: the file is still on the printer, the print starts again
    # (Klipper keeps the failed print's "error" in print_stats until the next print: the printer is ready).
    confirm(platform_server, 12)
    agent.poll_once()

    assert moonraker.count("POST", "/printer/print/start") == 2
    assert moonraker.count("POST", "/server/files/upload") == 1
    assert platform_server.jobs[12].status == "printing"
    assert platform_server.events(12)[-1] == "started"


def test_klipper_shutting_down_fails_the_print_and_shows_the_printer_in_error(platform_server, moonraker, make_agent):
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    agent = make_agent(moonraker_printer(moonraker))
    agent.poll_once()
    confirm(platform_server, 12)
    agent.poll_once()

    moonraker.shutdown("Thermal runaway on extruder")
    agent.poll_once()
    confirm(platform_server, 12)
    agent.poll_once()

    assert platform_server.jobs[12].reasons == ["Thermal runaway on extruder"]
    assert platform_server.events(12) == ["uploaded", "started", "failed"]
    assert platform_server.heartbeats[-1]["printers"] == [
        {"printer": 7, "state": "error", "loaded_material": "PLA", "message": "Thermal runaway on extruder"}
    ]
    # Confirmed again, but a printer in error starts nothing.
    assert moonraker.count("POST", "/printer/print/start") == 1
    assert platform_server.jobs[12].status == "accepted"


def test_a_print_cancelled_on_the_printer_is_reported_cancelled(platform_server, moonraker, make_agent):
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    agent = make_agent(moonraker_printer(moonraker))
    agent.poll_once()
    confirm(platform_server, 12)
    agent.poll_once()
    moonraker.advance(progress=0.3, seconds=90, layer=4)
    agent.poll_once()

    moonraker.print_stats["state"] = "cancelled"
    agent.poll_once()

    assert platform_server.events(12)[-1] == "cancelled"
    assert platform_server.jobs[12].reasons == ["the print was stopped on the printer"]
    assert platform_server.jobs[12].status == "accepted"


def test_a_restarted_agent_does_not_start_the_print_again_and_resumes_progress(
    platform_server, moonraker, make_agent, tmp_path
):
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    first = make_agent(moonraker_printer(moonraker))
    first.poll_once()
    confirm(platform_server, 12)
    first.poll_once()
    moonraker.advance(progress=0.2, seconds=50, layer=3)
    first.poll_once()
    saved = json.loads((tmp_path / "agent-state.json").read_text())
    assert saved["jobs"]["12"]["started"] is True
    assert saved["jobs"]["12"]["file"] == "job-12.gcode"

    # The agent is killed; the printer goes on; a new agent process reads the same config and state file.
    del first
    moonraker.advance(progress=0.5, seconds=125, layer=9)
    second = make_agent(moonraker_printer(moonraker))
    second.poll_once()

    assert moonraker.count("POST", "/printer/print/start") == 1
    assert moonraker.count("POST", "/server/files/upload") == 1
    assert platform_server.jobs[12].progress == {"percent": 50.0, "layer": 9, "seconds_left": 125}
    assert platform_server.events(12) == ["uploaded", "started", "progress", "progress"]

    moonraker.complete(seconds=250)
    second.poll_once()
    assert platform_server.jobs[12].status == "printed"
    assert platform_server.jobs[12].actual_seconds == 250


def test_without_its_state_file_the_agent_follows_a_print_the_platform_knows_as_started(
    platform_server, moonraker, make_agent, tmp_path
):
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    first = make_agent(moonraker_printer(moonraker))
    first.poll_once()
    confirm(platform_server, 12)
    first.poll_once()
    (tmp_path / "agent-state.json").unlink()

    moonraker.advance(progress=0.6, seconds=100, layer=10)
    make_agent(moonraker_printer(moonraker)).poll_once()

    assert moonraker.count("POST", "/printer/print/start") == 1
    assert platform_server.jobs[12].progress == {"percent": 60.0, "layer": 10, "seconds_left": 67}


def test_a_job_another_agent_holds_is_left_alone(platform_server, moonraker, make_agent):
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE, claimed_by="garage-2"))
    platform_server.add_job(PlatformJob(id=13, printer=99, file=GCODE))
    agent = make_agent(moonraker_printer(moonraker))

    agent.poll_once()

    assert platform_server.jobs[12].claimed_by == "garage-2"
    assert platform_server.jobs[13].claimed_by is None
    assert moonraker.files == {}
    assert platform_server.reports == []


def test_a_job_without_a_sliced_file_waits(platform_server, moonraker, make_agent):
    job = platform_server.add_job(PlatformJob(id=12, printer=7, file=b""))
    job.sha256 = None
    agent = make_agent(moonraker_printer(moonraker))

    agent.poll_once()

    assert job.claimed_by == "workshop-1"
    assert moonraker.files == {}
    assert platform_server.reports == []


def test_a_second_job_on_a_busy_printer_waits_for_the_first(platform_server, moonraker, make_agent):
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    platform_server.add_job(PlatformJob(id=13, printer=7, file=GCODE + b"M117 two\n"))
    agent = make_agent(moonraker_printer(moonraker))
    agent.poll_once()
    confirm(platform_server, 12)
    confirm(platform_server, 13)

    agent.poll_once()
    agent.poll_once()

    assert moonraker.requests.count(("POST", "/printer/print/start?filename=job-12.gcode")) == 1
    assert moonraker.count("POST", "/printer/print/start?filename=job-13.gcode") == 0
    assert platform_server.jobs[13].status == "accepted"

    moonraker.complete(seconds=30)
    agent.poll_once()
    agent.poll_once()

    assert platform_server.jobs[12].status == "printed"
    assert moonraker.count("POST", "/printer/print/start?filename=job-13.gcode") == 1
    assert platform_server.jobs[13].status == "printing"


def test_an_unreachable_printer_is_reported_offline(platform_server, make_agent):
    printers = '[[printers]]\nplatform_printer = 7\ndriver = "moonraker"\nurl = "http://127.0.0.1:9"\n'
    agent = make_agent(printers)

    agent.poll_once()

    entry = platform_server.heartbeats[-1]["printers"][0]
    assert entry["state"] == "offline"
    assert entry["message"] == "Moonraker at http://127.0.0.1:9 cannot be reached (ConnectionError)"


def test_the_confirm_command_tells_the_platform_and_says_so(platform_server, moonraker, tmp_path, capsys):
    from tests.agent.conftest import write_config

    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    config = write_config(tmp_path, platform_server.url, moonraker_printer(moonraker))

    assert main(["--config", str(config), "confirm", "12"]) == 0
    assert platform_server.jobs[12].start_confirmed is True
    assert capsys.readouterr().out == "job 12: bed confirmed clear; the agent starts it when the printer is ready\n"

    platform_server.jobs[12].status = "printed"
    assert main(["--config", str(config), "confirm", "12"]) == 1
    assert capsys.readouterr().err == (
        "agent: job 12 not confirmed: Only an accepted job planned on a printer can be confirmed.\n"
    )


def test_the_once_command_runs_one_poll(platform_server, moonraker, tmp_path):
    from tests.agent.conftest import write_config

    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    config = write_config(tmp_path, platform_server.url, moonraker_printer(moonraker))

    assert main(["--config", str(config), "once"]) == 0

    assert platform_server.events(12) == ["uploaded"]
    assert moonraker.files == {"job-12.gcode": GCODE}


def test_a_wrong_token_is_a_clear_error(platform_server, moonraker, tmp_path, capsys):
    from tests.agent.conftest import write_config

    config = write_config(tmp_path, platform_server.url, moonraker_printer(moonraker))
    config.write_text(config.read_text().replace(TOKEN, "wrong"))

    assert main(["--config", str(config), "once"]) == 1
    assert capsys.readouterr().err == f"agent: GET {platform_server.url}/api/maker/agent/jobs/: 401 Invalid token.\n"


def test_a_snapshot_the_platform_refuses_does_not_hold_back_the_end_of_the_print(
    platform_server, moonraker, make_agent
):
    platform_server.accepts_photo = lambda photo: photo.startswith(b"\x89PNG")
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    agent = make_agent(moonraker_printer(moonraker))
    agent.poll_once()
    confirm(platform_server, 12)
    agent.poll_once()

    moonraker.complete(seconds=90)
    agent.poll_once()

    job = platform_server.jobs[12]
    assert (job.status, job.actual_seconds, job.photo) == ("printed", 90, None)
    assert platform_server.events(12) == ["uploaded", "started", "finished"]


def test_a_job_the_maker_took_back_and_this_agent_claims_again_is_offered_for_the_start_again(
    platform_server, moonraker, make_agent
):
    # given a job this agent uploaded and reported
    platform_server.add_job(PlatformJob(id=12, printer=7, file=GCODE))
    agent = make_agent(moonraker_printer(moonraker))
    agent.poll_once()
    assert platform_server.events(12) == ["uploaded"]
    # when the maker takes it back from the agent (the platform forgets the claim and the upload)
    job = platform_server.jobs[12]
    job.claimed_by, job.print_state = None, "waiting"
    agent.poll_once()
    # then the agent claims it again and says again that the file is on the printer, without starting it
    assert (job.claimed_by, job.print_state) == ("workshop-1", "uploaded")
    assert platform_server.events(12) == ["uploaded", "uploaded"]
    assert moonraker.count("POST", "/printer/print/start") == 0
