"""app.webhooks.target_guard: which webhook URLs may be called, per mode."""

import ipaddress
import socket

import pytest

from app.webhooks.target_guard import (
    Mode,
    RefusalReason,
    TargetCheck,
    check_target,
    refusal_reason,
)

R = RefusalReason


def resolving_to(*ips):
    calls = []

    def resolver(host, port):
        calls.append((host, port))
        return list(ips)

    resolver.calls = calls
    return resolver


def must_not_resolve(host, port):
    raise AssertionError("an IP literal must not be resolved")


REFUSED_IN_LIVE = [
    ("127.0.0.1", R.LOOPBACK),
    ("127.1.2.3", R.LOOPBACK),
    ("::1", R.LOOPBACK),
    ("0.0.0.0", R.UNSPECIFIED),  # noqa: S104 -- a test value; nothing binds
    ("::", R.UNSPECIFIED),
    ("10.0.0.1", R.PRIVATE),
    ("172.16.5.4", R.PRIVATE),
    ("172.31.255.255", R.PRIVATE),
    ("192.168.1.1", R.PRIVATE),
    ("169.254.169.254", R.METADATA),
    ("169.254.170.2", R.METADATA),
    ("100.100.100.200", R.METADATA),
    ("fd00:ec2::254", R.METADATA),
    ("169.254.1.1", R.LINK_LOCAL),
    ("fe80::1", R.LINK_LOCAL),
    ("fe80::1%eth0", R.LINK_LOCAL),
    ("224.0.0.1", R.MULTICAST),
    ("239.255.255.250", R.MULTICAST),
    ("ff02::1", R.MULTICAST),
    ("100.64.0.1", R.SHARED_ADDRESS_SPACE),
    ("100.127.255.254", R.SHARED_ADDRESS_SPACE),
    ("fc00::1", R.UNIQUE_LOCAL),
    ("fd12:3456::1", R.UNIQUE_LOCAL),
    ("240.0.0.1", R.RESERVED),
    ("255.255.255.255", R.RESERVED),
    ("::ffff:127.0.0.1", R.LOOPBACK),
    ("::ffff:10.0.0.1", R.PRIVATE),
    ("::ffff:169.254.169.254", R.METADATA),
    ("::ffff:100.64.0.1", R.SHARED_ADDRESS_SPACE),
    ("64:ff9b::a00:1", R.PRIVATE),  # NAT64 of 10.0.0.1
    ("64:ff9b::a9fe:a9fe", R.METADATA),  # NAT64 of 169.254.169.254
    ("2002:a00:1::", R.PRIVATE),  # 6to4 of 10.0.0.1
    ("2002:7f00:1::", R.LOOPBACK),  # 6to4 of 127.0.0.1
    ("::127.0.0.1", R.LOOPBACK),  # deprecated IPv4-compatible form
    ("192.0.0.8", R.NOT_GLOBAL),
    ("192.0.2.1", R.NOT_GLOBAL),
    ("198.18.0.1", R.NOT_GLOBAL),
    ("203.0.113.9", R.NOT_GLOBAL),
    ("0.1.2.3", R.NOT_GLOBAL),
    ("2001:db8::1", R.NOT_GLOBAL),
    ("fec0::1", R.NOT_GLOBAL),
]

ALLOWED_IN_LIVE = [
    "8.8.8.8",
    "1.1.1.1",
    "211.249.220.24",
    "100.63.255.255",  # just below CGNAT
    "100.128.0.0",  # just above CGNAT
    "172.32.0.1",  # just above 172.16/12
    "169.255.0.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "2002:808:808::",  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize(("ip", "reason"), REFUSED_IN_LIVE)
def test_live_refuses(ip, reason):
    assert refusal_reason(ipaddress.ip_address(ip), Mode.LIVE) is reason
    check = check_target("https://hooks.example.com/x", "live", resolving_to(ip))
    assert check == TargetCheck(
        allowed=False,
        reason=reason,
        host="hooks.example.com",
        port=443,
        addresses=(str(ipaddress.ip_address(ip)),),
    )


@pytest.mark.parametrize("ip", ALLOWED_IN_LIVE)
def test_live_allows_public_addresses(ip):
    check = check_target("https://hooks.example.com/x", Mode.LIVE, resolving_to(ip))
    assert check.allowed
    assert check.reason is None
    assert check.connect_ip == str(ipaddress.ip_address(ip))


@pytest.mark.parametrize("ip", ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1"])
def test_test_mode_allows_loopback(ip):
    check = check_target("http://localhost:8080/hook", "test", resolving_to(ip))
    assert check.allowed
    assert check.connect_ip == str(ipaddress.ip_address(ip))
    assert check.port == 8080


@pytest.mark.parametrize(
    ("ip", "reason"),
    [(ip, reason) for ip, reason in REFUSED_IN_LIVE if reason is not R.LOOPBACK],
)
def test_test_mode_refuses_everything_else_that_live_refuses(ip, reason):
    assert refusal_reason(ipaddress.ip_address(ip), "test") is reason


def test_metadata_is_refused_in_every_mode():
    for mode in Mode:
        check = check_target("http://169.254.169.254/latest/meta-data/", mode)
        assert check.reason is R.METADATA


def test_ip_literals_are_not_resolved():
    assert check_target("https://[::1]/", "live", must_not_resolve).reason is R.LOOPBACK
    check = check_target("https://8.8.8.8:8443/", "live", must_not_resolve)
    assert check.allowed
    assert (check.connect_ip, check.port) == ("8.8.8.8", 8443)


def test_resolver_gets_host_and_default_or_explicit_port():
    http = resolving_to("8.8.8.8")
    check_target("HTTP://Hooks.Example.COM/path?q=1", "live", http)
    https = resolving_to("8.8.8.8")
    check_target("https://hooks.example.com:8443/", "live", https)
    assert http.calls == [("hooks.example.com", 80)]
    assert https.calls == [("hooks.example.com", 8443)]


def test_one_private_record_refuses_the_host():
    check = check_target("https://mixed.example/", "live", resolving_to("8.8.8.8", "10.0.0.5"))
    assert not check.allowed
    assert check.reason is R.PRIVATE
    assert check.connect_ip is None
    assert check.addresses == ("8.8.8.8", "10.0.0.5")


def test_connect_ip_is_the_first_address_and_duplicates_are_dropped():
    check = check_target(
        "https://multi.example/", "live", resolving_to("1.1.1.1", "8.8.8.8", "1.1.1.1")
    )
    assert check.allowed
    assert check.addresses == ("1.1.1.1", "8.8.8.8")
    assert check.connect_ip == "1.1.1.1"


@pytest.mark.parametrize(
    "resolver",
    [
        resolving_to(),
        resolving_to("not-an-ip"),
        lambda host, port: (_ for _ in ()).throw(socket.gaierror(-2, "Name or service not known")),
    ],
)
def test_resolution_failures_are_refused(resolver):
    check = check_target("https://nowhere.example/", "live", resolver)
    assert not check.allowed
    assert check.reason is R.RESOLUTION_FAILED
    assert check.connect_ip is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/", R.SCHEME_NOT_ALLOWED),
        ("file:///etc/passwd", R.SCHEME_NOT_ALLOWED),
        ("gopher://example.com:70/", R.SCHEME_NOT_ALLOWED),
        ("javascript:alert(1)", R.SCHEME_NOT_ALLOWED),
        ("//example.com/hook", R.SCHEME_NOT_ALLOWED),
        ("example.com/hook", R.SCHEME_NOT_ALLOWED),
        ("https://", R.INVALID_URL),
        ("https:///path", R.INVALID_URL),
        ("https://example.com:99999/", R.INVALID_URL),
        ("https://example.com:0/", R.INVALID_URL),
        ("https://example.com:abc/", R.INVALID_URL),
        ("https://exa mple.com/", R.INVALID_URL),
        ("https://example.com/\n", R.INVALID_URL),
        ("https://exam\tple.com/", R.INVALID_URL),
        ("https://example.com/" + "a" * 2100, R.INVALID_URL),
    ],
)
def test_bad_urls_are_refused_before_resolution(url, reason):
    check = check_target(url, "live", must_not_resolve)
    assert check == TargetCheck(allowed=False, reason=reason)


def test_unknown_mode_is_a_bug():
    with pytest.raises(ValueError, match="sandbox"):
        check_target("https://example.com/", "sandbox", must_not_resolve)


@pytest.mark.parametrize("host", ["2130706433", "127.1", "0x7f000001"])
def test_system_resolver_catches_numeric_loopback_spellings(host):
    # getaddrinfo turns these into 127.0.0.1 without any DNS traffic, as an HTTP client would.
    check = check_target(f"http://{host}/", "live")
    assert check.reason is R.LOOPBACK
    assert check.addresses == ("127.0.0.1",)


def test_system_resolver_with_localhost():
    assert check_target("http://localhost:9/", "live").reason is R.LOOPBACK
    check = check_target("http://localhost:9/", "test")
    assert check.allowed
    assert ipaddress.ip_address(check.connect_ip).is_loopback


def test_reasons_are_stable_strings():
    assert R.METADATA == "metadata_address"
    assert R.LOOPBACK == "loopback_address"
    assert Mode("live") is Mode.LIVE
