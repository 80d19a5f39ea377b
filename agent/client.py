"""The platform's maker API as the agent uses it (README "Connecting printers: the maker agent"): HTTPS (or HTTP on
a local network), ``Authorization: Token <key>`` with an agent token, JSON in and out, errors as
``{"detail": "..."}``."""

from urllib.parse import urlsplit

import requests

USER_AGENT = "makernet-agent/1"


class PlatformError(Exception):
    """The platform answered with an error (``http_status`` is the HTTP status, ``detail`` its message) or could not be
    reached (``http_status`` None)."""

    def __init__(self, message: str, *, http_status: int | None = None, detail: str | None = None):
        super().__init__(message)
        self.http_status = http_status
        self.detail = detail


class PlatformClient:
    def __init__(self, url: str, token: str, *, timeout: float = 30.0, session: requests.Session | None = None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}", "User-Agent": USER_AGENT})

    def _request(self, method: str, path_or_url: str, **kwargs) -> requests.Response:
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.url + path_or_url
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            raise PlatformError(f"{method} {url}: the platform cannot be reached ({error})")
        if response.status_code >= 400:
            detail = None
            try:
                body = response.json()
                detail = body.get("detail") if isinstance(body, dict) else None
            except ValueError:
                detail = None
            detail = detail or response.text[:300]
            raise PlatformError(
                f"{method} {url}: {response.status_code} {detail}", http_status=response.status_code, detail=detail
            )
        return response

    def _json(self, method: str, path: str, **kwargs) -> dict:
        response = self._request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise PlatformError(f"{method} {path}: the platform's answer is not JSON", http_status=response.status_code)

    def jobs(self) -> list[dict]:
        return self._json("GET", "/api/maker/agent/jobs/").get("jobs", [])

    def claim(self, job_id: int, agent_id: str) -> dict:
        return self._json("POST", f"/api/maker/agent/jobs/{job_id}/claim/", json={"agent": agent_id})

    def report(self, job_id: int, agent_id: str, event: str, *, photo: bytes | None = None, **fields) -> dict:
        data = {"agent": agent_id, "event": event}
        data.update({key: value for key, value in fields.items() if value is not None})
        path = f"/api/maker/agent/jobs/{job_id}/report/"
        if photo:
            files = {"photo": (f"job-{job_id}-snapshot.jpg", photo, "image/jpeg")}
            return self._json("POST", path, data={key: str(value) for key, value in data.items()}, files=files)
        return self._json("POST", path, json=data)

    def printers(self, agent_id: str, printers: list[dict]) -> dict:
        return self._json("POST", "/api/maker/agent/printers/", json={"agent": agent_id, "printers": printers})

    def confirm_start(self, job_id: int) -> dict:
        return self._json("POST", f"/api/maker/jobs/{job_id}/confirm-start/", json={})

    def download(self, url: str) -> bytes:
        """The print file. Its path is fetched from the configured platform URL: behind a proxy the absolute URL the
        platform builds may name an internal host or plain HTTP, and the token goes nowhere else."""
        parts = urlsplit(url)
        return self._request("GET", parts.path + (f"?{parts.query}" if parts.query else "")).content
