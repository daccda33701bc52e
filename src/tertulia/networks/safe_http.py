"""HTTP clients that can only reach public addresses, checked where the socket connects.

A URL check before the request (``polling.make_url_guard``) resolves the host once; the
HTTP client would resolve it again when it connects, and a hostile DNS server can answer
differently the second time (DNS rebinding) to reach this server's own network. Here the
connection itself resolves the name, refuses any non-public address, and connects to the
address it checked. TLS still verifies the certificate against the host name.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

Resolver = Callable[[str, int], Iterable[str]]


def resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class PublicOnlyBackend(httpcore.SyncBackend):
    """Connects only to public addresses, except for the hosts named in ``allow_hosts``."""

    def __init__(self, *, resolver: Resolver = resolve, allow_hosts: Iterable[str] = ()):
        self._resolve = resolver
        self._allowed = {h.lower().rstrip(".") for h in allow_hosts}

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        if host.lower().rstrip(".") not in self._allowed:
            try:
                addresses = list(self._resolve(host, port))
            except (OSError, UnicodeError) as error:
                raise httpcore.ConnectError(f"cannot resolve the host {host}") from error
            if not addresses:
                raise httpcore.ConnectError(f"cannot resolve the host {host}")
            private = [a for a in addresses if not is_public(a)]
            if private:
                raise httpcore.ConnectError(
                    f"{host} resolves to a non-public address ({private[0]})")
            host = addresses[0]
        return super().connect_tcp(host, port, timeout=timeout, local_address=local_address,
                                   socket_options=socket_options)


class PublicOnlyTransport(httpx.HTTPTransport):
    def __init__(self, *, resolver: Resolver = resolve, allow_hosts: Iterable[str] = ()):
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=PublicOnlyBackend(resolver=resolver, allow_hosts=allow_hosts),
        )


def public_client(**kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` for addresses people type in (feeds, outbound webhooks)."""
    return httpx.Client(transport=PublicOnlyTransport(), **kwargs)
