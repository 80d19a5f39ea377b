"""Webhooks go only to http(s) at public internet addresses, checked when the URL is saved and again when a
notification is sent, and the request goes to the very address checked (issue 17, point 1).

No test here reaches out or asks a real DNS server: host names are answered by an injected resolver (the module
attribute ``core.webhooks.resolve``), and the only servers are local ones on 127.0.0.1, reached with
``WEBHOOK_ALLOW_PRIVATE_TARGETS`` on where a test needs them to answer.
"""

import datetime
import ipaddress
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.models import User
from core import webhooks
from core.models import Notification
from core.notifications import notification_deliver, notify
from core.webhook_targets import TargetRefused, parse_ipv4, vet_url
from core.webhooks import WebhookFailed, webhook_post
from tests.conftest import client_for

PUBLIC = "93.184.216.34"

# (URL, the kind of address named in the refusal, the address as checked)
FORBIDDEN = [
    ("http://169.254.169.254/latest/meta-data/", "a link-local", "169.254.169.254"),
    ("http://127.0.0.1:8000/admin/", "a loopback", "127.0.0.1"),
    ("http://127.9.9.9/", "a loopback", "127.9.9.9"),
    ("http://10.1.2.3/", "a private", "10.1.2.3"),
    ("http://172.16.0.1/", "a private", "172.16.0.1"),
    ("http://192.168.0.10/", "a private", "192.168.0.10"),
    ("http://100.64.0.1/", "a shared (carrier-grade NAT)", "100.64.0.1"),
    ("http://224.0.0.251/", "a multicast", "224.0.0.251"),
    ("http://240.0.0.1/", "a reserved", "240.0.0.1"),
    ("http://255.255.255.255/", "a reserved", "255.255.255.255"),
    ("http://0.0.0.0/", "an unspecified", "0.0.0.0"),
    ("http://192.0.2.7/", "a private", "192.0.2.7"),  # documentation (TEST-NET-1)
    # IPv4 written the ways inet_aton and browsers read them
    ("http://2130706433/", "a loopback", "127.0.0.1"),
    ("http://0x7f000001/", "a loopback", "127.0.0.1"),
    ("http://0177.0.0.1/", "a loopback", "127.0.0.1"),
    ("http://0x7f.1/", "a loopback", "127.0.0.1"),
    ("http://127.1/", "a loopback", "127.0.0.1"),
    ("http://0xa9.0xfe.0xa9.0xfe/", "a link-local", "169.254.169.254"),
    ("http://025177524776/", "a link-local", "169.254.169.254"),
    # IPv6, and IPv6 forms carrying an IPv4 address
    ("http://[::1]/", "a loopback", "::1"),
    ("http://[::]/", "an unspecified", "::"),
    ("http://[fe80::1]/", "a link-local", "fe80::1"),
    ("http://[fd00::5]/", "a private", "fd00::5"),
    ("http://[fec0::1]/", "a private", "fec0::1"),
    ("http://[ff02::1]/", "a multicast", "ff02::1"),
    ("http://[2001:db8::1]/", "a private", "2001:db8::1"),
    ("http://[::ffff:127.0.0.1]/", "a loopback", "::ffff:7f00:1"),
    ("http://[::ffff:a9fe:a9fe]/", "a link-local", "::ffff:a9fe:a9fe"),
    ("http://[::127.0.0.1]/", "a loopback", "::7f00:1"),  # IPv4-compatible
    ("http://[2002:a9fe:a9fe::1]/", "a link-local", "2002:a9fe:a9fe::1"),  # 6to4
    ("http://[64:ff9b::a00:1]/", "a private", "64:ff9b::a00:1"),  # NAT64 well-known prefix
    ("http://[64:ff9b:1::7f00:1]/", "a loopback", "64:ff9b:1::7f00:1"),  # NAT64 local-use prefix
]


def public_resolver(host, port):
    return [PUBLIC]


def refusal(url, resolver=public_resolver) -> TargetRefused:
    with pytest.raises(TargetRefused) as caught:
        vet_url(url, resolver)
    return caught.value


# -- the address policy (pure) --------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "kind", "address"), FORBIDDEN)
def test_every_non_public_range_and_spelling_is_refused(url, kind, address):
    refused = refusal(url)

    assert refused.code == "webhook_private_address"
    assert refused.params["kind"] == kind
    assert refused.params["address"] == address


def test_the_refusal_names_the_host_as_written_and_the_address_it_means():
    assert refusal("http://0x7f.1/hook").message == (
        "0x7f.1 is a loopback address (127.0.0.1): webhooks go only to public internet addresses."
    )


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.0x10.1", "10.16.0.1"),
        ("0", "0.0.0.0"),
        ("4294967295", "255.255.255.255"),
    ],
)
def test_ipv4_is_read_in_every_spelling_inet_aton_accepts(text, address):
    assert parse_ipv4(text) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize("text", ["4294967296", "256.0.0.1", "1.2.3.4.5", "08.0.0.1", "1..2", "0x1g", "a.b"])
def test_what_is_no_ipv4_spelling_is_not_read_as_one(text):
    assert parse_ipv4(text) is None


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://hooks.example.com/", "webhook_scheme"),
        ("file:///etc/passwd", "webhook_scheme"),
        ("gopher://hooks.example.com/", "webhook_scheme"),
        ("https://user:secret@hooks.example.com/", "webhook_credentials"),
        ("https://token@hooks.example.com/", "webhook_credentials"),
        ("http:///nohost", "webhook_url_invalid"),
        ("http://hooks.example.com:0/", "webhook_url_invalid"),
        ("http://hooks.example.com:99999/", "webhook_url_invalid"),
        ("http://1.2.3.4.5/", "webhook_url_invalid"),
        ("http://intranet.08/", "webhook_url_invalid"),
    ],
)
def test_other_schemes_credentials_and_malformed_hosts_are_refused(url, code):
    assert refusal(url).code == code


def test_a_name_is_refused_when_any_of_its_addresses_is_not_public():
    refused = refusal("https://hooks.example.com/x", lambda host, port: [PUBLIC, "10.0.0.8"])

    assert refused.message == (
        "hooks.example.com is a private address (10.0.0.8): webhooks go only to public internet addresses."
    )


def test_a_name_that_does_not_resolve_is_refused():
    def nowhere(host, port):
        raise socket.gaierror("Name or service not known")

    assert (
        refusal("https://nowhere.example.com/", nowhere).message
        == "nowhere.example.com does not resolve to an address."
    )


def test_a_public_name_passes_with_the_address_to_connect_to():
    target, address = vet_url("https://Hooks.Example.com:8443/in?x=1", lambda host, port: [PUBLIC, "2606:4700::1"])

    assert (target.scheme, target.host, target.port, target.path) == ("https", "hooks.example.com", 8443, "/in?x=1")
    assert address == ipaddress.IPv4Address(PUBLIC)


def test_public_addresses_and_public_nat64_pass():
    assert vet_url("http://8.8.8.8/", public_resolver)[1] == ipaddress.IPv4Address("8.8.8.8")
    assert vet_url("http://[2606:4700::1111]/", public_resolver)[1] == ipaddress.IPv6Address("2606:4700::1111")
    assert vet_url("http://[64:ff9b::808:808]/", public_resolver)[1] == ipaddress.IPv6Address("64:ff9b::808:808")


def test_the_allow_private_switch_lifts_the_ranges_but_nothing_else():
    assert vet_url("http://127.0.0.1:9/", public_resolver, allow_private=True)[1] == ipaddress.IPv4Address("127.0.0.1")
    with pytest.raises(TargetRefused) as caught:
        vet_url("http://u:p@127.0.0.1:9/", public_resolver, allow_private=True)
    assert caught.value.code == "webhook_credentials"


# -- at save time --------------------------------------------------------------------------------------------


@pytest.fixture
def resolver(monkeypatch):
    """Names resolve to what the test says (``resolver.answers[name]``); every call is kept."""

    class Resolver:
        def __init__(self):
            self.answers: dict[str, list] = {}
            self.calls: list[tuple[str, int]] = []

        def __call__(self, host, port):
            self.calls.append((host, port))
            answer = self.answers.get(host)
            if answer is None:
                raise socket.gaierror(f"no such name {host} in this test")
            return answer.pop(0) if isinstance(answer[0], list) else answer

    fake = Resolver()
    monkeypatch.setattr(webhooks, "resolve", fake)
    return fake


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "kind", "address"), FORBIDDEN)
def test_saving_a_non_public_webhook_url_is_a_400_naming_the_field(customer, resolver, url, kind, address):
    answer = client_for(customer).patch("/api/auth/me/", {"webhook_url": url}, format="json")

    assert answer.status_code == 400
    body = answer.json()
    # Either the platform's own check (code and field) or the URL field's own format check names the field.
    assert body.get("field") == "webhook_url" or "webhook_url" in body.get("errors", {})
    if body.get("field"):
        assert body["code"] == "webhook_private_address"
        assert f"is {kind} address ({address})" in body["detail"]
    customer.refresh_from_db()
    assert customer.webhook_url == ""


@pytest.mark.django_db
def test_the_metadata_address_is_refused_with_a_clear_reason(customer, resolver):
    answer = client_for(customer).patch(
        "/api/auth/me/", {"webhook_url": "http://169.254.169.254/latest/meta-data/"}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "169.254.169.254 is a link-local address (169.254.169.254): webhooks go only to public internet "
        "addresses.",
        "code": "webhook_private_address",
        "field": "webhook_url",
    }


@pytest.mark.django_db
def test_a_name_resolving_inside_and_credentials_are_refused_at_save_and_nothing_changes(customer, resolver):
    customer.webhook_url = "https://hooks.example.com/old"
    customer.save()
    resolver.answers["internal.example.com"] = ["10.20.30.40"]
    client = client_for(customer)

    inside = client.patch("/api/auth/me/", {"webhook_url": "https://internal.example.com/"}, format="json")
    with_password = client.patch(
        "/api/auth/me/", {"webhook_url": "https://me:pw@hooks.example.com/", "email": "new@example.com"}, format="json"
    )

    assert inside.status_code == 400 and inside.json()["code"] == "webhook_private_address"
    assert with_password.status_code == 400
    assert with_password.json() == {
        "detail": "A webhook address must not contain a user name or password; use the signature instead.",
        "code": "webhook_credentials",
        "field": "webhook_url",
    }
    customer.refresh_from_db()
    assert (customer.webhook_url, customer.email) == ("https://hooks.example.com/old", "carol@example.com")


@pytest.mark.django_db
def test_a_public_webhook_url_is_saved_and_an_empty_one_switches_it_off(customer, resolver):
    resolver.answers["hooks.example.com"] = [PUBLIC]
    client = client_for(customer)

    saved = client.patch("/api/auth/me/", {"webhook_url": "https://hooks.example.com/makernet"}, format="json")
    assert saved.status_code == 200 and saved.json()["webhook_url"] == "https://hooks.example.com/makernet"
    assert resolver.calls == [("hooks.example.com", 443)]
    cleared = client.patch("/api/auth/me/", {"webhook_url": ""}, format="json")
    assert cleared.status_code == 200 and cleared.json()["webhook_url"] == ""


@pytest.mark.django_db
def test_the_refusal_is_in_the_readers_language_with_the_same_code(customer, resolver):
    answer = client_for(customer).patch(
        "/api/auth/me/", {"webhook_url": "ftp://hooks.example.com/"}, format="json", HTTP_ACCEPT_LANGUAGE="de"
    )

    assert answer.status_code == 400
    assert (answer.json()["code"], answer.json()["field"]) == ("webhook_scheme", "webhook_url")


# -- at send time --------------------------------------------------------------------------------------------


@pytest.fixture
def no_connections(monkeypatch):
    """Fails the test if the webhook code opens any connection."""
    attempts = []

    def refuse(address, *args, **kwargs):
        attempts.append(address)
        raise AssertionError(f"a connection to {address} was opened")

    monkeypatch.setattr(webhooks.socket, "create_connection", refuse)
    return attempts


def pending_notification(user) -> Notification:
    # Outside a transaction test the after-commit delivery never runs: the test delivers by hand.
    return notify(user=user, kind="order.confirmed", subject="Order 1 is paid", data={"order": 1})


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "kind", "address"), FORBIDDEN)
def test_a_stored_non_public_url_is_refused_at_send_without_connecting(
    customer, resolver, no_connections, url, kind, address
):
    # Given a URL that got in before these checks (or through a path that skipped them)
    User.objects.filter(pk=customer.pk).update(webhook_url=url)
    notification = pending_notification(customer)

    notification_deliver(notification_id=notification.pk)  # a refusal is final: nothing raised, nothing retried

    notification.refresh_from_db()
    assert notification.webhook_sent_at is None and notification.webhook_attempts == 1
    assert notification.last_error.startswith("webhook: refused: ")
    assert f"is {kind} address ({address})" in notification.last_error
    assert no_connections == []


@pytest.fixture
def receiver():
    """Local HTTP servers on 127.0.0.1 answering as the test says; they record every request."""
    servers = []

    def start(respond=None):
        calls = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                calls.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if respond:
                    respond(self)
                else:
                    self.send_response(204)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_port, calls

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_a_name_public_at_save_and_internal_at_send_is_refused_at_send(customer, resolver, receiver):
    port, calls = receiver()
    # Given a name that answered a public address when it was saved...
    resolver.answers["rebind.example.com"] = [[PUBLIC], ["127.0.0.1"]]
    saved = client_for(customer).patch(
        "/api/auth/me/", {"webhook_url": f"http://rebind.example.com:{port}/hook"}, format="json"
    )
    assert saved.status_code == 200
    notification = pending_notification(customer)

    # ...and the platform's own address when the notification goes out
    notification_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.webhook_sent_at is None
    assert notification.last_error == (
        "webhook: refused: rebind.example.com is a loopback address (127.0.0.1): webhooks go only to public "
        "internet addresses."
    )
    assert calls == []
    assert resolver.calls == [("rebind.example.com", port), ("rebind.example.com", port)]


@pytest.mark.django_db
def test_the_request_goes_to_the_address_resolved_once_with_the_urls_host_header(
    customer, resolver, receiver, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # the local receiver is on 127.0.0.1
    port, calls = receiver()
    # "hooks.example.test" exists in no DNS: the request can only arrive through the address the resolver gave,
    # and a second lookup would get an address nobody listens on.
    resolver.answers["hooks.example.test"] = [["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]]
    User.objects.filter(pk=customer.pk).update(webhook_url=f"http://hooks.example.test:{port}/in/makernet?t=1")
    notification = pending_notification(customer)

    notification_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.webhook_sent_at is not None and notification.last_error == ""
    assert resolver.calls == [("hooks.example.test", port)]
    assert len(calls) == 1
    assert calls[0]["path"] == "/in/makernet?t=1"
    assert calls[0]["headers"]["Host"] == f"hooks.example.test:{port}"


@pytest.mark.django_db
def test_a_redirect_is_not_followed_and_is_recorded_as_a_failed_delivery(customer, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    inner_port, inner_calls = receiver()

    def redirect(handler):
        handler.send_response(302)
        handler.send_header("Location", f"http://127.0.0.1:{inner_port}/latest/meta-data/")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    port, calls = receiver(redirect)
    User.objects.filter(pk=customer.pk).update(webhook_url=f"http://127.0.0.1:{port}/hook")
    notification = pending_notification(customer)

    notification_deliver(notification_id=notification.pk)  # final: not retried

    notification.refresh_from_db()
    assert len(calls) == 1 and inner_calls == []
    assert notification.webhook_sent_at is None
    assert notification.last_error == (
        f"webhook: answered 302 (redirect to 'http://127.0.0.1:{inner_port}/latest/meta-data/' not followed)"
    )


@pytest.mark.django_db
def test_an_oversize_answer_is_cut_at_the_cap(receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_MAX_RESPONSE_BYTES = 1000
    sent = []

    def flood(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(50 * 1024 * 1024))
        handler.end_headers()
        try:
            for _ in range(50 * 16):
                handler.wfile.write(b"x" * 65536)
                sent.append(65536)
        except OSError:
            pass  # the platform hung up after what it wanted

    port, _calls = receiver(flood)

    answer = webhook_post(f"http://127.0.0.1:{port}/", body=b"{}", headers={"Content-Type": "application/json"})

    assert (answer.status, len(answer.body), answer.truncated) == (200, 1000, True)
    time.sleep(0.2)
    assert sum(sent) < 50 * 1024 * 1024  # the rest was never taken


@pytest.mark.django_db
def test_a_receiver_that_never_answers_fails_within_the_timeout(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    with socket.socket() as silent:  # accepts the connection (backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        started = time.monotonic()

        with pytest.raises(WebhookFailed) as caught:
            webhook_post(f"http://127.0.0.1:{silent.getsockname()[1]}/", body=b"{}", headers={})

    assert time.monotonic() - started < 2
    assert str(caught.value) == "no answer within 0.5 s" and caught.value.permanent is False


@pytest.mark.django_db
def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_deadline(receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.8

    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        try:
            for _ in range(100):
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    port, _calls = receiver(drip)
    started = time.monotonic()

    with pytest.raises(WebhookFailed) as caught:
        webhook_post(f"http://127.0.0.1:{port}/", body=b"{}", headers={})

    assert time.monotonic() - started < 2.5
    assert str(caught.value) == "no answer within 0.8 s"


@pytest.fixture
def task_errors_stay_in_the_task():
    from platform.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.mark.django_db
def test_the_notify_task_retries_a_timeout_and_then_gives_up_without_crashing(
    customer, settings, task_errors_stay_in_the_task
):
    from core.tasks import notification_deliver as task

    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        User.objects.filter(pk=customer.pk).update(webhook_url=f"http://127.0.0.1:{silent.getsockname()[1]}/")
        notification = pending_notification(customer)

        result = task.apply(kwargs={"notification_id": notification.pk})

    notification.refresh_from_db()
    assert result.failed() and isinstance(result.result, WebhookFailed)
    assert notification.webhook_sent_at is None
    assert notification.webhook_attempts == 1 + task.max_retries
    assert notification.last_error == "webhook: no answer within 0.2 s"
    assert notification.email_sent_at is not None  # the e-mail went out all the same


# -- https: the connection to the vetted address still checks the host name's certificate ------------------


def certificate_for(name: str, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture
def tls_receiver(tmp_path):
    """An https server on 127.0.0.1 whose certificate is for ``served_name``; it records the SNI it is sent."""
    servers = []

    def start(served_name):
        cert_file, key_file = certificate_for(served_name, tmp_path)
        seen = {"sni": [], "calls": []}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                seen["calls"].append(dict(self.headers))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        client_context = ssl.create_default_context(cafile=str(cert_file))
        return server.server_address[1], seen, client_context

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_https_goes_to_the_vetted_address_with_the_host_name_as_sni_and_for_the_certificate(
    resolver, tls_receiver, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    port, seen, trust = tls_receiver("hooks.example.test")
    resolver.answers["hooks.example.test"] = ["127.0.0.1"]

    answer = webhook_post(
        f"https://hooks.example.test:{port}/in",
        body=b"{}",
        headers={"Content-Type": "application/json"},
        ssl_context=trust,
    )

    assert answer.status == 204
    assert seen["sni"] == ["hooks.example.test"]
    assert seen["calls"][0]["Host"] == f"hooks.example.test:{port}"


@pytest.mark.django_db
def test_https_to_a_server_whose_certificate_is_for_another_name_fails(resolver, tls_receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    port, seen, trust = tls_receiver("other.example.test")
    resolver.answers["hooks.example.test"] = ["127.0.0.1"]

    with pytest.raises(WebhookFailed) as caught:
        webhook_post(f"https://hooks.example.test:{port}/in", body=b"{}", headers={}, ssl_context=trust)

    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert seen["calls"] == []


@pytest.mark.django_db
def test_the_admin_account_form_holds_the_webhook_url_to_the_same_rules(customer, resolver):
    from django.forms import modelform_factory

    from accounts.admin import UserChangeForm as AdminForm

    # As the admin builds it for the project's User (STAFF_FIELDSETS' platform fields)
    UserChangeForm = modelform_factory(User, form=AdminForm, fields=["username", "role", "webhook_url"])
    fields = {"username": customer.username, "role": customer.role}

    refused = UserChangeForm(instance=customer, data={**fields, "webhook_url": "http://[::ffff:169.254.169.254]/"})
    resolver.answers["hooks.example.com"] = [PUBLIC]
    accepted = UserChangeForm(instance=customer, data={**fields, "webhook_url": "https://hooks.example.com/in"})

    assert not refused.is_valid()
    assert refused.errors["webhook_url"] == [
        "::ffff:169.254.169.254 is a link-local address (::ffff:a9fe:a9fe): webhooks go only to public internet "
        "addresses."
    ]
    assert accepted.is_valid(), accepted.errors
