"""Sending a webhook: checked against ``core.webhook_targets`` at save time and again at delivery, then POSTed to
the very address that was checked.

The host name is resolved once per delivery (``resolve``, replaced in the tests) and the connection goes to
that address, while the request carries the URL's own ``Host`` header and, for https, the host name as SNI and
for the certificate check: a name that resolves to a public address when it is checked and to an internal one a
moment later (DNS rebinding) never reaches the internal one. Redirects are not followed (a 3xx is a failed
delivery), the whole exchange has a deadline (``WEBHOOK_TIMEOUT_SECONDS``) and at most
``WEBHOOK_MAX_RESPONSE_BYTES`` of the answer are read.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core import webhook_targets
from core.errors import DomainError


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver); the tests put their own in its place."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class WebhookUrlRefused(DomainError):
    """A webhook URL the platform will not call (400 naming the field ``webhook_url``)."""

    def __init__(self, refusal: webhook_targets.TargetRefused):
        params = {
            key: _(value) if key == "kind" else value  # the kind of address is a phrase of its own
            for key, value in refusal.params.items()
        }
        message = _(refusal.template) % params if params else _(refusal.template)
        super().__init__(message, code=refusal.code, details={"field": "webhook_url"})
        self.refusal = refusal


class WebhookFailed(OSError):
    """A delivery that did not succeed. ``permanent``: trying again cannot help (a refused address, a redirect);
    otherwise the notify task retries with backoff (it retries on OSError)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: bytes  # at most WEBHOOK_MAX_RESPONSE_BYTES
    truncated: bool


def webhook_url_check(url: str, *, resolver=None) -> tuple[webhook_targets.Target, str]:
    """The target of ``url`` and the one address to connect to; ``WebhookUrlRefused`` if it may not be called."""
    try:
        target, address = webhook_targets.vet_url(
            url, resolver or resolve, allow_private=settings.WEBHOOK_ALLOW_PRIVATE_TARGETS
        )
    except webhook_targets.TargetRefused as refusal:
        raise WebhookUrlRefused(refusal) from None
    return target, str(address)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to a vetted address; ``host`` stays the URL's (the Host header)."""

    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self):
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to a vetted address: SNI and the certificate check use the URL's host name."""

    def __init__(self, host, port, *, address: str, timeout: float, context: ssl.SSLContext):
        super().__init__(host, port, timeout=timeout, context=context)
        self.pinned_address = address
        self.tls_context = context

    def connect(self):
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.host)


def _read_capped(response: http.client.HTTPResponse, sock, *, limit: int, deadline: float) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of the body (and whether there was more), all of it before ``deadline``."""
    chunks, size = [], 0
    while size <= limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the answer took too long")
        sock.settimeout(remaining)
        chunk = response.read1(min(16384, limit + 1 - size))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:limit], True


def webhook_post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    resolver=None,
    ssl_context: ssl.SSLContext | None = None,
) -> WebhookAnswer:
    """POST ``body`` to ``url`` once, to the address vetted for it. Raises ``WebhookFailed`` unless the answer
    is a 2xx (its body cut at ``WEBHOOK_MAX_RESPONSE_BYTES``)."""
    try:
        target, address = webhook_url_check(url, resolver=resolver)
    except WebhookUrlRefused as refused:
        raise WebhookFailed(f"refused: {refused.refusal.message}", permanent=True) from None
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(
            target.host,
            target.port,
            address=address,
            timeout=timeout,
            context=ssl_context or ssl.create_default_context(),
        )
    else:
        connection = _PinnedHTTPConnection(target.host, target.port, address=address, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        sock = connection.sock
        sock.settimeout(max(0.001, deadline - time.monotonic()))
        response = connection.getresponse()
        data, truncated = _read_capped(response, sock, limit=settings.WEBHOOK_MAX_RESPONSE_BYTES, deadline=deadline)
    except TimeoutError:
        raise WebhookFailed(f"no answer within {timeout} s") from None
    except (OSError, http.client.HTTPException) as error:
        raise WebhookFailed(f"{type(error).__name__}: {error}") from None
    finally:
        connection.close()
    if 300 <= response.status < 400:
        location = response.getheader("Location", "")[:200]
        raise WebhookFailed(f"answered {response.status} (redirect to {location!r} not followed)", permanent=True)
    if response.status >= 300:
        raise WebhookFailed(f"answered {response.status}")
    return WebhookAnswer(status=response.status, body=data, truncated=truncated)
