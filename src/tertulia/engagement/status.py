"""Conversation status: which moves are allowed, and what each means for the SLA clock.

::

    new ──► open ──► pending ──► open          (customer answered)
     │       │  ▲       │
     │       ▼  │       ▼
     │     snoozed ──► open                    (snooze ended or customer wrote)
     ▼
    resolved ──► open                          (customer wrote again: reopen)
    resolved ──► closed                        (final; a later message starts a new case)

Every non-final status can also go straight to ``resolved`` or ``closed`` (spam, duplicates).
``closed`` is final so that reports on closed cases never change under the analyst's feet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "ALLOWED",
    "ConversationStatus",
    "CustomerMessageOutcome",
    "InvalidTransition",
    "SlaEffect",
    "Status",
    "on_customer_message",
    "sla_effect",
    "snooze",
    "transition",
    "wake_if_due",
]


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"  # waiting on the customer
    SNOOZED = "snoozed"
    RESOLVED = "resolved"
    CLOSED = "closed"


ALLOWED: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.PENDING, Status.SNOOZED, Status.RESOLVED, Status.CLOSED}
    ),
    Status.OPEN: frozenset({Status.PENDING, Status.SNOOZED, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.SNOOZED, Status.RESOLVED, Status.CLOSED}),
    Status.SNOOZED: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class InvalidTransition(ValueError):
    """A status change the state machine does not allow."""

    def __init__(self, from_status: Status, to_status: Status, reason: str = "") -> None:
        self.from_status = from_status
        self.to_status = to_status
        self.allowed = sorted(ALLOWED[from_status])
        allowed = ", ".join(self.allowed) or "nothing (it is final)"
        detail = reason or f"from {from_status} it can move to: {allowed}"
        super().__init__(f"cannot move a conversation from {from_status} to {to_status}; {detail}")


@dataclass(frozen=True, slots=True)
class ConversationStatus:
    status: Status = Status.NEW
    snoozed_until: datetime | None = None  # set only while snoozed
    changed_at: datetime | None = None


class SlaEffect(StrEnum):
    """What the caller must do to the SLA clock for a status change."""

    NONE = "none"
    PAUSE = "pause"
    RESUME = "resume"
    RESOLVE = "resolve"
    REOPEN = "reopen"


def sla_effect(from_status: Status, to_status: Status) -> SlaEffect:
    """Clock action for a move: pending pauses, leaving pending resumes, resolving stops,
    leaving resolved reopens. Snoozing does not pause (see :mod:`tertulia.engagement.sla`)."""
    if to_status in (Status.RESOLVED, Status.CLOSED):
        # Closing a resolved case leaves its already stopped clock alone.
        return SlaEffect.NONE if from_status is Status.RESOLVED else SlaEffect.RESOLVE
    if from_status is Status.RESOLVED:
        return SlaEffect.REOPEN
    if to_status is Status.PENDING and from_status is not Status.PENDING:
        return SlaEffect.PAUSE
    if from_status is Status.PENDING:
        return SlaEffect.RESUME
    return SlaEffect.NONE


def transition(
    current: ConversationStatus, to: Status | str, *, at: datetime
) -> ConversationStatus:
    """Move to ``to`` at ``at``; raises :class:`InvalidTransition` for a move not in ``ALLOWED``.

    Use :func:`snooze` to snooze, because snoozing needs a wake-up time.
    """
    to = Status(to)
    if to is Status.SNOOZED:
        raise InvalidTransition(
            current.status, to, "use snooze(current, until=…, at=…) so it has a wake-up time"
        )
    _check(current.status, to)
    return ConversationStatus(status=to, changed_at=at)


def snooze(current: ConversationStatus, *, until: datetime, at: datetime) -> ConversationStatus:
    """Hide the conversation until ``until``; then :func:`wake_if_due` reopens it."""
    if until <= at:
        raise InvalidTransition(
            current.status,
            Status.SNOOZED,
            f"snooze until {until.isoformat()} is not after now ({at.isoformat()}); "
            "pick a later time",
        )
    if current.status is not Status.SNOOZED:
        _check(current.status, Status.SNOOZED)
    return ConversationStatus(status=Status.SNOOZED, snoozed_until=until, changed_at=at)


def wake_if_due(current: ConversationStatus, now: datetime) -> ConversationStatus:
    """A snoozed conversation whose time has come is open again; anything else is unchanged."""
    if (
        current.status is Status.SNOOZED
        and current.snoozed_until is not None
        and current.snoozed_until <= now
    ):
        return ConversationStatus(status=Status.OPEN, changed_at=now)
    return current


@dataclass(frozen=True, slots=True)
class CustomerMessageOutcome:
    status: ConversationStatus
    reopened: bool  # was resolved, is open again
    start_new_conversation: bool  # was closed: the message belongs to a new case


def on_customer_message(current: ConversationStatus, at: datetime) -> CustomerMessageOutcome:
    """The customer wrote: pending, snoozed and resolved conversations become open again."""
    status = current.status
    if status is Status.CLOSED:
        return CustomerMessageOutcome(current, reopened=False, start_new_conversation=True)
    if status in (Status.NEW, Status.OPEN):
        return CustomerMessageOutcome(current, reopened=False, start_new_conversation=False)
    return CustomerMessageOutcome(
        ConversationStatus(status=Status.OPEN, changed_at=at),
        reopened=status is Status.RESOLVED,
        start_new_conversation=False,
    )


def _check(from_status: Status, to_status: Status) -> None:
    if to_status not in ALLOWED[from_status]:
        raise InvalidTransition(from_status, to_status)
