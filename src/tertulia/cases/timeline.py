"""A case's timeline: its own events and those of every conversation it links, in one order.

Pure: the caller turns rows into :class:`Entry` values. Entries sort by time, then by
source (the conversation's own history before the case's reaction to it at the same instant),
then by the id within the source, so the order is total and the same on every database.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

CONVERSATION = 0
CASE = 1


@dataclass(frozen=True, order=True, slots=True)
class Entry:
    at: datetime
    source: int
    row_id: int
    kind: str = field(compare=False)
    label: str = field(compare=False)
    actor: str = field(compare=False, default="")
    conversation: int | None = field(compare=False, default=None)
    channel: str = field(compare=False, default="")
    detail: str = field(compare=False, default="")
    handoff: bool = field(compare=False, default=False)


def merge(*streams: Iterable[Entry]) -> list[Entry]:
    """One list in timeline order; each stream may come in any order."""
    return list(heapq.merge(*(sorted(s) for s in streams)))


def handoffs(entries: Iterable[Entry]) -> Iterator[Entry]:
    """Only the entries where work changed hands (department, owner, team or channel)."""
    return (e for e in entries if e.handoff)
