"""Conversation status moves and their effect on the SLA clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tertulia.engagement.status import (
    ALLOWED,
    ConversationStatus,
    InvalidTransition,
    SlaEffect,
    Status,
    on_customer_message,
    sla_effect,
    snooze,
    transition,
    wake_if_due,
)

NOW = datetime(2025, 3, 4, 10, tzinfo=UTC)


def make_conversation(status: Status = Status.NEW) -> ConversationStatus:
    return ConversationStatus(status=status, changed_at=NOW - timedelta(hours=1))


def test_the_usual_life_of_a_conversation() -> None:
    c = transition(make_conversation(), Status.OPEN, at=NOW)
    c = transition(c, "pending", at=NOW)
    c = on_customer_message(c, NOW).status
    assert c.status is Status.OPEN
    c = transition(c, Status.RESOLVED, at=NOW)
    c = transition(c, Status.CLOSED, at=NOW)
    assert c.status is Status.CLOSED and c.changed_at == NOW


def test_an_invalid_move_says_where_it_could_go() -> None:
    with pytest.raises(InvalidTransition) as info:
        transition(make_conversation(Status.RESOLVED), Status.PENDING, at=NOW)
    assert "from resolved to pending" in str(info.value)
    assert "closed, open" in str(info.value)
    with pytest.raises(InvalidTransition, match="it is final"):
        transition(make_conversation(Status.CLOSED), Status.OPEN, at=NOW)


def test_snooze_needs_a_future_wake_up_time_and_wakes_open() -> None:
    with pytest.raises(InvalidTransition, match="snooze"):
        transition(make_conversation(Status.OPEN), Status.SNOOZED, at=NOW)
    with pytest.raises(InvalidTransition, match="later time"):
        snooze(make_conversation(Status.OPEN), until=NOW, at=NOW)
    snoozed = snooze(make_conversation(Status.OPEN), until=NOW + timedelta(hours=2), at=NOW)
    assert wake_if_due(snoozed, NOW + timedelta(hours=1)) is snoozed
    woken = wake_if_due(snoozed, NOW + timedelta(hours=2))
    assert woken.status is Status.OPEN and woken.snoozed_until is None
    # Snoozing again just moves the wake-up time.
    later = snooze(snoozed, until=NOW + timedelta(days=1), at=NOW)
    assert later.snoozed_until == NOW + timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "new_status", "reopened", "new_case"),
    [
        (Status.NEW, Status.NEW, False, False),
        (Status.OPEN, Status.OPEN, False, False),
        (Status.PENDING, Status.OPEN, False, False),
        (Status.SNOOZED, Status.OPEN, False, False),
        (Status.RESOLVED, Status.OPEN, True, False),
        (Status.CLOSED, Status.CLOSED, False, True),
    ],
)
def test_a_customer_message(
    status: Status, new_status: Status, reopened: bool, new_case: bool
) -> None:
    outcome = on_customer_message(make_conversation(status), NOW)
    assert outcome.status.status is new_status
    assert outcome.reopened is reopened
    assert outcome.start_new_conversation is new_case


@pytest.mark.parametrize(
    ("from_status", "to_status", "effect"),
    [
        (Status.OPEN, Status.PENDING, SlaEffect.PAUSE),
        (Status.PENDING, Status.OPEN, SlaEffect.RESUME),
        (Status.PENDING, Status.SNOOZED, SlaEffect.RESUME),
        (Status.OPEN, Status.SNOOZED, SlaEffect.NONE),  # snoozing never stops the clock
        (Status.OPEN, Status.RESOLVED, SlaEffect.RESOLVE),
        (Status.PENDING, Status.CLOSED, SlaEffect.RESOLVE),
        (Status.RESOLVED, Status.CLOSED, SlaEffect.NONE),
        (Status.RESOLVED, Status.OPEN, SlaEffect.REOPEN),
    ],
)
def test_sla_effect_of_each_move(from_status: Status, to_status: Status, effect: SlaEffect) -> None:
    assert to_status in ALLOWED[from_status]
    assert sla_effect(from_status, to_status) is effect


def test_closed_is_the_only_final_status() -> None:
    assert [s for s, targets in ALLOWED.items() if not targets] == [Status.CLOSED]
