"""``DemoConnector``: the demo stream behind the connector protocol.

``fetch`` returns the items created between the cursor and now (the injected clock), at
most ``max_window`` at a time so a long backfill comes in pages. Writes (reply, private
message, hide, delete, publish) succeed and are recorded in ``actions`` (in memory), so the
engagement and publishing features can be exercised end to end without any network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..items import Engagement, Media, Network, NetworkItem
from ..protocol import ActionResult, BaseConnector, Capability, FetchResult, Rejected
from .generator import DEMO_BRANDS, DemoBrand, DemoStream

__all__ = ["DemoConnector", "RecordedAction"]


@dataclass(frozen=True, slots=True)
class RecordedAction:
    """One write the demo connector accepted."""

    action: Capability
    target: str  # external id, handle or "" for a new post
    text: str
    at: datetime
    idempotency_key: str | None
    result: ActionResult = field(default_factory=ActionResult)


class DemoConnector(BaseConnector):
    """The demo network: every capability, no network, deterministic for a seed."""

    name = "demo"
    network = Network.DEMO
    capabilities = frozenset(Capability)

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        brands: Sequence[DemoBrand] = DEMO_BRANDS,
        seed: int = 7,
        per_hour: float = 90.0,
        backfill: timedelta = timedelta(hours=24),
        max_window: timedelta = timedelta(hours=6),
        stream: DemoStream | None = None,
    ) -> None:
        self._clock = clock
        self.stream = stream or DemoStream(brands=brands, seed=seed, per_hour=per_hour)
        self.backfill = backfill
        self.max_window = max_window
        self.actions: list[RecordedAction] = []
        self._by_key: dict[str, ActionResult] = {}
        self.hidden: set[str] = set()
        self.deleted: set[str] = set()

    def fetch(self, cursor: str | None) -> FetchResult:
        """Items created in [cursor, now), at most ``max_window`` of them per call.

        The cursor is the ISO time up to which items were delivered.
        """
        now = self._clock()
        start = now - self.backfill
        if cursor:
            try:
                start = datetime.fromisoformat(cursor)
            except ValueError:
                raise Rejected(f"not a demo cursor: {cursor[:50]!r}") from None
            if start.tzinfo is None:
                raise Rejected("demo cursor has no time zone")
        end = min(now, start + self.max_window)
        if end <= start:
            return FetchResult(items=(), next_cursor=start.isoformat())
        items = tuple(self.stream.items_between(start, end))
        return FetchResult(items=items, next_cursor=end.isoformat(), has_more=end < now)

    def _record(
        self, action: Capability, target: str, text: str, key: str | None, **detail: str
    ) -> ActionResult:
        if key is not None and key in self._by_key:
            return self._by_key[key]  # the same request twice does it once
        number = len(self.actions) + 1
        external_id = f"demo-{action.value}-{number}"
        result = ActionResult(external_id=external_id, url=None, detail=dict(detail))
        self.actions.append(RecordedAction(action, target, text, self._clock(), key, result))
        if key is not None:
            self._by_key[key] = result
        return result

    def reply(self, in_reply_to: NetworkItem, text: str, *, idempotency_key: str) -> ActionResult:
        if not text.strip():
            raise Rejected("a reply needs text")
        return self._record(
            Capability.REPLY,
            in_reply_to.external_id,
            text,
            idempotency_key,
            thread_id=in_reply_to.thread_id or in_reply_to.external_id,
        )

    def send_private(
        self, to_handle: str, text: str, *, thread_id: str | None = None, idempotency_key: str
    ) -> ActionResult:
        if not text.strip():
            raise Rejected("a message needs text")
        return self._record(
            Capability.PRIVATE_MESSAGE, to_handle, text, idempotency_key, thread_id=thread_id or ""
        )

    def delete(self, external_id: str) -> ActionResult:
        self.deleted.add(external_id)
        return self._record(Capability.DELETE, external_id, "", None)

    def hide(self, external_id: str, *, hidden: bool = True) -> ActionResult:
        (self.hidden.add if hidden else self.hidden.discard)(external_id)
        return self._record(Capability.HIDE, external_id, "hide" if hidden else "unhide", None)

    def publish(
        self, text: str, *, media: Sequence[Media] = (), idempotency_key: str
    ) -> ActionResult:
        if not text.strip() and not media:
            raise Rejected("a post needs text or media")
        return self._record(Capability.PUBLISH, "", text, idempotency_key)

    def metrics(self, external_ids: Sequence[str]) -> dict[str, Engagement]:
        """Counts that grow with time since the clock started, stable for a given time."""
        hours = int(self._clock().timestamp() // 3600)
        out = {}
        for external_id in external_ids:
            digest = hashlib.sha256(external_id.encode()).digest()
            base = digest[0] + 1
            growth = 1 + (hours % 48) / 12
            out[external_id] = Engagement(
                likes=int(base * growth),
                comments=int(digest[1] % 20 * growth),
                shares=int(digest[2] % 10 * growth),
                views=int(base * 40 * growth),
            )
        return out
