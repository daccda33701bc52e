"""Business-hours arithmetic, including DST changes and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tertulia.engagement.calendar import BusinessCalendar, CalendarError, weekly

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_office(tz: str = "Europe/Madrid", holidays: set[date] | None = None) -> BusinessCalendar:
    """Split shift, Monday to Friday, plus Saturday mornings."""
    hours = weekly(WEEKDAYS, ["09:00-14:00", "15:00-18:00"]) | {"sat": ["10:00-13:00"]}
    return BusinessCalendar(tz, hours, holidays or set())


def make_round_the_clock(tz: str) -> BusinessCalendar:
    """Every hour of every day, but not the 24/7 shortcut (it has a holiday far away)."""
    return BusinessCalendar(tz, {d: ["00:00-24:00"] for d in range(7)}, {date(1999, 1, 1)})


# -- examples -------------------------------------------------------------------------------


def test_a_target_started_late_on_friday_falls_due_on_monday() -> None:
    office = make_office()
    friday_1700_madrid = utc(2025, 3, 7, 16)  # CET, +1
    due = office.add_business_seconds(friday_1700_madrid, 3 * 3600)
    # One hour left on Friday (until 18:00), two more on Saturday morning from 10:00.
    assert due == utc(2025, 3, 8, 11)  # Saturday 12:00 CET


def test_lunch_break_does_not_count() -> None:
    office = make_office()
    assert office.business_seconds_between(utc(2025, 3, 4, 12), utc(2025, 3, 4, 15)) == 2 * 3600


def test_a_holiday_is_closed_all_day() -> None:
    christmas = date(2025, 12, 25)
    office = make_office(holidays={christmas})
    assert not office.is_open(utc(2025, 12, 25, 10))
    assert office.open_intervals(christmas) == []
    assert office.next_open(utc(2025, 12, 24, 18)) == utc(2025, 12, 26, 8)


def test_the_day_clocks_go_forward_opens_at_local_nine() -> None:
    office = make_office()
    # Madrid moves to CEST on Sunday 2025-03-30; Monday opens at 09:00 CEST = 07:00 UTC.
    assert office.next_open(utc(2025, 3, 29, 14)) == utc(2025, 3, 31, 7)


def test_a_full_day_on_dst_days_is_23_or_25_hours() -> None:
    cal = make_round_the_clock("America/New_York")
    spring, autumn = date(2025, 3, 9), date(2025, 11, 2)
    [(s, e)] = cal.open_intervals(spring)
    assert e - s == timedelta(hours=23)
    [(s, e)] = cal.open_intervals(autumn)
    assert e - s == timedelta(hours=25)


def test_an_interval_starting_in_the_spring_gap_opens_when_clocks_jump() -> None:
    cal = BusinessCalendar("Europe/Madrid", {"sun": ["02:30-04:00"]})
    assert cal.open_intervals(date(2025, 3, 30)) == [(utc(2025, 3, 30, 1), utc(2025, 3, 30, 2))]


def test_mexico_city_has_no_dst_since_2022() -> None:
    cal = make_round_the_clock("America/Mexico_City")
    for day in (date(2023, 4, 2), date(2023, 10, 29)):
        [(s, e)] = cal.open_intervals(day)
        assert e - s == timedelta(hours=24)
    [(s, e)] = cal.open_intervals(date(2021, 4, 4))  # it still changed in 2021
    assert e - s == timedelta(hours=23)


def test_always_open_counts_wall_time() -> None:
    cal = BusinessCalendar.always_open()
    assert cal.is_always_open
    assert cal.business_seconds_between(utc(2025, 1, 1), utc(2025, 1, 2)) == 86_400
    assert cal.add_business_seconds(utc(2025, 1, 1), 90) == utc(2025, 1, 1, 0, 1, 30)


def test_reversed_instants_give_negative_business_time() -> None:
    office = make_office()
    assert office.business_seconds_between(utc(2025, 3, 4, 10), utc(2025, 3, 4, 9)) == -3600


@pytest.mark.parametrize(
    ("hours", "fragment"),
    [
        ({"mon": ["18:00-09:00"]}, "overnight shift"),
        ({"mon": ["9-18"]}, "write it like"),
        ({"mon": ["09:00-14:00", "13:00-18:00"]}, "overlap"),
        ({"funday": ["09:00-18:00"]}, "not a weekday"),
        ({}, "no open interval"),
    ],
)
def test_bad_hours_are_rejected_with_a_fix(hours: dict, fragment: str) -> None:
    with pytest.raises(CalendarError, match=fragment):
        BusinessCalendar("Europe/Madrid", hours)


def test_unknown_time_zone_and_naive_datetimes_are_rejected() -> None:
    with pytest.raises(CalendarError, match="IANA"):
        BusinessCalendar("Mars/Olympus", {"mon": ["09:00-18:00"]})
    with pytest.raises(CalendarError, match="naive"):
        make_office().is_open(datetime(2025, 1, 1, 10))


def test_a_calendar_of_only_holidays_fails_loudly_instead_of_looping() -> None:
    days = {date(2025, 1, 1) + timedelta(days=i) for i in range(4000)}
    cal = BusinessCalendar("UTC", {"mon": ["09:00-10:00"]}, days)
    with pytest.raises(CalendarError, match="no open hour"):
        cal.add_business_seconds(utc(2025, 1, 1), 60)


# -- properties ------------------------------------------------------------------------------

ZONES = ["Europe/Madrid", "America/Mexico_City", "America/New_York"]
# Starts spread over 2021–2026 so every DST change of those years (and Mexico's last) is hit.
instants = st.datetimes(
    min_value=datetime(2021, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
holiday_sets = st.sets(
    st.dates(min_value=date(2021, 1, 1), max_value=date(2027, 3, 1)), max_size=40
)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    tz = draw(st.sampled_from(ZONES))
    shape = draw(st.sampled_from(["office", "night", "round"]))
    if shape == "office":
        hours = weekly(WEEKDAYS, ["09:00-14:00", "15:00-18:00"])
    elif shape == "night":  # straddles the 01:00–03:00 DST changes and midnight
        hours = {d: ["00:00-03:30", "22:00-24:00"] for d in range(7)}
    else:
        hours = {d: ["00:00-24:00"] for d in range(7)}
    return BusinessCalendar(tz, hours, draw(holiday_sets))


business_seconds = st.integers(min_value=1, max_value=30 * 86_400)


@settings(max_examples=300, deadline=None)
@given(cal=calendars(), start=instants, seconds=business_seconds)
def test_adding_then_measuring_business_time_round_trips(
    cal: BusinessCalendar, start: datetime, seconds: int
) -> None:
    due = cal.add_business_seconds(start, seconds)
    assert due > start
    assert cal.business_seconds_between(start, due) == seconds


@settings(max_examples=300, deadline=None)
@given(cal=calendars(), start=instants, seconds=business_seconds)
def test_deadlines_never_land_in_closed_hours(
    cal: BusinessCalendar, start: datetime, seconds: int
) -> None:
    due = cal.add_business_seconds(start, seconds)
    # The last counted second is open time: due is inside an open interval or at its end.
    assert cal.is_open(due - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(cal=calendars(), start=instants, a=business_seconds, b=business_seconds)
def test_more_business_time_never_gives_an_earlier_deadline(
    cal: BusinessCalendar, start: datetime, a: int, b: int
) -> None:
    small, large = sorted((a, b))
    assert cal.add_business_seconds(start, small) <= cal.add_business_seconds(start, large)


@settings(max_examples=200, deadline=None)
@given(
    cal=calendars(), a=instants, gap1=st.integers(0, 20 * 86_400), gap2=st.integers(0, 20 * 86_400)
)
def test_business_time_adds_up_over_consecutive_spans(
    cal: BusinessCalendar, a: datetime, gap1: int, gap2: int
) -> None:
    b = a + timedelta(seconds=gap1)
    c = b + timedelta(seconds=gap2)
    us = cal.business_microseconds_between
    assert us(a, b) + us(b, c) == us(a, c)
    assert 0 <= us(a, c) <= (c - a) // timedelta(microseconds=1)


@settings(max_examples=200, deadline=None)
@given(cal=calendars(), t=instants)
def test_next_open_is_open_and_nothing_before_it_is(cal: BusinessCalendar, t: datetime) -> None:
    nxt = cal.next_open(t)
    assert nxt >= t
    assert cal.is_open(nxt)
    assert cal.business_microseconds_between(t, nxt) == 0


@settings(max_examples=100, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    start=instants,
    seconds=st.integers(min_value=0, max_value=10 * 86_400),
)
def test_round_the_clock_calendar_equals_elapsed_time_even_across_dst(
    tz: str, start: datetime, seconds: int
) -> None:
    cal = make_round_the_clock(tz)
    assert cal.add_business_seconds(start, seconds) == start + timedelta(seconds=seconds)


@settings(max_examples=100, deadline=None)
@given(
    start=instants, seconds=business_seconds, holiday=st.dates(date(2021, 1, 1), date(2027, 1, 1))
)
def test_a_holiday_never_makes_a_deadline_earlier(
    start: datetime, seconds: int, holiday: date
) -> None:
    plain = make_office("America/New_York")
    with_holiday = make_office("America/New_York", holidays={holiday})
    assert with_holiday.add_business_seconds(start, seconds) >= plain.add_business_seconds(
        start, seconds
    )
