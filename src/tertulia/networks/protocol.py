"""The connector protocol every network implements, its capabilities and its typed errors.

A connector turns one network into ``NetworkItem``s (``fetch``) and, where the network
allows, acts on it (reply, private message, delete, hide, publish, metrics). Callers check
``capabilities`` before offering an action; calling one that is not there raises
``Unsupported``. Connectors derive from ``BaseConnector`` so that every optional action
already exists and says so plainly.

Errors are the connector's whole vocabulary of failure; callers never see httpx or a
network SDK's exceptions:

* ``RateLimited(reset_at)``: stop calling this (network, credential, bucket) until then.
* ``AuthExpired``: the credential is revoked or expired; a human must reconnect.
* ``Rejected(reason)``: the network refused this request (bad input, policy, gone); do not
  retry it unchanged.
* ``OutcomeUnknown``: a write was sent and no answer came back (timeout, connection reset
  after sending). It may have happened; never retry blindly, reconcile first.
* ``Unavailable``: the network could not be reached or failed (5xx) before acting; reads
  are safe to retry later.
* ``Unsupported(capability)``: this connector cannot do that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from .items import Engagement, Media, Network, NetworkItem

__all__ = [
    "ActionResult",
    "AuthExpired",
    "BaseConnector",
    "Capability",
    "Connector",
    "ConnectorError",
    "FetchResult",
    "OutcomeUnknown",
    "RateLimited",
    "Rejected",
    "Unavailable",
    "Unsupported",
]


class Capability(StrEnum):
    """What a connector can do. Documented in docs/*/connectors.md (a test checks it)."""

    DELETE = "delete"
    FETCH = "fetch"
    HIDE = "hide"
    METRICS = "metrics"
    PRIVATE_MESSAGE = "private_message"
    PUBLISH = "publish"
    REPLY = "reply"
    WEBHOOKS = "webhooks"


class ConnectorError(Exception):
    """Base of every error a connector raises."""


class RateLimited(ConnectorError):
    """The network's rate limit is spent; calls may resume at ``reset_at`` (UTC)."""

    def __init__(self, reset_at: datetime, message: str = "") -> None:
        self.reset_at = reset_at
        super().__init__(message or f"rate limited until {reset_at.isoformat()}")


class AuthExpired(ConnectorError):
    """The credential is expired or revoked; the account must be reconnected."""


class Rejected(ConnectorError):
    """The network refused the request; ``reason`` says why, in the network's words."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        self.reason = reason
        self.status = status
        super().__init__(reason if status is None else f"{reason} (HTTP {status})")


class OutcomeUnknown(ConnectorError):
    """A write may or may not have happened; reconcile before any retry."""


class Unavailable(ConnectorError):
    """The network is unreachable or failing; nothing was done, retry later."""


class Unsupported(ConnectorError):
    """The connector does not have ``capability``."""

    def __init__(self, capability: Capability, connector: str = "") -> None:
        self.capability = capability
        where = f"{connector} " if connector else ""
        super().__init__(f"{where}connector cannot {capability.value.replace('_', ' ')}")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A page of items and the cursor to pass to the next ``fetch``.

    ``next_cursor`` is opaque to callers; they store it and hand it back. It is never None
    after a successful fetch, so polling can always resume where it stopped.
    """

    items: tuple[NetworkItem, ...]
    next_cursor: str | None
    has_more: bool = False


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What a write produced on the network: the new or affected item, when known."""

    external_id: str | None = None
    url: str | None = None
    detail: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class Connector(Protocol):
    """One network account or source, as the rest of tertulia sees it.

    ``fetch`` must be idempotent for a given cursor (re-fetching yields the same items
    with the same ids), and every write takes an ``idempotency_key`` the caller stored
    before calling, so that a retried call after ``OutcomeUnknown`` can be reconciled.
    """

    name: str
    network: Network
    capabilities: frozenset[Capability]

    def fetch(self, cursor: str | None) -> FetchResult:
        """Items newer than ``cursor`` (None: start from the connector's default window)."""
        ...

    def reply(self, in_reply_to: NetworkItem, text: str, *, idempotency_key: str) -> ActionResult:
        """Publicly answer ``in_reply_to`` in its thread."""
        ...

    def send_private(
        self, to_handle: str, text: str, *, thread_id: str | None = None, idempotency_key: str
    ) -> ActionResult:
        """Send a private (direct) message."""
        ...

    def delete(self, external_id: str) -> ActionResult:
        """Delete one of our own items."""
        ...

    def hide(self, external_id: str, *, hidden: bool = True) -> ActionResult:
        """Hide (or unhide) a comment on one of our own items."""
        ...

    def publish(
        self, text: str, *, media: Sequence[Media] = (), idempotency_key: str
    ) -> ActionResult:
        """Publish a new post on the connected account."""
        ...

    def metrics(self, external_ids: Sequence[str]) -> dict[str, Engagement]:
        """Current engagement counts for our own items."""
        ...


class BaseConnector:
    """Default for every optional action: raise ``Unsupported``.

    Subclasses set ``name``, ``network`` and ``capabilities`` and override what they can do.
    """

    name: str = "base"
    network: Network = Network.OTHER
    capabilities: frozenset[Capability] = frozenset({Capability.FETCH})

    def require(self, capability: Capability) -> None:
        """Raise ``Unsupported`` unless ``capability`` is declared."""
        if capability not in self.capabilities:
            raise Unsupported(capability, self.name)

    def fetch(self, cursor: str | None) -> FetchResult:
        raise Unsupported(Capability.FETCH, self.name)

    def reply(self, in_reply_to: NetworkItem, text: str, *, idempotency_key: str) -> ActionResult:
        raise Unsupported(Capability.REPLY, self.name)

    def send_private(
        self, to_handle: str, text: str, *, thread_id: str | None = None, idempotency_key: str
    ) -> ActionResult:
        raise Unsupported(Capability.PRIVATE_MESSAGE, self.name)

    def delete(self, external_id: str) -> ActionResult:
        raise Unsupported(Capability.DELETE, self.name)

    def hide(self, external_id: str, *, hidden: bool = True) -> ActionResult:
        raise Unsupported(Capability.HIDE, self.name)

    def publish(
        self, text: str, *, media: Sequence[Media] = (), idempotency_key: str
    ) -> ActionResult:
        raise Unsupported(Capability.PUBLISH, self.name)

    def metrics(self, external_ids: Sequence[str]) -> dict[str, Engagement]:
        raise Unsupported(Capability.METRICS, self.name)
