"""Where a webhook may go: http(s) to public internet addresses only (pure: no Django, no network).

A customer chooses the URL, and the notify worker POSTs to it from inside the platform's network. Without this
check the URL could name the cloud's metadata service (169.254.169.254), the database, Redis or anything else
only the platform can reach. The rules:

- the scheme is http or https, there is a host, a valid port, and no user name or password in the URL;
- the host is an IP address literal (also in the spellings ``inet_aton`` accepts: ``2130706433``, ``0x7f.1``,
  ``0177.0.0.1``) or a host name that resolves, and **every** address it resolves to is public: not loopback,
  private, link-local, multicast, reserved, unspecified, shared (100.64.0.0/10), documentation or otherwise
  not globally routable; IPv6 forms that carry an IPv4 address (mapped ``::ffff:a.b.c.d``, compatible
  ``::a.b.c.d``, 6to4 ``2002::/16``, NAT64 ``64:ff9b::/96`` and ``64:ff9b:1::/48``, Teredo) are judged by the
  IPv4 address inside them too;
- a host name that ends in a number but is no valid IPv4 spelling is refused (browsers and resolvers treat
  such names as addresses in different ways).

``allow_private=True`` (the ``WEBHOOK_ALLOW_PRIVATE_TARGETS`` setting, local development only) skips the address
ranges, nothing else. The caller resolves the name (``resolver(host, port) -> [address, ...]``) and connects to
the address this module returns, so the address checked is the address used (no DNS rebinding window).

Messages a person reads are kept as a template and parameters (``gettext_noop`` marks the templates for
translation; the Django side translates them).
"""

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]


def gettext_noop(message: str) -> str:
    return message


SCHEMES = {"http": 80, "https": 443}

# What kind of address a refused one is (shown to the person, translated by the Django side).
KINDS = {
    "loopback": gettext_noop("a loopback"),
    "private": gettext_noop("a private"),
    "link_local": gettext_noop("a link-local"),
    "multicast": gettext_noop("a multicast"),
    "reserved": gettext_noop("a reserved"),
    "unspecified": gettext_noop("an unspecified"),
    "shared": gettext_noop("a shared (carrier-grade NAT)"),
    "not_global": gettext_noop("a non-public"),
}

_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


@dataclass
class TargetRefused(Exception):
    """A webhook URL the platform will not call; ``message`` is the English text."""

    code: str
    template: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


@dataclass(frozen=True)
class Target:
    """A URL that passed the checks of its own text: what to connect to and what to say."""

    scheme: str
    host: str  # lower case, IDNA-encoded; an IP literal is written in its normal form (IPv6 without brackets)
    port: int
    path: str  # path and query, at least "/"
    address: IPAddress | None  # set when the URL names an IP address rather than a host name
    written: str = ""  # the host as the URL writes it (for messages: "0x7f.1 is a loopback address (127.0.0.1)")

    @property
    def default_port(self) -> bool:
        return self.port == SCHEMES[self.scheme]


def parse_ipv4(text: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any spelling ``inet_aton`` accepts (1 to 4 parts, each decimal, octal with a leading
    0, or hex with 0x; the last part fills the remaining bytes), else None."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        if re.fullmatch(r"0[xX][0-9a-fA-F]*", part):
            values.append(int(part[2:] or "0", 16))
        elif re.fullmatch(r"0[0-7]*", part):
            values.append(int(part, 8))
        elif re.fullmatch(r"[1-9][0-9]*", part):
            values.append(int(part))
        else:
            return None
    *leading, last = values
    if any(value > 255 for value in leading) or last >= 256 ** (5 - len(values)):
        return None
    number = 0
    for value in leading:
        number = number * 256 + value
    number = (number << (8 * (5 - len(values)))) + last
    return ipaddress.IPv4Address(number)


def _looks_numeric(label: str) -> bool:
    return bool(re.fullmatch(r"[0-9]+|0[xX][0-9a-fA-F]*", label))


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, 6to4, NAT64, Teredo client), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in _NAT64) or (
        address in _IPV4_COMPATIBLE and int(address) > 1  # :: and ::1 are themselves, not IPv4 addresses
    ):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_kind(address: IPAddress) -> str | None:
    """Why ``address`` is not a public internet address (a key of ``KINDS``), or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "link_local"
        inner = embedded_ipv4(address)
        if inner is not None:
            return address_kind(inner)
        if address.is_site_local:
            return "private"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link_local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "shared"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "not_global"
    return None


def _refuse_address(host: str, address: IPAddress, kind: str) -> TargetRefused:
    return TargetRefused(
        "webhook_private_address",
        gettext_noop("%(host)s is %(kind)s address (%(address)s): webhooks go only to public internet addresses."),
        {"host": host, "kind": KINDS[kind], "address": str(address)},
    )


def parse_target(url: str) -> Target:
    """Check what the URL's text alone can tell; raises ``TargetRefused``."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("webhook_url_invalid", gettext_noop("The webhook address is not a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise TargetRefused("webhook_scheme", gettext_noop("Webhooks go only to http:// or https:// addresses."))
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise TargetRefused(
            "webhook_credentials",
            gettext_noop("A webhook address must not contain a user name or password; use the signature instead."),
        )
    host = (parts.hostname or "").rstrip(".")
    if not host or any(character in host for character in " \t\r\n\\%/?#"):
        raise TargetRefused("webhook_url_invalid", gettext_noop("The webhook address has no valid host name."))
    if port == 0:
        raise TargetRefused("webhook_url_invalid", gettext_noop("The webhook address has no valid port."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    port = port or SCHEMES[scheme]
    address: IPAddress | None = None
    written = host
    if ":" in host:
        try:
            address = ipaddress.IPv6Address(host)
        except ValueError:
            raise TargetRefused(
                "webhook_url_invalid", gettext_noop("The webhook address has no valid host name.")
            ) from None
    else:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise TargetRefused(
                "webhook_url_invalid", gettext_noop("The webhook address has no valid host name.")
            ) from None
        address = parse_ipv4(host)
        if address is None and _looks_numeric(host.rsplit(".", 1)[-1]):
            raise TargetRefused(
                "webhook_url_invalid",
                gettext_noop("%(host)s ends in a number but is not an IP address."),
                {"host": host},
            )
        if address is not None:
            host = str(address)
    return Target(scheme=scheme, host=host, port=port, path=path, address=address, written=written)


def vet_address(host: str, address: IPAddress, *, allow_private: bool = False) -> IPAddress:
    kind = address_kind(address)
    if kind is not None and not allow_private:
        raise _refuse_address(host, address, kind)
    return address


def vet_target(target: Target, resolver: Resolver, *, allow_private: bool = False) -> IPAddress:
    """The address to connect to for ``target``: its literal, or what ``resolver`` answers for its host name,
    every one of which must be public. Raises ``TargetRefused``."""
    if target.address is not None:
        return vet_address(target.written or target.host, target.address, allow_private=allow_private)
    try:
        answers = list(resolver(target.host, target.port))
    except OSError:
        answers = []
    addresses = []
    for answer in answers:
        try:
            addresses.append(ipaddress.ip_address(answer))
        except ValueError:
            continue
    if not addresses:
        raise TargetRefused(
            "webhook_unresolvable", gettext_noop("%(host)s does not resolve to an address."), {"host": target.host}
        )
    for address in addresses:
        vet_address(target.host, address, allow_private=allow_private)
    return addresses[0]


def vet_url(url: str, resolver: Resolver, *, allow_private: bool = False) -> tuple[Target, IPAddress]:
    """``parse_target`` and ``vet_target`` in one: the target and the one address to connect to."""
    target = parse_target(url)
    return target, vet_target(target, resolver, allow_private=allow_private)
