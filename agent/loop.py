"""The agent's loop (README "Connecting printers: the maker agent"). Every ``poll_seconds``:

1. ask each mapped printer for its state and tell the platform (the heartbeat);
2. list the accepted/printing jobs planned on the maker's printers and, for each one on a mapped printer:
   claim it; download its print file, check its SHA-256 (a mismatch is reported as failed), upload it to the
   printer without starting it, report ``uploaded``; once the maker confirmed the bed is clear and the printer
   is ready, start it (at most once: the state file says so before the start command goes out) and report
   ``started``; while it prints report progress; at its end report ``finished`` (the printer's print time and a
   webcam snapshot where there is one), or ``failed``/``cancelled`` with the printer's words.

A report the platform did not get (network, 5xx) is sent again on the next poll; a report it refused (4xx) is
logged and not repeated. After a failed or cancelled print the maker may confirm again (the confirmation is
cleared by the platform on the failure): the agent then uploads again if needed and starts the next attempt.
"""

import hashlib
import logging
import re
import time
from collections.abc import Callable

from agent.client import PlatformClient, PlatformError
from agent.config import AgentConfig
from agent.drivers import Driver, DriverError, PrinterStatus, make_driver
from agent.drivers.base import (
    BUSY,
    CANCELLED,
    ERROR,
    FAILED,
    FINISHED,
    IDLE,
    OFFLINE,
    PAUSED,
    PRINTING,
)
from agent.state import StateStore

log = logging.getLogger("agent")

# After a start, a printer that shows our file stopped is believed only once it was seen printing or this long
# after the start (a retried job's file may still show the previous attempt's end for a moment).
START_GRACE_SECONDS = 60
REASON_MAX = 2000  # what the platform keeps of a printer's words
HEARTBEAT_STATES = {
    OFFLINE: "offline",
    IDLE: "idle",
    FINISHED: "idle",
    CANCELLED: "idle",
    FAILED: "idle",
    PRINTING: "printing",
    PAUSED: "printing",
    BUSY: "printing",
    ERROR: "error",
}


def file_name(job: dict) -> str:
    """The name the file gets on the printer: the platform's (``job-12.gcode``), reduced to safe characters."""
    name = (job.get("print_file_name") or "").rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")
    return name or f"job-{job['id']}.gcode"


def same_file(reported: str | None, ours: str | None) -> bool:
    if not reported or not ours:
        return False
    return reported.rsplit("/", 1)[-1].lower() == ours.lower()


class Agent:
    def __init__(
        self,
        config: AgentConfig,
        *,
        client: PlatformClient | None = None,
        drivers: dict[int, Driver] | None = None,
        state: StateStore | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.config = config
        self.agent_id = config.agent_id
        self.client = client or PlatformClient(config.platform_url, config.token, timeout=config.timeout_seconds)
        self.drivers = (
            drivers
            if drivers is not None
            else {printer.platform_printer: make_driver(printer) for printer in config.printers}
        )
        self.materials = {printer.platform_printer: printer.loaded_material for printer in config.printers}
        self.state = state or StateStore(config.state_file)
        self.clock = clock

    # The loop ----------------------------------------------------------------------------------------------
    def run(self, *, should_stop: Callable[[], bool] = lambda: False) -> None:
        log.info(
            "agent %s: %d printer(s), polling %s every %ss",
            self.agent_id,
            len(self.drivers),
            self.config.platform_url,
            self.config.poll_seconds,
        )
        while not should_stop():
            started = time.monotonic()
            try:
                self.poll_once()
            except PlatformError as error:
                log.warning("%s", error)
            while not should_stop() and time.monotonic() - started < self.config.poll_seconds:
                time.sleep(min(0.2, self.config.poll_seconds))

    def poll_once(self) -> dict[int, PrinterStatus]:
        statuses = {printer_id: driver.status() for printer_id, driver in self.drivers.items()}
        self.heartbeat(statuses)
        for job in self.client.jobs():
            printer_id = job.get("printer")
            if printer_id not in self.drivers:
                continue
            try:
                started = self.handle_job(job, self.drivers[printer_id], statuses[printer_id])
            except (PlatformError, DriverError) as error:
                log.warning("job %s: %s", job.get("id"), error)
                started = False
            if started:
                # The printer is busy now: the next job on it in the list waits for the next poll.
                statuses[printer_id] = PrinterStatus(BUSY, file=None)
        return statuses

    def heartbeat(self, statuses: dict[int, PrinterStatus]) -> None:
        printers = []
        for printer_id, status in statuses.items():
            entry = {"printer": printer_id, "state": HEARTBEAT_STATES.get(status.state, "offline")}
            if status.percent is not None and status.state in (PRINTING, PAUSED):
                entry["percent"] = status.percent
            if self.materials.get(printer_id):
                entry["loaded_material"] = self.materials[printer_id]
            if status.error:
                entry["message"] = status.error[:500]
            printers.append(entry)
        if not printers:
            return
        try:
            self.client.printers(self.agent_id, printers)
        except PlatformError as error:
            log.warning("heartbeat: %s", error)

    # One job -----------------------------------------------------------------------------------------------
    def handle_job(self, job: dict, driver: Driver, status: PrinterStatus) -> bool:
        """Take one job a step further; True when this call started a print."""
        job_id = job["id"]
        if job.get("claimed_by") not in (None, self.agent_id):
            return False
        fresh_claim = job.get("claimed_by") != self.agent_id
        if fresh_claim:
            job = self.client.claim(job_id, self.agent_id)
            log.info("job %s: claimed", job_id)
        record = self.state.job(job_id)
        if fresh_claim and not record.get("started") and record.get("uploaded_reported"):
            # The maker took the job back (its print state is waiting again) and it came back to this agent: the
            # file may still be on the printer, but the platform must hear again that it is, to offer the start.
            record.pop("uploaded_reported")
            self.state.save()
        if not self._pending_outcome_sent(job_id, record):
            return False
        if record.get("done") and not self._retry(job, record):
            return False
        if job.get("status") == "printing" and not record.get("started"):
            # The platform knows it started (a state file lost or replaced): never start it again, follow it.
            record.update(
                started=True, started_reported=True, file=record.get("file") or file_name(job), started_at=self.clock()
            )
            self.state.save()
        if not record.get("started"):
            if not record.get("uploaded") and not self._upload(job, driver, record):
                return False
            if not record.get("uploaded_reported"):
                self._report(job_id, record, "uploaded", flag="uploaded_reported")
            if self._may_start(job, record, status):
                self._start(job, driver, record)
                return True
            return False
        if not record.get("started_reported"):
            self._report(job_id, record, "started", flag="started_reported")
        self._follow(job_id, driver, record, status)
        return False

    def _retry(self, job: dict, record: dict) -> bool:
        """A failed/cancelled attempt is tried again once the maker confirmed anew (after the platform cleared the
        old confirmation)."""
        if (record.get("outcome") or {}).get("event") not in ("failed", "cancelled"):
            return False
        if not job.get("start_confirmed"):
            if not record.get("confirm_cleared"):
                record["confirm_cleared"] = True
                self.state.save()
            return False
        if not record.get("confirm_cleared") or job.get("status") != "accepted":
            return False
        keep = {"attempt": record.get("attempt", 1) + 1}
        if record.get("uploaded") and record.get("sha256") == job.get("print_file_sha256"):
            keep.update(uploaded=True, uploaded_reported=True, file=record["file"], sha256=record["sha256"])
        record.clear()
        record.update(keep)
        self.state.save()
        log.info("job %s: confirmed again, attempt %s", job["id"], record["attempt"])
        return True

    def _upload(self, job: dict, driver: Driver, record: dict) -> bool:
        expected = (job.get("print_file_sha256") or "").lower()
        if not expected or not job.get("print_file_url"):
            return False  # not sliced yet: nothing to print
        data = self.client.download(job["print_file_url"])
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            reason = f"the downloaded print file does not match its checksum (expected {expected}, got {actual})"
            log.warning("job %s: %s", job["id"], reason)
            self._finish(job["id"], record, "failed", reason=reason)
            return False
        name = file_name(job)
        driver.upload(name, data)
        record.update(uploaded=True, file=name, sha256=expected, uploaded_at=self.clock())
        self.state.save()
        log.info("job %s: %s uploaded to printer %s (%d bytes)", job["id"], name, job["printer"], len(data))
        return True

    def _may_start(self, job: dict, record: dict, status: PrinterStatus) -> bool:
        return (
            bool(job.get("start_confirmed"))
            and job.get("status") == "accepted"
            and job.get("print_state") not in ("printing", "finished")
            and record.get("uploaded_reported", False)
            and status.ready
        )

    def _start(self, job: dict, driver: Driver, record: dict) -> None:
        # Written before the command goes out: whatever happens next, a restart never sends it again.
        record.update(started=True, started_at=self.clock())
        self.state.save()
        try:
            driver.start(record["file"])
        except DriverError:
            log.exception("job %s: the printer refused the start", job["id"])
            record.update(started=False)
            self.state.save()
            raise
        log.info("job %s: started on printer %s", job["id"], job["printer"])
        self._report(job["id"], record, "started", flag="started_reported")

    def _follow(self, job_id: int, driver: Driver, record: dict, status: PrinterStatus) -> None:
        ours = same_file(status.file, record.get("file"))
        settled = record.get("seen_printing") or self.clock() - record.get("started_at", 0) > START_GRACE_SECONDS
        if status.state == ERROR and (ours or status.file is None):
            self._finish(
                job_id,
                record,
                "failed",
                reason=status.error or "the printer reports an error",
                elapsed_seconds=status.elapsed or record.get("elapsed"),
            )
        elif not ours:
            return
        elif status.state == FAILED and settled:
            self._finish(
                job_id,
                record,
                "failed",
                reason=status.error or "the print stopped with an error",
                percent=record.get("percent"),
                elapsed_seconds=status.elapsed or record.get("elapsed"),
            )
        elif status.state in (PRINTING, PAUSED):
            record.update(seen_printing=True, percent=status.percent, elapsed=status.elapsed)
            self.state.save()
            self._send(
                job_id,
                "progress",
                percent=status.percent,
                layer=status.layer,
                seconds_left=status.seconds_left,
                elapsed_seconds=status.elapsed,
            )
        elif status.state == FINISHED:
            self._finish(
                job_id,
                record,
                "finished",
                percent=100,
                elapsed_seconds=status.elapsed or record.get("elapsed"),
                photo=driver.snapshot(),
            )
        elif status.state == CANCELLED and settled:
            self._finish(
                job_id,
                record,
                "cancelled",
                reason=status.error or "the print was stopped on the printer",
                percent=record.get("percent"),
                elapsed_seconds=status.elapsed or record.get("elapsed"),
            )
        elif status.state == IDLE and record.get("seen_printing"):
            if (record.get("percent") or 0) >= 100:
                self._finish(
                    job_id,
                    record,
                    "finished",
                    percent=100,
                    elapsed_seconds=record.get("elapsed"),
                    photo=driver.snapshot(),
                )
            else:
                self._finish(
                    job_id,
                    record,
                    "cancelled",
                    percent=record.get("percent"),
                    reason=f"the printer stopped the print at {record.get('percent') or 0}%",
                )

    # Reports -----------------------------------------------------------------------------------------------
    def _finish(self, job_id: int, record: dict, event: str, *, photo: bytes | None = None, **fields) -> None:
        """Keep the outcome (so that it is sent again after a lost answer or a restart), then send it."""
        if fields.get("reason"):
            fields["reason"] = fields["reason"][:REASON_MAX]
        record["outcome"] = {"event": event, **{key: value for key, value in fields.items() if value is not None}}
        record["done"] = False
        self.state.save()
        log.info("job %s: %s %s", job_id, event, fields.get("reason") or "")
        self._send_outcome(job_id, record, photo=photo)

    def _pending_outcome_sent(self, job_id: int, record: dict) -> bool:
        if record.get("outcome") and not record.get("done"):
            self._send_outcome(job_id, record, photo=None)
            return bool(record.get("done"))
        return True

    def _send_outcome(self, job_id: int, record: dict, *, photo: bytes | None) -> None:
        outcome = dict(record["outcome"])
        event = outcome.pop("event")
        try:
            try:
                answer = self._send(job_id, event, photo=photo, raise_refusal=True, **outcome)
            except PlatformError as error:
                if not (photo and error.http_status == 400):
                    raise
                # The webcam's answer was not a picture the platform takes: the outcome matters, not the photo.
                log.warning("job %s: the snapshot was refused (%s); reporting without it", job_id, error.detail)
                answer = self._send(job_id, event, raise_refusal=True, **outcome)
        except PlatformError as error:
            if error.http_status is None or error.http_status >= 500:
                raise
            record["refused"] = error.detail
            answer = None
        if isinstance(answer, dict) and answer.get("start_confirmed") is False:
            # The platform answered with the job and its confirmation cleared: a confirmation from now on is new.
            record["confirm_cleared"] = True
        record["done"] = True
        self.state.save()

    def _report(self, job_id: int, record: dict, event: str, *, flag: str) -> None:
        try:
            self._send(job_id, event, raise_refusal=True)
        except PlatformError as error:
            if error.http_status is None or error.http_status >= 500:
                raise
            log.warning("job %s: the platform refused %r: %s", job_id, event, error.detail)
        record[flag] = True
        self.state.save()

    def _send(self, job_id: int, event: str, *, photo: bytes | None = None, raise_refusal: bool = False, **fields):
        try:
            return self.client.report(job_id, self.agent_id, event, photo=photo, **fields)
        except PlatformError as error:
            if raise_refusal:
                raise
            log.warning("job %s: %s", job_id, error)
            return None
