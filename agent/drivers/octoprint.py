"""OctoPrint's REST API (docs.octoprint.org, "REST API"): ``X-Api-Key`` with a user's application key;
``POST /api/files/local`` (multipart ``file``) uploads, ``POST /api/files/local/<name>`` with
``{"command": "select", "print": true}`` starts, ``GET /api/job`` and ``GET /api/printer`` tell the state,
``POST /api/job {"command": "cancel"}`` cancels.

After a print OctoPrint is "Operational" again with the file still selected: ``progress.completion`` 100 and
``printTime`` kept means it ran to its end; completion null means it was cancelled."""

from urllib.parse import quote

from agent.drivers.base import (
    BUSY,
    CANCELLED,
    ERROR,
    FINISHED,
    IDLE,
    OFFLINE,
    PAUSED,
    PRINTING,
    Driver,
    DriverError,
    PrinterStatus,
    whole,
)

PRINTING_TEXTS = {"printing", "starting", "finishing", "resuming", "printing from sd", "sending file to sd"}
PAUSED_TEXTS = {"paused", "pausing"}
BUSY_TEXTS = {
    "cancelling",
    "connecting",
    "opening serial connection",
    "detecting serial connection",
    "detecting baudrate",
}


class OctoPrintDriver(Driver):
    name = "OctoPrint"

    def __init__(self, config, **kwargs):
        super().__init__(config, **kwargs)
        self.session.headers.update({"X-Api-Key": config.api_key})

    def upload(self, name: str, data: bytes) -> None:
        self.request(
            "POST",
            "/api/files/local",
            files={"file": (name, data, "application/octet-stream")},
            data={"select": "false", "print": "false"},
        )

    def start(self, name: str) -> None:
        self.request("POST", f"/api/files/local/{quote(name)}", json={"command": "select", "print": True})

    def cancel(self) -> None:
        self.request("POST", "/api/job", json={"command": "cancel"})

    def status(self) -> PrinterStatus:
        try:
            job = self.request("GET", "/api/job").json()
        except DriverError as error:
            return PrinterStatus(OFFLINE, error=str(error))
        text = (job.get("state") or "").strip()
        lowered = text.lower()
        file = ((job.get("job") or {}).get("file") or {}).get("name")
        progress = job.get("progress") or {}
        completion = progress.get("completion")
        common = {
            "file": file,
            "percent": None if completion is None else round(float(completion), 1),
            "seconds_left": whole(progress.get("printTimeLeft")),
            "elapsed": whole(progress.get("printTime")),
        }
        if lowered.startswith(("offline after error", "error")) or job.get("error"):
            return PrinterStatus(ERROR, error=self._error_text(job, text), **common)
        if lowered.startswith(("offline", "closed")) or not text:
            return PrinterStatus(OFFLINE, error=text or None, **common)
        if lowered in PRINTING_TEXTS:
            return PrinterStatus(PRINTING, **common)
        if lowered in PAUSED_TEXTS:
            return PrinterStatus(PAUSED, **common)
        if lowered in BUSY_TEXTS:
            return PrinterStatus(BUSY, **common)
        if lowered.startswith("operational") or lowered == "ready":
            if file and completion is not None and completion >= 100:
                return PrinterStatus(FINISHED, **common)
            if file and completion is None:
                # The agent only ever selects a file to print it: selected, not running, no progress = stopped.
                return PrinterStatus(CANCELLED, **common)
            return PrinterStatus(IDLE, **common)
        return PrinterStatus(BUSY, **common)

    def _error_text(self, job: dict, text: str) -> str:
        error = job.get("error")
        if not error:
            try:
                printer = self.request("GET", "/api/printer").json()
                error = (printer.get("state") or {}).get("error")
            except DriverError:
                error = None
        return str(error or text)
