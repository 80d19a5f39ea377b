"""Moonraker's HTTP API, Klipper's API server (moonraker.readthedocs.io, "Web API"): ``X-Api-Key`` when the
instance asks for one; ``POST /server/files/upload`` (multipart ``file``, ``root=gcodes``, ``print=false``)
uploads, ``POST /printer/print/start?filename=`` starts, ``GET /printer/objects/query?print_stats&virtual_sdcard&
display_status`` tells the state, ``POST /printer/print/cancel`` cancels. Answers are ``{"result": ...}``, errors
``{"error": {"code", "message"}}``. ``webhooks`` is asked too: Klippy's own state (ready, startup, shutdown, error
with ``state_message``), the printer-level error.

``print_stats.state`` is standby, printing, paused, complete, cancelled or error (that print failed; its
``message`` says why); it stays on the last print's values until the next one starts. The layer comes from
``print_stats.info`` (set by the slicer's SET_PRINT_STATS_INFO), the progress from ``display_status`` (M73) or
else ``virtual_sdcard``."""

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
    Driver,
    DriverError,
    PrinterStatus,
    whole,
)

STATES = {
    "standby": IDLE,
    "printing": PRINTING,
    "paused": PAUSED,
    "complete": FINISHED,
    "cancelled": CANCELLED,
    "error": FAILED,
}
QUERY = "/printer/objects/query?webhooks&print_stats&virtual_sdcard&display_status"


class MoonrakerDriver(Driver):
    name = "Moonraker"

    def __init__(self, config, **kwargs):
        super().__init__(config, **kwargs)
        if config.api_key:
            self.session.headers.update({"X-Api-Key": config.api_key})

    def upload(self, name: str, data: bytes) -> None:
        self.request(
            "POST",
            "/server/files/upload",
            files={"file": (name, data, "application/octet-stream")},
            data={"root": "gcodes", "print": "false"},
        )

    def start(self, name: str) -> None:
        self.request("POST", "/printer/print/start", params={"filename": name})

    def cancel(self) -> None:
        self.request("POST", "/printer/print/cancel")

    def status(self) -> PrinterStatus:
        try:
            answer = self.request("GET", QUERY).json()
        except DriverError as error:
            return PrinterStatus(OFFLINE, error=str(error))
        status = (answer.get("result") or {}).get("status") or {}
        stats = status.get("print_stats") or {}
        sdcard = status.get("virtual_sdcard") or {}
        display = status.get("display_status") or {}
        klippy = status.get("webhooks") or {}
        progress = display.get("progress") or sdcard.get("progress")
        state = STATES.get(stats.get("state"), BUSY)
        message = (stats.get("message") or "the print stopped with an error") if state == FAILED else None
        if klippy.get("state") in ("shutdown", "error"):
            state, message = ERROR, klippy.get("state_message") or f"Klipper is in {klippy['state']}"
        elif klippy.get("state") == "startup":
            state = BUSY
        elapsed = stats.get("print_duration")
        seconds_left = None
        if state in (PRINTING, PAUSED) and progress and elapsed:
            seconds_left = whole(elapsed / progress - elapsed)
        if state == FINISHED:
            progress, seconds_left = 1.0, 0
        layer = (stats.get("info") or {}).get("current_layer")
        return PrinterStatus(
            state,
            file=stats.get("filename") or None,
            percent=None if progress is None else round(float(progress) * 100, 1),
            layer=layer,
            seconds_left=seconds_left,
            elapsed=whole(elapsed),
            error=message,
        )
