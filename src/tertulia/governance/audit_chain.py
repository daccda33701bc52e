"""The audit hash chain, free of Django: how a link is hashed and how a chain is verified.

Each event's hash covers its own canonical content and the previous event's hash, so an
edited row changes its hash, a deleted row breaks the link of the row after it, and a
reordered pair breaks both the sequence and the links.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# The fields that are hashed, in a fixed order. Adding one is a new chain version.
HASHED_FIELDS: tuple[str, ...] = (
    "organization_id", "seq", "created_at", "actor_id", "actor_label", "acting_for_id",
    "action", "object_type", "object_id", "object_repr", "brand_id", "before", "after", "ip",
)


def canonical(fields: Mapping[str, Any]) -> bytes:
    payload = {name: fields.get(name) for name in HASHED_FIELDS}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def link_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(fields)).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainProblem:
    row_id: object
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event #{self.seq} (row id {self.row_id}): {self.reason}"


def verify_chain(
    rows: Iterable[Mapping[str, Any]], *, head_seq: int | None = None,
    head_hash: str | None = None,
) -> ChainProblem | None:
    """The first problem in rows given in storage order, or None when the chain is intact.

    `rows` carry the hashed fields plus `id`, `prev_hash` and `hash`. The optional head
    (the last link recorded separately) reveals rows cut from the end of the chain.
    """
    expected_prev = GENESIS
    expected_seq = 1
    last: Mapping[str, Any] | None = None
    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            what = "missing or reordered events" if seq > expected_seq else "reordered events"
            return ChainProblem(row["id"], seq, f"expected event #{expected_seq}: {what}")
        if row["prev_hash"] != expected_prev:
            return ChainProblem(row["id"], seq, "does not link to the event before it")
        if link_hash(row["prev_hash"], row) != row["hash"]:
            return ChainProblem(row["id"], seq, "content does not match its hash: it was edited")
        expected_prev = row["hash"]
        expected_seq = seq + 1
        last = row
    if head_seq is not None and head_seq != expected_seq - 1:
        row_id = last["id"] if last else None
        return ChainProblem(
            row_id, expected_seq - 1,
            f"the chain ends at event #{expected_seq - 1} but {head_seq} were written: "
            "events were deleted from the end",
        )
    if head_hash is not None and last is not None and head_hash != last["hash"]:
        return ChainProblem(last["id"], int(last["seq"]), "last event differs from the chain head")
    return None
