"""Business-hours calendar: when a brand's team is at work, and how much work time lies between
two instants.

Every public method takes and returns timezone-aware UTC datetimes. Opening hours are wall-clock
intervals in the brand's time zone, so a 09:00–18:00 day is 9 real hours on ordinary days and
still 09:00–18:00 on the day clocks change. Rules at the edges of daylight-saving time:

* a wall-clock time that happens twice (clocks go back) means its first occurrence;
* a wall-clock time that never happens (clocks go forward) means the instant clocks jump,
  so an interval starting inside the gap opens when the gap ends and one ending inside it closes
  there too.

Intervals are half-open ``[start, end)``: a team open 09:00–18:00 is open at 09:00:00 and closed
at 18:00:00. An interval never crosses midnight; an overnight shift is two intervals
(``22:00-24:00`` on one day, ``00:00-06:00`` on the next). A holiday closes the whole local date.

Internally instants are integer microseconds since the Unix epoch, so adding business seconds and
measuring them back round-trips exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "WEEKDAY_NAMES",
    "BusinessCalendar",
    "CalendarError",
    "weekly",
]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_S = 86_400
_US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
# A calendar whose every day is a holiday would make the walk below run forever; after this many
# closed days in a row we say so instead.
_MAX_CLOSED_DAYS = 3 * 366
_INTERVAL_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

Interval = tuple[int, int]  # seconds since local midnight, [start, end), end <= 86_400


class CalendarError(ValueError):
    """A calendar definition or argument that cannot be used; the message names the fix."""


def _to_us(t: datetime) -> int:
    if t.tzinfo is None:
        raise CalendarError(f"naive datetime {t.isoformat()!r}: pass a timezone-aware UTC datetime")
    return (t - _EPOCH) // _ONE_US


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _parse_interval(spec: object, where: str) -> Interval:
    """Accept ``"09:00-18:00"``, ``(time(9), time(18))`` or ``(32400, 64800)``."""
    if isinstance(spec, str):
        m = _INTERVAL_RE.match(spec)
        if not m:
            raise CalendarError(
                f"{where}: {spec!r} is not an interval; write it like '09:00-18:00'"
            )
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
            raise CalendarError(f"{where}: {spec!r} has an impossible time; use 00:00 to 24:00")
        start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    elif isinstance(spec, tuple | list) and len(spec) == 2:
        a, b = spec
        if isinstance(a, time) and isinstance(b, time):
            start = a.hour * 3600 + a.minute * 60 + a.second
            # time() cannot say 24:00; midnight as an end means end of day.
            end = b.hour * 3600 + b.minute * 60 + b.second or DAY_S
        elif isinstance(a, int) and isinstance(b, int):
            start, end = a, b
        else:
            raise CalendarError(f"{where}: {spec!r} must be two times or two second counts")
    else:
        raise CalendarError(f"{where}: {spec!r} is not an interval; write it like '09:00-18:00'")
    if not 0 <= start < end <= DAY_S:
        raise CalendarError(
            f"{where}: {spec!r} must start before it ends within one day; split an overnight "
            "shift into '22:00-24:00' and '00:00-06:00' on the next day"
        )
    return start, end


def _normalise_week(
    weekly_hours: Mapping[int | str, Iterable[object]],
) -> tuple[tuple[Interval, ...], ...]:
    week: list[list[Interval]] = [[] for _ in range(7)]
    for key, specs in weekly_hours.items():
        if isinstance(key, str) and key.lower()[:3] in WEEKDAY_NAMES:
            day = WEEKDAY_NAMES.index(key.lower()[:3])
        elif isinstance(key, int) and 0 <= key <= 6:
            day = key
        else:
            raise CalendarError(
                f"weekly_hours key {key!r} is not a weekday; use 0–6 (Monday=0) or 'mon'…'sun'"
            )
        if isinstance(specs, str):
            specs = [specs]
        week[day].extend(_parse_interval(s, f"weekly_hours[{key!r}]") for s in specs)
    result = []
    for day, intervals in enumerate(week):
        intervals.sort()
        for (s1, e1), (s2, e2) in pairwise(intervals):
            if s2 < e1:
                raise CalendarError(
                    f"weekly_hours for {WEEKDAY_NAMES[day]} overlap: {_fmt(s1, e1)} and "
                    f"{_fmt(s2, e2)}; merge them into one interval"
                )
        result.append(tuple(intervals))
    return tuple(result)


def _fmt(start_s: int, end_s: int) -> str:
    def hhmm(s: int) -> str:
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}"

    return f"{hhmm(start_s)}-{hhmm(end_s)}"


class BusinessCalendar:
    """Opening hours of one brand: a time zone, hours per weekday and holidays.

    ``weekly_hours`` maps a weekday (``0``=Monday … ``6``=Sunday, or ``"mon"``…``"sun"``) to a list
    of intervals (``"09:00-14:00"``, ``(time(9), time(14))`` or seconds since midnight). Days not
    listed are closed. ``holidays`` are local dates closed all day.
    """

    __slots__ = ("_day_cache", "_zone", "holidays", "is_always_open", "tz", "week")

    def __init__(
        self,
        tz: str,
        weekly_hours: Mapping[int | str, Iterable[object]],
        holidays: Iterable[date] = (),
    ) -> None:
        try:
            self._zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(
                f"time zone {tz!r} is unknown; use an IANA name such as 'Europe/Madrid'"
            ) from exc
        self.tz = tz
        self.week = _normalise_week(weekly_hours)
        self.holidays = frozenset(holidays)
        if not any(self.week):
            raise CalendarError(
                "weekly_hours has no open interval; give at least one, or use "
                "BusinessCalendar.always_open() for a 24/7 team"
            )
        self.is_always_open = all(day == ((0, DAY_S),) for day in self.week) and not self.holidays
        self._day_cache: dict[date, tuple[Interval, ...]] = {}

    @classmethod
    def always_open(cls, tz: str = "UTC") -> BusinessCalendar:
        """A 24/7 calendar: business time equals elapsed time (fast path, no day walking)."""
        return cls(tz, {d: ["00:00-24:00"] for d in range(7)})

    def __repr__(self) -> str:
        hours = {
            WEEKDAY_NAMES[d]: [_fmt(s, e) for s, e in iv] for d, iv in enumerate(self.week) if iv
        }
        return f"BusinessCalendar({self.tz!r}, {hours}, holidays={len(self.holidays)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return (self.tz, self.week, self.holidays) == (other.tz, other.week, other.holidays)

    def __hash__(self) -> int:
        return hash((self.tz, self.week, self.holidays))

    # -- public contract -------------------------------------------------------------------

    def is_open(self, t_utc: datetime) -> bool:
        """Whether the team is at work at instant ``t_utc``."""
        if self.is_always_open:
            _to_us(t_utc)
            return True
        t = _to_us(t_utc)
        return any(s <= t < e for s, e in self._intervals_around(t))

    def next_open(self, t_utc: datetime) -> datetime:
        """``t_utc`` itself when open, else the instant the next opening interval starts."""
        t = _to_us(t_utc)
        if self.is_always_open:
            return t_utc
        for s, e in self._intervals_from(t):
            if e > t:
                return _from_us(max(s, t))
        raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover

    def add_business_seconds(self, start_utc: datetime, seconds: float) -> datetime:
        """The instant at which ``seconds`` of open time have passed since ``start_utc``.

        Time before the next opening does not count. For ``seconds > 0`` the result lies inside
        an open interval or exactly at its end (a 1-hour target started at 17:00 with hours
        09:00–18:00 is due at 18:00:00, not at 09:00 the next day). ``seconds == 0`` returns
        ``start_utc`` unchanged.
        """
        if seconds < 0:
            raise CalendarError(f"seconds={seconds} is negative; business time only adds forward")
        t = _to_us(start_utc)
        remaining = round(seconds * _US)
        if remaining == 0:
            return start_utc
        if self.is_always_open:
            return _from_us(t + remaining)
        for s, e in self._intervals_from(t):
            if e <= t:
                continue
            s = max(s, t)
            if e - s >= remaining:
                return _from_us(s + remaining)
            remaining -= e - s
        raise AssertionError("unreachable: _intervals_from never ends")  # pragma: no cover

    def business_seconds_between(self, a_utc: datetime, b_utc: datetime) -> int:
        """Whole seconds of open time in ``[a_utc, b_utc)``; negative when ``b_utc < a_utc``."""
        us = self.business_microseconds_between(a_utc, b_utc)
        return us // _US if us >= 0 else -(-us // _US)

    def business_microseconds_between(self, a_utc: datetime, b_utc: datetime) -> int:
        """Exact open time in ``[a_utc, b_utc)`` in microseconds; negative when reversed."""
        a, b = _to_us(a_utc), _to_us(b_utc)
        if b < a:
            return -self.business_microseconds_between(b_utc, a_utc)
        if self.is_always_open:
            return b - a
        total = 0
        for s, e in self._intervals_from(a):
            if s >= b:
                break
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
        return total

    def open_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The UTC opening intervals of a local date (empty on holidays and closed days)."""
        return [(_from_us(s), _from_us(e)) for s, e in self._day(day)]

    # -- day walking -------------------------------------------------------------------------

    def _local_date(self, t_us: int) -> date:
        return _from_us(t_us).astimezone(self._zone).date()

    def _day(self, day: date) -> tuple[Interval, ...]:
        """UTC microsecond intervals of one local date; cached because schedulers ask often."""
        cached = self._day_cache.get(day)
        if cached is not None:
            return cached
        if day in self.holidays:
            result: tuple[Interval, ...] = ()
        else:
            spans = (
                (self._wall_to_us(day, s), self._wall_to_us(day, e))
                for s, e in self.week[day.weekday()]
            )
            # An interval wholly inside a spring-forward gap has no real instants.
            result = tuple((s, e) for s, e in spans if e > s)
        if len(self._day_cache) > 20_000:  # bound memory in long-lived scheduler processes
            self._day_cache.clear()
        self._day_cache[day] = result
        return result

    def _intervals_around(self, t_us: int) -> Iterator[Interval]:
        day = self._local_date(t_us)
        for d in (day - timedelta(days=1), day):
            yield from self._day(d)

    def _intervals_from(self, t_us: int) -> Iterator[Interval]:
        """Opening intervals in time order, starting with any that may contain ``t_us``.

        Starts a day early because an interval ending at 24:00 belongs to the previous date.
        """
        day = self._local_date(t_us) - timedelta(days=1)
        closed_days = 0
        while True:
            intervals = self._day(day)
            if intervals:
                closed_days = 0
                yield from intervals
            else:
                closed_days += 1
                if closed_days > _MAX_CLOSED_DAYS:
                    raise CalendarError(
                        f"calendar {self!r} has no open hour for {_MAX_CLOSED_DAYS} days after "
                        f"{day - timedelta(days=closed_days)}; check its holidays"
                    )
            day += timedelta(days=1)

    def _wall_to_us(self, day: date, seconds_of_day: int) -> int:
        """Map a local wall-clock time to UTC microseconds using the DST rules in the docstring."""
        wall = datetime.combine(day, time()) + timedelta(seconds=seconds_of_day)
        first = wall.replace(tzinfo=self._zone, fold=0)
        us = _to_us(first)
        if _from_us(us).astimezone(self._zone).replace(tzinfo=None) == wall:
            return us  # exists (for a repeated time, fold=0 is its first occurrence)
        # In a gap: fold=0 reads the wall time with the old offset (lands after the jump) and
        # fold=1 with the new one (lands before it). The jump lies between; find it to the µs.
        lo, hi = _to_us(wall.replace(tzinfo=self._zone, fold=1)), us
        if lo > hi:
            lo, hi = hi, lo
        before = self._offset_at(lo)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._offset_at(mid) == before:
                lo = mid
            else:
                hi = mid
        return hi

    def _offset_at(self, t_us: int) -> timedelta | None:
        # tzinfo.utcoffset() reads its argument as wall time, so convert the instant first.
        return _from_us(t_us).astimezone(self._zone).utcoffset()


def weekly(days: Sequence[int | str], intervals: Sequence[str]) -> dict[int | str, list[str]]:
    """Shorthand for ``weekly_hours``: the same intervals on several days.

    ``weekly(["mon", "tue", "wed", "thu", "fri"], ["09:00-14:00", "15:00-18:00"])``.
    """
    return {d: list(intervals) for d in days}
