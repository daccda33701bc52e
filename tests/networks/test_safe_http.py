"""The connection itself refuses private addresses, so DNS rebinding cannot reach inside."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tertulia.networks.safe_http import PublicOnlyTransport, is_public


class _Feed(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self.wfile.write(b"<rss/>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def internal_server() -> Iterator[int]:
    """A service on loopback: what an attacker would like the server to fetch."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Feed.hits = 0
    yield server.server_address[1]
    server.shutdown()


def test_a_name_that_rebinds_to_loopback_is_refused_before_any_request(
    internal_server: int,
) -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])  # public for the check, then loopback
    first = next(answers)
    assert all(is_public(a) for a in first)
    client = httpx.Client(transport=PublicOnlyTransport(resolver=lambda h, p: next(answers)))
    with pytest.raises(httpx.ConnectError, match="non-public address"):
        client.get(f"http://feeds.example:{internal_server}/rss")
    assert _Feed.hits == 0


def test_hosts_listed_as_allowed_skip_the_check(internal_server: int) -> None:
    seen = []

    def resolver(host: str, port: int) -> list[str]:
        seen.append(host)
        return ["127.0.0.1"]

    client = httpx.Client(transport=PublicOnlyTransport(resolver=resolver,
                                                        allow_hosts=["127.0.0.1"]))
    assert client.get(f"http://127.0.0.1:{internal_server}/rss").status_code == 200
    assert seen == [] and _Feed.hits == 1


@pytest.mark.parametrize("address", ["10.0.0.8", "192.168.1.1", "169.254.169.254", "::1",
                                     "::ffff:127.0.0.1", "fd00::1", "224.0.0.1", "nonsense"])
def test_private_and_odd_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)
