"""Fake outside services for the maker agent's tests: real HTTP servers on free local ports.

- ``FakeMoonraker`` follows Moonraker's published Web API (file upload, print start/cancel, printer objects query,
  ``{"result": ...}`` answers and ``{"error": {"code", "message"}}`` errors, ``X-Api-Key`` when it has one).
- ``FakePrusaLink`` follows PrusaLink's v1 OpenAPI document (PUT upload with ``Print-After-Upload``, POST start,
  status, job (204 without one), DELETE job), behind HTTP digest authentication (RFC 7616, MD5, qop=auth).
- ``FakePlatform`` implements the platform side of the agent contract (the job list, claim, report, printers
  heartbeat, confirm-start, print-file download) with ``Authorization: Token``.

Each keeps a log of the requests it served (``requests``), so tests can say what was (not) sent.
"""

import email.parser
import email.policy
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """(fields, files) of a multipart/form-data body; files map a field to (file name, bytes)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields, files = {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if filename is not None:
            files[name] = (filename, payload)
        else:
            fields[name] = payload.decode()
    return fields, files


class FakeServer:
    """A threaded HTTP server calling ``self.handle(request)``; ``request`` is a ``Request``."""

    def __init__(self):
        owner = self
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, dict(self.headers.items()), body)
                with owner.lock:
                    owner.requests.append((self.command, self.path))
                    status, headers, payload = owner.handle(request)
                if isinstance(payload, dict | list):
                    payload = json.dumps(payload).encode()
                    headers = {"Content-Type": "application/json", **headers}
                payload = payload or b""
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: "Request") -> tuple[int, dict, object]:
        raise NotImplementedError

    def count(self, method: str, path_start: str) -> int:
        return sum(1 for served, path in self.requests if served == method and path.startswith(path_start))


@dataclass
class Request:
    method: str
    target: str
    headers: dict
    body: bytes

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.target).path)

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> dict:
        return json.loads(self.body or b"{}")


SNAPSHOT = b"\xff\xd8\xff\xe0fake-jpeg-snapshot\xff\xd9"


# Moonraker -------------------------------------------------------------------------------------------------------
class FakeMoonraker(FakeServer):
    def __init__(self, api_key: str | None = None):
        self.api_key = api_key
        self.files: dict[str, bytes] = {}
        self.print_stats = {
            "filename": "",
            "total_duration": 0.0,
            "print_duration": 0.0,
            "filament_used": 0.0,
            "state": "standby",
            "message": "",
            "info": {"total_layer": None, "current_layer": None},
        }
        self.progress = 0.0
        self.webhooks = {"state": "ready", "state_message": "Printer is ready"}
        super().__init__()

    # What the printer does meanwhile (the tests call these).
    def advance(self, *, progress: float, seconds: float, layer: int | None = None, total_layers: int = 50):
        self.progress = progress
        self.print_stats.update(print_duration=seconds, total_duration=seconds + 5)
        self.print_stats["info"] = {"total_layer": total_layers, "current_layer": layer}

    def complete(self, *, seconds: float):
        self.advance(progress=1.0, seconds=seconds, layer=self.print_stats["info"]["total_layer"])
        self.print_stats["state"] = "complete"

    def fail(self, message: str):
        """The print ends with an error (Klipper stays ready)."""
        self.print_stats.update(state="error", message=message)

    def shutdown(self, message: str):
        """Klipper itself shuts down (a thermal runaway, an MCU lost): Klippy's state and message."""
        self.webhooks = {"state": "shutdown", "state_message": message}

    def error(self, code: int, message: str):
        return code, {}, {"error": {"code": code, "message": message}}

    def handle(self, request):
        if self.api_key and request.header("X-Api-Key") != self.api_key:
            return self.error(401, "Unauthorized")
        if request.method == "GET" and request.path == "/webcam/snapshot":
            return 200, {"Content-Type": "image/jpeg"}, SNAPSHOT
        if request.method == "POST" and request.path == "/server/files/upload":
            fields, files = parse_multipart(request.header("Content-Type"), request.body)
            if "file" not in files:
                return self.error(400, "No file name specifed in upload form")
            if fields.get("root", "gcodes") != "gcodes":
                return self.error(400, f"Invalid root request: {fields['root']}")
            name, data = files["file"]
            self.files[name] = data
            started = fields.get("print", "false").lower() == "true"
            if started:
                self._start(name)
            item = {"path": name, "root": "gcodes", "modified": 1700000000.0, "size": len(data), "permissions": "rw"}
            return (
                201,
                {},
                {"result": {"item": item, "print_started": started, "print_queued": False, "action": "create_file"}},
            )
        if request.method == "POST" and request.path == "/printer/print/start":
            name = (request.query.get("filename") or [""])[0]
            if name not in self.files:
                return self.error(400, f"File {name} does not exist")
            if self.print_stats["state"] in ("printing", "paused"):
                return self.error(400, "SD busy")
            self._start(name)
            return 200, {}, {"result": "ok"}
        if request.method == "POST" and request.path == "/printer/print/cancel":
            if self.print_stats["state"] not in ("printing", "paused"):
                return self.error(400, "Print not in progress")
            self.print_stats["state"] = "cancelled"
            return 200, {}, {"result": "ok"}
        if request.method == "GET" and request.path == "/printer/objects/query":
            objects = {
                "webhooks": dict(self.webhooks),
                "print_stats": dict(self.print_stats),
                "virtual_sdcard": {
                    "file_path": f"/gcodes/{self.print_stats['filename']}",
                    "progress": self.progress,
                    "is_active": self.print_stats["state"] == "printing",
                    "file_position": 0,
                },
                "display_status": {"progress": self.progress, "message": None},
            }
            status = {key: value for key, value in objects.items() if key in request.query}
            return 200, {}, {"result": {"eventtime": 1234.5, "status": status}}
        return self.error(404, "Not Found")

    def _start(self, name):
        self.progress = 0.0
        self.print_stats.update(
            filename=name,
            state="printing",
            message="",
            print_duration=0.0,
            total_duration=0.0,
            info={"total_layer": None, "current_layer": None},
        )


# PrusaLink -------------------------------------------------------------------------------------------------------
class FakePrusaLink(FakeServer):
    REALM = "Printer API"

    def __init__(self, user: str = "maker", password: str = "secret-digest"):
        self.user, self.password = user, password
        self.files: dict[str, bytes] = {}
        self.upload_headers: list[dict] = []
        self.state = "IDLE"
        self.job: dict | None = None
        self.next_job_id = 100
        self.nonces: set[str] = set()
        self.message = ""
        super().__init__()

    def advance(self, *, progress: float, seconds: int, remaining: int):
        self.job.update(progress=progress, time_printing=seconds, time_remaining=remaining)

    def finish(self, *, seconds: int):
        self.job.update(progress=100.0, time_printing=seconds, time_remaining=0, state="FINISHED")
        self.state = "FINISHED"

    def stop_print(self):
        """The knob's "stop print" (or a DELETE of the job)."""
        if self.job:
            self.job["state"] = "STOPPED"
        self.state = "STOPPED"

    def fail(self, message: str):
        self.state, self.message = "ERROR", message

    def _challenge(self, stale: bool = False):
        nonce = secrets.token_hex(16)
        self.nonces.add(nonce)
        value = f'Digest realm="{self.REALM}", nonce="{nonce}", qop="auth", algorithm=MD5'
        if stale:
            value += ", stale=true"
        return 401, {"WWW-Authenticate": value}, {"title": "Unauthorized", "message": "Digest authentication"}

    def _authorized(self, request) -> bool:
        header = request.header("Authorization") or ""
        if not header.startswith("Digest "):
            return False
        parts = {}
        for item in header[len("Digest ") :].split(","):
            key, _, value = item.strip().partition("=")
            parts[key] = value.strip('"')
        if parts.get("username") != self.user or parts.get("nonce") not in self.nonces:
            return False

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - what digest authentication uses

        ha1 = md5(f"{self.user}:{self.REALM}:{self.password}")
        ha2 = md5(f"{request.method}:{parts.get('uri')}")
        expected = md5(f"{ha1}:{parts['nonce']}:{parts.get('nc')}:{parts.get('cnonce')}:{parts.get('qop')}:{ha2}")
        return parts.get("response") == expected and parts.get("uri") == request.target

    def _job_body(self):
        return dict(self.job)

    def handle(self, request):
        if not self._authorized(request):
            return self._challenge()
        path = request.path
        if request.method == "GET" and path == "/api/v1/status":
            body = {
                "storage": {"path": "/usb/", "name": "usb", "read_only": False},
                "printer": {
                    "state": self.state,
                    "temp_nozzle": 215.0,
                    "target_nozzle": 215.0,
                    "temp_bed": 60.0,
                    "target_bed": 60.0,
                },
            }
            if self.state == "ERROR":
                body["printer"]["status_printer"] = {"ok": False, "message": self.message}
            if self.job:
                body["job"] = {key: self.job[key] for key in ("id", "progress", "time_remaining", "time_printing")}
            return 200, {}, body
        if request.method == "GET" and path == "/api/v1/job":
            if not self.job:
                return 204, {}, b""
            return 200, {}, self._job_body()
        if path.startswith("/api/v1/files/usb/"):
            name = path[len("/api/v1/files/usb/") :]
            if request.method == "PUT":
                self.upload_headers.append({key.lower(): value for key, value in request.headers.items()})
                if name in self.files and request.header("Overwrite") != "?1":
                    return 409, {}, {"title": "Conflict", "message": "File already exists"}
                self.files[name] = request.body
                if request.header("Print-After-Upload") == "?1":
                    self._start(name)
                return 201, {}, b""
            if request.method == "POST":
                if name not in self.files:
                    return 404, {}, {"title": "Not Found", "message": "File not found"}
                if self.state in ("PRINTING", "PAUSED", "BUSY", "ATTENTION"):
                    return 409, {}, {"title": "Conflict", "message": "Printer is busy"}
                self._start(name)
                return 204, {}, b""
        if request.method == "DELETE" and path.startswith("/api/v1/job/"):
            if not self.job or str(self.job["id"]) != path.rsplit("/", 1)[-1]:
                return 404, {}, {"title": "Not Found", "message": "No such job"}
            self.stop_print()
            return 204, {}, b""
        return 404, {}, {"title": "Not Found", "message": "Not found"}

    def _start(self, name):
        self.next_job_id += 1
        short = (name.rsplit(".", 1)[0][:6] + "~1.GCO").upper()
        self.job = {
            "id": self.next_job_id,
            "state": "PRINTING",
            "progress": 0.0,
            "time_remaining": None,
            "time_printing": 0,
            "file": {"name": short, "display_name": name, "path": "/usb", "size": len(self.files[name])},
        }
        self.state = "PRINTING"


# The platform ----------------------------------------------------------------------------------------------------
@dataclass
class PlatformJob:
    id: int
    printer: int
    file: bytes
    sha256: str | None = None
    status: str = "accepted"
    start_confirmed: bool = False
    claimed_by: str | None = None
    print_state: str = "waiting"
    progress: dict | None = None
    actual_seconds: int | None = None
    photo: bytes | None = None
    reasons: list = field(default_factory=list)

    def __post_init__(self):
        if self.sha256 is None:
            self.sha256 = hashlib.sha256(self.file).hexdigest()


class FakePlatform(FakeServer):
    def __init__(self, token: str = "agent-token-123", printers: tuple[int, ...] = (7, 8)):
        self.token = token
        self.own_printers = set(printers)
        self.jobs: dict[int, PlatformJob] = {}
        self.reports: list[dict] = []
        self.heartbeats: list[dict] = []
        self.accepts_photo = lambda photo: True
        super().__init__()

    def add_job(self, job: PlatformJob) -> PlatformJob:
        self.jobs[job.id] = job
        return job

    def events(self, job_id: int) -> list[str]:
        return [report["event"] for report in self.reports if report["job"] == job_id]

    def job_json(self, job: PlatformJob) -> dict:
        return {
            "id": job.id,
            "status": job.status,
            "printer": job.printer,
            "printer_name": f"Printer {job.printer}",
            "material": "PLA",
            "quantity": 1,
            # As Django's build_absolute_uri behind a proxy may give it: another host, plain HTTP.
            "print_file_url": f"http://internal-web:8000/api/maker/jobs/{job.id}/print-file/",
            "print_file_sha256": job.sha256,
            "print_file_name": f"job-{job.id}.gcode",
            "start_confirmed": job.start_confirmed,
            "claimed_by": job.claimed_by,
            "print_state": job.print_state,
            "progress": job.progress,
            "estimated_seconds": 600,
        }

    @staticmethod
    def detail(status: int, text: str):
        return status, {}, {"detail": text}

    def handle(self, request):
        if request.header("Authorization") != f"Token {self.token}":
            return self.detail(401, "Invalid token.")
        parts = [part for part in request.path.split("/") if part]
        if request.method == "GET" and request.path == "/api/maker/agent/jobs/":
            listed = [
                job
                for job in sorted(self.jobs.values(), key=lambda job: job.id)
                if job.status in ("accepted", "printing")
            ]
            return 200, {}, {"jobs": [self.job_json(job) for job in listed]}
        if request.method == "POST" and request.path == "/api/maker/agent/printers/":
            data = request.json()
            foreign = [entry["printer"] for entry in data["printers"] if entry["printer"] not in self.own_printers]
            if foreign:
                return self.detail(400, f"not your printers: {', '.join(map(str, foreign))}")
            self.heartbeats.append(data)
            return 200, {}, {"printers": [{"printer": e["printer"], "state": e["state"]} for e in data["printers"]]}
        job = None
        ids = [part for part in parts if part.isdigit()]
        if ids:
            job = self.jobs.get(int(ids[0]))
            if job is None:
                return self.detail(404, "Not found.")
        if request.method == "GET" and parts[-1] == "print-file" and job:
            return 200, {"Content-Type": "text/x-gcode"}, job.file
        if request.method == "POST" and parts[-1] == "confirm-start" and job:
            if job.status != "accepted":
                return self.detail(409, "Only an accepted job planned on a printer can be confirmed.")
            job.start_confirmed = True
            return 200, {}, {"start_confirmed": True}
        if request.method == "POST" and parts[-1] == "claim" and job:
            agent = request.json().get("agent")
            if job.status not in ("accepted", "printing"):
                return self.detail(409, "This job is not accepted or printing.")
            if job.claimed_by not in (None, agent):
                return self.detail(409, f"Another agent ({job.claimed_by}) holds this job.")
            job.claimed_by = agent
            return 200, {}, self.job_json(job)
        if request.method == "POST" and parts[-1] == "report" and job:
            return self._report(job, request)
        return self.detail(404, "Not found.")

    def _report(self, job: PlatformJob, request: Request):
        photo = None
        if (request.header("Content-Type") or "").startswith("multipart/"):
            data, files = parse_multipart(request.header("Content-Type"), request.body)
            photo = files.get("photo", (None, None))[1]
            if photo is not None and not self.accepts_photo(photo):
                return 400, {}, {"photo": ["Upload a valid image."]}
        else:
            data = request.json()
        if data.get("agent") != job.claimed_by:
            return self.detail(409, "Only the agent that claimed this job reports on it.")
        event = data.get("event")
        self.reports.append({"job": job.id, **data, "photo": photo})
        if event == "uploaded":
            job.print_state = "uploaded"
        elif event == "started":
            if job.status == "printing":
                return 200, {}, self.job_json(job)
            if not job.start_confirmed:
                return self.detail(409, "The maker has not confirmed that the bed is clear.")
            job.status, job.print_state = "printing", "printing"
        elif event == "progress":
            job.progress = {key: data.get(key) for key in ("percent", "layer", "seconds_left")}
        elif event == "finished":
            if job.status == "printed":
                return 200, {}, self.job_json(job)
            job.status, job.print_state = "printed", "finished"
            job.actual_seconds = int(float(data["elapsed_seconds"])) if data.get("elapsed_seconds") else None
            job.photo = photo
        elif event in ("failed", "cancelled"):
            job.status, job.print_state, job.start_confirmed = "accepted", "failed", False
            job.reasons.append(data.get("reason"))
        else:
            return self.detail(400, f"Unknown event {event!r}.")
        return 200, {}, self.job_json(job)
