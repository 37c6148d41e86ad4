"""The outbound deadline over HTTPS, and what it leaves behind: a TLS peer answering one
byte per second is cut off at the deadline, and a pooled connection serves the next call."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from urllib3.exceptions import HTTPError

from app.gateways import GatewayTimeout
from app.gateways.http import send
from app.outbound.deadline import deadline
from app.outbound.pools import pool_manager, socket_timeout
from tests.trickle import trickle_peer

DEADLINE = 1.5
MARGIN = 0.75


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost: (certificate, key) files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.mark.parametrize("trickle", ["status", "body"])
def test_a_trickling_tls_peer_is_cut_off_at_the_deadline(
    trickle: str, server_tls: ssl.SSLContext, certificate: tuple[Path, Path]
):
    http = pool_manager(retries=False, ca_certs=str(certificate[0]))
    with trickle_peer(trickle, tls=server_tls) as peer:
        started = time.monotonic()
        with deadline(DEADLINE) as limit, pytest.raises(HTTPError):
            http.request("GET", f"{peer.url}/x", timeout=socket_timeout(limit))
        took = time.monotonic() - started
    assert limit.tripped
    assert DEADLINE - 0.1 <= took < DEADLINE + MARGIN


def test_a_gateway_call_over_tls_ends_at_its_deadline(
    server_tls: ssl.SSLContext, certificate: tuple[Path, Path]
):
    session = requests.Session()
    session.verify = str(certificate[0])
    session.trust_env = False  # else REQUESTS_CA_BUNDLE in the environment overrides `verify`
    with trickle_peer("body", tls=server_tls) as peer:
        started = time.monotonic()
        with pytest.raises(GatewayTimeout):
            send(session, "GET", f"{peer.url}/v1/payments/x", timeout=DEADLINE)
        took = time.monotonic() - started
    assert took < DEADLINE + MARGIN


@pytest.mark.parametrize("trickle", ["status", "body"])
def test_a_name_lookup_past_the_deadline_still_ends_the_call(
    trickle: str, monkeypatch: pytest.MonkeyPatch
):
    """The watchdog fires while the call is still resolving (no socket to shut down yet):
    the connection that comes after must not get the trickling peer's whole answer."""
    real_getaddrinfo = socket.getaddrinfo
    slow_lookup = DEADLINE + 0.5

    def slow_dns(host: str, *args: object, **kwargs: object) -> object:
        if host == "slow-dns.test":
            time.sleep(slow_lookup)
            host = "127.0.0.1"
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", slow_dns)
    with trickle_peer(trickle) as peer:
        url = peer.url.replace("127.0.0.1", "slow-dns.test")
        started = time.monotonic()
        with pytest.raises(GatewayTimeout):
            send(requests.Session(), "GET", f"{url}/v1/payments/x", timeout=DEADLINE)
        took = time.monotonic() - started
    assert took < slow_lookup + MARGIN


class KeepAlive(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; a request to /hold waits for `hold`."""

    protocol_version = "HTTP/1.1"
    hold = threading.Event()
    connections = 0

    def setup(self) -> None:
        type(self).connections += 1
        super().setup()

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/hold":
            self.hold.wait(10)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def test_a_pooled_connection_answers_only_to_the_call_that_holds_it():
    """Call A ends and its connection goes back to the pool while A's deadline block is still
    open; call B takes that connection and is still waiting when A's deadline passes: the
    watchdog leaves B's connection alone."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    http = pool_manager(retries=False, maxsize=1)
    a_done, b_done = threading.Event(), threading.Event()
    a_deadline: list[float] = []

    def call_a() -> None:
        with deadline(0.5) as first:
            a_deadline.append(first.expires_at)
            assert http.request("GET", f"{url}/", timeout=socket_timeout(first)).status == 200
            a_done.set()
            b_done.wait(10)  # A's block stays open past its deadline

    caller = threading.Thread(target=call_a)
    caller.start()
    try:
        assert a_done.wait(10)
        # The server answers B only after A's deadline has passed.
        threading.Timer(a_deadline[0] - time.monotonic() + 0.3, KeepAlive.hold.set).start()
        with deadline(5) as second:
            response = http.request("GET", f"{url}/hold", timeout=socket_timeout(second))
        b_done.set()
    finally:
        KeepAlive.hold.set()
        caller.join(10)
        server.shutdown()
    assert response.status == 200
    assert time.monotonic() > a_deadline[0]
    assert not second.tripped
    assert KeepAlive.connections == 1  # B did reuse A's connection
