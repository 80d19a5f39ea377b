"""One interface for every printer host: ``upload(name, data)`` puts a file on the printer without starting it,
``start(name)`` starts it, ``status()`` says what the printer is doing, ``cancel()`` stops a print, ``snapshot()``
returns a webcam picture (or None)."""

from dataclasses import dataclass

import requests

from agent.config import PrinterConfig

# What ``status().state`` can be:
OFFLINE = "offline"  # the printer host does not answer, or the host has no printer connected
IDLE = "idle"  # ready; no print selected (or the last one was acknowledged)
BUSY = "busy"  # doing something that is not a print (cancelling, homing, a firmware's "busy")
PRINTING = "printing"
PAUSED = "paused"
FINISHED = "finished"  # the print of ``file`` ran to its end; the printer is ready again
CANCELLED = "cancelled"  # the print of ``file`` was stopped before its end; the printer is ready again
FAILED = "failed"  # the print of ``file`` ended with an error (``error`` has its words); the printer is ready again
ERROR = "error"  # the printer itself is in error (``error`` has its words): nothing starts until it is cleared
READY_STATES = frozenset({IDLE, FINISHED, CANCELLED, FAILED})


@dataclass(frozen=True)
class PrinterStatus:
    state: str
    file: str | None = None
    percent: float | None = None
    layer: int | None = None
    seconds_left: int | None = None
    elapsed: int | None = None  # the printer's own print time of ``file`` so far (in total once finished)
    error: str | None = None

    @property
    def ready(self) -> bool:
        return self.state in READY_STATES


class DriverError(Exception):
    """The printer host refused a command or could not be reached; the message says which and why."""


def whole(value) -> int | None:
    return None if value is None else round(value)


class Driver:
    name = "base"

    def __init__(self, config: PrinterConfig, *, session: requests.Session | None = None):
        self.config = config
        self.url = config.url
        self.timeout = config.timeout_seconds
        self.session = session or requests.Session()

    # The HTTP plumbing every driver shares.
    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        url = self.url + path
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            raise DriverError(f"{self.name} at {self.url} cannot be reached ({error.__class__.__name__})")
        if response.status_code >= 400:
            raise DriverError(f"{self.name} {method} {path}: {response.status_code} {self.error_text(response)}")
        return response

    @staticmethod
    def error_text(response: requests.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return response.text[:300].strip()
        if isinstance(body, dict):
            error = body.get("error") or body.get("detail") or body.get("message") or body.get("title")
            if isinstance(error, dict):
                error = error.get("message")
            if error:
                return str(error)
        return str(body)[:300]

    def upload(self, name: str, data: bytes) -> None:
        raise NotImplementedError

    def start(self, name: str) -> None:
        raise NotImplementedError

    def status(self) -> PrinterStatus:
        raise NotImplementedError

    def cancel(self) -> None:
        raise NotImplementedError

    def snapshot(self) -> bytes | None:
        """A webcam picture from ``snapshot_url`` when configured and answering, else None (never raises)."""
        if not self.config.snapshot_url:
            return None
        try:
            response = self.session.get(self.config.snapshot_url, timeout=self.timeout)
        except requests.RequestException:
            return None
        if response.status_code != 200 or not response.content:
            return None
        return response.content
