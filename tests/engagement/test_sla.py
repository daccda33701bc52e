"""SLA clocks in business time: pauses, reopenings, warnings, breaches, scheduler rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tertulia.engagement import sla
from tertulia.engagement.calendar import BusinessCalendar, weekly
from tertulia.engagement.sla import (
    DeadlineKind,
    SlaPolicy,
    SlaPolicyError,
    SlaState,
    SlaTarget,
    SlaTransitionError,
)

HOUR = 3600


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_policy(
    tz: str = "Europe/Madrid",
    first_response_s: int = 2 * HOUR,
    resolution_s: int = 8 * HOUR,
    warn_before_s: int = 30 * 60,
    holidays: set[date] | None = None,
) -> SlaPolicy:
    calendar = BusinessCalendar(
        tz, weekly(["mon", "tue", "wed", "thu", "fri"], ["09:00-18:00"]), holidays or set()
    )
    return SlaPolicy(first_response_s, resolution_s, warn_before_s, calendar)


# Tuesday 2025-03-04 10:00 in Madrid (CET, UTC+1)
TUESDAY_10 = utc(2025, 3, 4, 9)


def test_a_new_clock_is_due_after_first_response_target_in_business_time() -> None:
    policy = make_policy()
    clock = sla.start(TUESDAY_10)
    assert sla.deadline(clock, policy) == TUESDAY_10 + timedelta(hours=2)
    assert sla.state(clock, policy, TUESDAY_10) is SlaState.OK
    assert sla.state(clock, policy, TUESDAY_10 + timedelta(minutes=95)) is SlaState.WARNING
    assert sla.state(clock, policy, TUESDAY_10 + timedelta(hours=2)) is SlaState.BREACHED


def test_after_first_response_the_resolution_target_is_next() -> None:
    policy = make_policy()
    clock = sla.meet_first_response(sla.start(TUESDAY_10), policy, TUESDAY_10 + timedelta(hours=1))
    # 8 business hours from Tuesday 10:00 CET: Tuesday 18:00 CET, the end of that day.
    assert sla.deadline(clock, policy) == utc(2025, 3, 4, 17)
    assert [t.target for t in sla.target_deadlines(clock, policy)] == [SlaTarget.RESOLUTION]


def test_a_paused_clock_has_no_deadline_and_keeps_its_banked_time() -> None:
    policy = make_policy()
    clock = sla.meet_first_response(sla.start(TUESDAY_10), policy, TUESDAY_10)
    paused = sla.pause(clock, policy, TUESDAY_10 + timedelta(hours=3))
    assert paused.elapsed_business_s == 3 * HOUR
    assert sla.deadline(paused, policy) is None
    assert sla.deadline_rows(paused, policy) == []
    assert sla.state(paused, policy, TUESDAY_10 + timedelta(days=30)) is SlaState.PAUSED
    # The customer answers on Thursday 10:00: 5 business hours remain → Thursday 15:00 CET.
    resumed = sla.resume(paused, utc(2025, 3, 6, 9))
    assert sla.deadline(resumed, policy) == utc(2025, 3, 6, 14)


def test_resolving_meets_the_target_and_reopening_continues_in_a_new_cycle() -> None:
    policy = make_policy()
    clock = sla.meet_first_response(sla.start(TUESDAY_10), policy, TUESDAY_10)
    resolved = sla.resolve(clock, policy, TUESDAY_10 + timedelta(hours=4))
    assert sla.state(resolved, policy, TUESDAY_10 + timedelta(days=9)) is SlaState.MET
    assert sla.deadline(resolved, policy) is None
    reopened = sla.reopen(resolved, utc(2025, 3, 10, 9))  # Monday 10:00 CET
    assert reopened.cycle == 1
    assert sla.deadline(reopened, policy) == utc(2025, 3, 10, 13)  # 4h left
    assert {r.key for r in sla.deadline_rows(reopened, policy)} == {
        "resolution:warning:1",
        "resolution:breach:1",
    }


def test_a_target_met_late_stays_breached() -> None:
    policy = make_policy()
    late = sla.meet_first_response(sla.start(TUESDAY_10), policy, TUESDAY_10 + timedelta(hours=3))
    assert sla.state(late, policy, TUESDAY_10 + timedelta(hours=3)) is SlaState.BREACHED


def test_breach_wins_over_pause() -> None:
    policy = make_policy()
    clock = sla.pause(sla.start(TUESDAY_10), policy, TUESDAY_10 + timedelta(hours=5))
    assert sla.state(clock, policy, TUESDAY_10 + timedelta(hours=6)) is SlaState.BREACHED


def test_the_clock_waits_over_a_holiday() -> None:
    policy = make_policy(holidays={date(2025, 3, 5)})
    clock = sla.start(utc(2025, 3, 4, 16))  # Tuesday 17:00 CET, 1h left that day
    assert sla.deadline(clock, policy) == utc(2025, 3, 6, 9)  # Thursday 10:00 CET


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda c, p, t: sla.resume(c, t), "only a paused clock resumes"),
        (lambda c, p, t: sla.reopen(c, t), "only a resolved clock reopens"),
        (lambda c, p, t: sla.pause(sla.pause(c, p, t), p, t), "only a running clock"),
        (lambda c, p, t: sla.resolve(sla.resolve(c, p, t), p, t), "already resolved"),
    ],
)
def test_transitions_that_do_not_apply_say_why(action, message: str) -> None:
    with pytest.raises(SlaTransitionError, match=message):
        action(sla.start(TUESDAY_10), make_policy(), TUESDAY_10 + timedelta(hours=1))


def test_events_out_of_order_are_rejected() -> None:
    with pytest.raises(SlaTransitionError, match="time order"):
        sla.pause(sla.start(TUESDAY_10), make_policy(), TUESDAY_10 - timedelta(hours=1))


def test_policy_numbers_are_checked() -> None:
    cal = BusinessCalendar.always_open()
    with pytest.raises(SlaPolicyError, match="first_response_s"):
        SlaPolicy(0, 10, 0, cal)
    with pytest.raises(SlaPolicyError, match="warn_before_s"):
        SlaPolicy(10, 10, -1, cal)


def test_deadline_rows_hold_warning_and_breach_per_pending_target() -> None:
    policy = make_policy()
    rows = sla.deadline_rows(sla.start(TUESDAY_10), policy)
    assert [(r.target, r.kind) for r in rows] == [
        (SlaTarget.FIRST_RESPONSE, DeadlineKind.WARNING),
        (SlaTarget.FIRST_RESPONSE, DeadlineKind.BREACH),
        (SlaTarget.RESOLUTION, DeadlineKind.WARNING),
        (SlaTarget.RESOLUTION, DeadlineKind.BREACH),
    ]
    assert rows[0].at == TUESDAY_10 + timedelta(minutes=90)
    assert len({r.key for r in rows}) == 4
    no_warning = make_policy(warn_before_s=0)
    assert all(
        r.kind is DeadlineKind.BREACH for r in sla.deadline_rows(sla.start(TUESDAY_10), no_warning)
    )


def test_due_items_splits_warning_from_breached_by_timestamps_only() -> None:
    policy = make_policy()
    now = TUESDAY_10 + timedelta(hours=3)
    fresh = sla.sla_times(sla.start(now), policy)
    older = sla.sla_times(sla.start(now - timedelta(minutes=95)), policy)
    oldest = sla.sla_times(sla.start(TUESDAY_10), policy)
    paused = sla.sla_times(sla.pause(sla.start(TUESDAY_10), policy, TUESDAY_10), policy)
    assert paused is None
    due = sla.due_items([("a", fresh), ("b", older), ("c", oldest), ("d", paused)], now)
    assert due.warning == ["b"]
    assert due.breached == ["c"]


def test_classify_due_is_vectorised_over_columns() -> None:
    codes = sla.classify_due(
        np.array([5.0, 50.0, np.nan, 1.0]), np.array([10.0, 60.0, np.nan, 2.0]), now_s=7.0
    )
    assert codes.tolist() == [sla.CODE_WARNING, sla.CODE_OK, sla.CODE_NONE, sla.CODE_BREACHED]


# -- properties ------------------------------------------------------------------------------

ZONES = ["Europe/Madrid", "America/Mexico_City", "America/New_York"]
instants = st.datetimes(
    min_value=datetime(2021, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
holiday_sets = st.sets(
    st.dates(min_value=date(2021, 1, 1), max_value=date(2027, 3, 1)), max_size=30
)


@st.composite
def policies(draw: st.DrawFn) -> SlaPolicy:
    return make_policy(
        tz=draw(st.sampled_from(ZONES)),
        first_response_s=draw(st.integers(60, 10 * HOUR)),
        resolution_s=draw(st.integers(60, 80 * HOUR)),
        warn_before_s=draw(st.integers(0, 2 * HOUR)),
        holidays=draw(holiday_sets),
    )


@settings(max_examples=150, deadline=None)
@given(policy=policies(), started=instants, gaps=st.lists(st.integers(1, 5 * 86_400), max_size=6))
def test_pausing_and_resuming_never_changes_the_business_time_owed(
    policy: SlaPolicy, started: datetime, gaps: list[int]
) -> None:
    """However the conversation bounces to the customer and back, the deadline is exactly
    target − business time counted while running, measured from the last resume."""
    clock = sla.start(started)
    t = started
    for i, gap in enumerate(gaps):
        t += timedelta(seconds=gap)
        clock = sla.pause(clock, policy, t) if i % 2 == 0 else sla.resume(clock, t)
    if clock.is_paused:
        assert sla.deadline(clock, policy) is None
        t += timedelta(hours=1)
        clock = sla.resume(clock, t)
    due = sla.deadline(clock, policy)
    assert due is not None
    assert due >= clock.running_since
    remaining = max(min(policy.first_response_s, policy.resolution_s) - clock.elapsed_business_s, 0)
    assert policy.calendar.business_seconds_between(clock.running_since, due) == remaining
    if remaining:
        assert policy.calendar.is_open(due - timedelta(microseconds=1))


@settings(max_examples=150, deadline=None)
@given(policy=policies(), started=instants, probe_s=st.integers(0, 20 * 86_400))
def test_state_agrees_with_deadline_and_warning_instants(
    policy: SlaPolicy, started: datetime, probe_s: int
) -> None:
    clock = sla.start(started)
    times = sla.sla_times(clock, policy)
    assert times is not None
    now = started + timedelta(seconds=probe_s)
    expected = (
        SlaState.BREACHED
        if now >= times.due_at
        else SlaState.WARNING
        if now >= times.warn_at and policy.warn_before_s
        else SlaState.OK
    )
    # The classifier compares timestamps only; state() recomputes business time: they agree.
    assert sla.state(clock, policy, now) is expected
    assert times.warn_at <= times.due_at
