"""PrusaLink's v1 API (Prusa's OpenAPI document, Prusa-Link-Web spec/openapi.yaml), HTTP digest login with the
user and password shown on the printer: ``PUT /api/v1/files/usb/<name>`` with the file as the body and
``Print-After-Upload: ?0`` (``Overwrite: ?1``) uploads, ``POST /api/v1/files/usb/<name>`` starts it,
``GET /api/v1/status`` (printer state) and ``GET /api/v1/job`` (the job, 204 when there is none) tell the state,
``DELETE /api/v1/job/<id>`` stops it.

Printer states: IDLE, BUSY, PRINTING, PAUSED, FINISHED, STOPPED, ERROR, ATTENTION, READY. FINISHED and STOPPED
stay until the next print (or the knob)."""

from urllib.parse import quote

from requests.auth import HTTPDigestAuth

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

STATES = {
    "IDLE": IDLE,
    "READY": IDLE,
    "BUSY": BUSY,
    "PRINTING": PRINTING,
    "PAUSED": PAUSED,
    "ATTENTION": PAUSED,
    "FINISHED": FINISHED,
    "STOPPED": CANCELLED,
    "ERROR": ERROR,
}
STORAGE = "usb"


class PrusaLinkDriver(Driver):
    name = "PrusaLink"

    def __init__(self, config, **kwargs):
        super().__init__(config, **kwargs)
        self.session.auth = HTTPDigestAuth(config.user, config.password)

    def _path(self, name: str) -> str:
        return f"/api/v1/files/{STORAGE}/{quote(name)}"

    def upload(self, name: str, data: bytes) -> None:
        self.request(
            "PUT",
            self._path(name),
            data=data,
            headers={"Content-Type": "application/octet-stream", "Print-After-Upload": "?0", "Overwrite": "?1"},
        )

    def start(self, name: str) -> None:
        self.request("POST", self._path(name))

    def cancel(self) -> None:
        job = self._job()
        if job and job.get("id") is not None:
            self.request("DELETE", f"/api/v1/job/{job['id']}")

    def _job(self) -> dict | None:
        response = self.request("GET", "/api/v1/job")
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def status(self) -> PrinterStatus:
        try:
            status = self.request("GET", "/api/v1/status").json()
            job = self._job()
        except DriverError as error:
            return PrinterStatus(OFFLINE, error=str(error))
        printer = status.get("printer") or {}
        state = STATES.get(printer.get("state"), BUSY)
        job = job or {}
        file = job.get("file") or {}
        progress = job.get("progress")
        error = None
        if state == ERROR:
            error = (printer.get("status_printer") or {}).get("message") or "the printer reports an error"
        return PrinterStatus(
            state,
            file=file.get("display_name") or file.get("name") or None,
            percent=None if progress is None else round(float(progress), 1),
            seconds_left=whole(job.get("time_remaining")),
            elapsed=whole(job.get("time_printing")),
            error=error,
        )
