"""SSRF guard for webhook targets: may we POST to this merchant-supplied URL?

A webhook URL is attacker-controlled input that makes *our* servers send requests, so in live mode
it must not reach anything that is not the public internet: loopback, private and shared (CGNAT)
networks, link-local (where cloud metadata services live), multicast, reserved and unspecified
addresses, IPv6 unique-local, and IPv4 addresses embedded in IPv6 (mapped, 6to4, NAT64). Test mode
may target loopback so developers can run a local receiver; metadata addresses never.

Every address the host resolves to is checked, and one is handed back as ``connect_ip``. Connect
to that address rather than resolving the name again: a second lookup could return a different
address (DNS rebinding) between this check and the request. For ``http`` send the request to
``connect_ip`` with the original ``Host`` header; for ``https`` keep the hostname for SNI and
certificate checks (urllib3 pool kwargs ``server_hostname`` and ``assert_hostname``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from app.modes import Mode

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]

_ALLOWED_SCHEMES = {"http": 80, "https": 443}
_MAX_URL_LENGTH = 2048

# Instance metadata endpoints: AWS/GCP/Azure/OpenStack, AWS ECS task metadata, AWS IPv6 IMDS and
# Alibaba Cloud. Named apart from their ranges so logs say exactly what was attempted.
_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Special-purpose blocks that this Python's `is_global` still reports as global (fixed in later
# 3.11/3.12 releases), so they are listed explicitly.
_NOT_GLOBAL = tuple(ipaddress.ip_network(n) for n in ("192.0.0.0/24", "fec0::/10"))


class RefusalReason(StrEnum):
    """Stable codes, safe to log and to show the merchant."""

    INVALID_URL = "invalid_url"
    SCHEME_NOT_ALLOWED = "scheme_not_allowed"
    RESOLUTION_FAILED = "resolution_failed"
    METADATA = "metadata_address"
    UNSPECIFIED = "unspecified_address"
    LOOPBACK = "loopback_address"
    LINK_LOCAL = "link_local_address"
    MULTICAST = "multicast_address"
    SHARED_ADDRESS_SPACE = "shared_address_space"
    UNIQUE_LOCAL = "unique_local_address"
    PRIVATE = "private_address"
    RESERVED = "reserved_address"
    NOT_GLOBAL = "non_global_address"


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """The verdict on one URL. ``connect_ip`` is set exactly when ``allowed``."""

    allowed: bool
    reason: RefusalReason | None = None
    host: str | None = None
    port: int | None = None
    addresses: tuple[str, ...] = ()
    connect_ip: str | None = None


def check_target(url: str, mode: Mode | str, resolver: Resolver | None = None) -> TargetCheck:
    """Check ``url`` for ``mode`` ("live" or "test"); ``resolver`` maps (host, port) to IPs."""
    mode = Mode(mode)  # an unknown mode is a bug: raise rather than guess
    parsed = _parse(url)
    if isinstance(parsed, RefusalReason):
        return TargetCheck(allowed=False, reason=parsed)
    host, port = parsed
    try:
        addresses = _resolve(host, port, resolver or system_resolver)
    except (OSError, UnicodeError, ValueError):
        return TargetCheck(
            allowed=False, reason=RefusalReason.RESOLUTION_FAILED, host=host, port=port
        )
    shown = tuple(str(a) for a in addresses)
    if not addresses:
        return TargetCheck(False, RefusalReason.RESOLUTION_FAILED, host, port, shown)
    # One bad address refuses the host: otherwise a name with a public and a private record could
    # still steer a later connection to the private one.
    for address in addresses:
        reason = refusal_reason(address, mode)
        if reason is not None:
            return TargetCheck(False, reason, host, port, shown)
    return TargetCheck(True, None, host, port, shown, connect_ip=shown[0])


def refusal_reason(address: IPAddress, mode: Mode | str) -> RefusalReason | None:
    """Why ``address`` may not be a webhook target in ``mode``, or None if it may."""
    mode = Mode(mode)
    if address in _METADATA:
        return RefusalReason.METADATA
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        # Judge the IPv4 address that the packets would really reach.
        return refusal_reason(embedded, mode)
    if address.is_unspecified:
        return RefusalReason.UNSPECIFIED
    if address.is_loopback:
        return None if mode is Mode.TEST else RefusalReason.LOOPBACK
    return _range_reason(address)


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the OS resolver (numeric forms like ``127.1`` included), TCP addresses only."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def _range_reason(address: IPAddress) -> RefusalReason | None:
    if address.is_link_local:
        return RefusalReason.LINK_LOCAL
    if address.is_multicast:
        return RefusalReason.MULTICAST
    if address in _SHARED_ADDRESS_SPACE:
        return RefusalReason.SHARED_ADDRESS_SPACE
    if address in _UNIQUE_LOCAL:
        return RefusalReason.UNIQUE_LOCAL
    if any(address in network for network in _RFC1918):
        return RefusalReason.PRIVATE
    if address.is_reserved:
        return RefusalReason.RESERVED
    if not address.is_global or any(address in network for network in _NOT_GLOBAL):
        return RefusalReason.NOT_GLOBAL
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        # The low 32 bits are the IPv4 destination; :: and ::1 are not embeddings.
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _parse(url: str) -> tuple[str, int] | RefusalReason:
    # urlsplit silently drops tabs and newlines, so refuse control characters before parsing.
    if len(url) > _MAX_URL_LENGTH or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        return RefusalReason.INVALID_URL
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return RefusalReason.INVALID_URL
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        return RefusalReason.SCHEME_NOT_ALLOWED
    host = parts.hostname
    if not host or port == 0:
        return RefusalReason.INVALID_URL
    return host, port or _ALLOWED_SCHEMES[scheme]


def _resolve(host: str, port: int, resolver: Resolver) -> tuple[IPAddress, ...]:
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    raw = [str(literal)] if literal is not None else list(resolver(host, port))
    # dict.fromkeys: drop the duplicates getaddrinfo returns per socket type, keep the order.
    return tuple(dict.fromkeys(ipaddress.ip_address(ip) for ip in raw))
