"""Metric definitions and period rules: pure, so tested directly (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tertulia.config import REPO_ROOT
from tertulia.insights import metrics as M
from tertulia.insights.docs import metrics_page
from tertulia.insights.metrics import Compare, Grain, Period, Totals
from tertulia.reference import write_reference

counts = st.integers(0, 10**9)
totals = st.builds(
    lambda pos, neu, neg, red, likes, comments, shares, views, reach, comp: Totals(
        mentions=pos + neu + neg, positive=pos, neutral=neu, negative=neg, red=red,
        likes=likes, comments=comments, shares=shares, views=views, reach=reach,
        competitor_mentions=comp),
    counts, counts, counts, counts, counts, counts, counts, counts, counts,
    st.one_of(st.none(), counts),
)


def test_every_metric_is_fully_defined_once() -> None:
    keys = [m.key for m in M.METRICS]
    assert len(keys) == len(set(keys))
    for m in M.METRICS:
        assert m.label_en and m.label_es and m.formula_en and m.formula_es
        assert m.missing_en and m.missing_es
        assert m.unit in M.UNIT_LABELS and m.good in M.GOOD_LABELS
        assert m.value(Totals()) in (0, None), f"{m.key} on no data is 0 or unknown"


@given(totals)
def test_shares_are_percentages_and_net_sentiment_is_bounded(t: Totals) -> None:
    for metric in (M.POSITIVE_SHARE, M.NEGATIVE_SHARE, M.SHARE_OF_VOICE, M.SPAM_SHARE):
        value = metric.value(t)
        assert value is None or 0 <= value <= 100
    net = M.NET_SENTIMENT.value(t)
    assert (net is None) == (t.mentions == 0)
    assert net is None or -100 <= net <= 100
    if t.mentions:
        pos, neg = M.POSITIVE_SHARE.value(t), M.NEGATIVE_SHARE.value(t)
        assert net == pytest.approx(pos - neg)  # type: ignore[operator]


@given(totals, totals)
def test_counts_add_up_over_parts(a: Totals, b: Totals) -> None:
    whole = a + b
    for metric in (M.MENTIONS, M.REACH, M.INTERACTIONS, M.VIEWS, M.SALES_SIGNALS):
        assert metric.value(whole) == metric.value(a) + metric.value(b)  # type: ignore[operator]
    if a.competitor_mentions is None and b.competitor_mentions is None:
        assert M.SHARE_OF_VOICE.value(whole) is None


def test_share_of_voice_needs_competitors() -> None:
    assert M.SHARE_OF_VOICE.value(Totals(mentions=30)) is None, "no competitor query"
    assert M.SHARE_OF_VOICE.value(Totals(mentions=30, competitor_mentions=70)) == 30.0
    assert M.SHARE_OF_VOICE.value(Totals(mentions=0, competitor_mentions=0)) is None


def test_totals_of_rows_split_sentiment_and_flags() -> None:
    rows = [
        {"sentiment": "positive", "flag": "green", "mentions": 3, "likes": 5, "comments": 1,
         "shares": 0, "views": 0, "reach": 100},
        {"sentiment": "negative", "flag": "red", "mentions": 2, "likes": 0, "comments": 4,
         "shares": 1, "views": 9, "reach": 50},
    ]
    t = Totals.of_rows(rows)
    assert (t.mentions, t.positive, t.negative, t.green, t.red) == (5, 3, 2, 3, 2)
    assert (t.interactions, t.reach, t.views) == (11, 150, 9)
    assert M.NET_SENTIMENT.value(t) == 20.0


def test_changes_follow_the_direction_of_good() -> None:
    before, now = Totals(mentions=10, negative=1), Totals(mentions=10, negative=3)
    moved = M.change(M.NEGATIVE_SHARE, now, before)
    assert moved.delta == pytest.approx(20.0) and moved.verdict == "bad"
    assert M.format_change(M.NEGATIVE_SHARE, moved) == "+20.0 pp"
    volume = M.change(M.MENTIONS, Totals(mentions=15), Totals(mentions=10))
    assert volume.percent == 50.0 and volume.verdict == "", "volume is neither good nor bad"
    assert M.format_change(M.MENTIONS, volume, "es") == "+50,0 %"
    assert M.format_change(M.MENTIONS, M.change(M.MENTIONS, Totals(mentions=4), Totals())) \
        == "new"
    assert M.change(M.MENTIONS, Totals(mentions=4), None).verdict == ""


def test_numbers_read_in_each_language() -> None:
    assert M.REACH.format(1234567, "en") == "1,234,567"
    assert M.REACH.format(1234567, "es") == "1.234.567"
    assert M.NET_SENTIMENT.format(12.34, "es") == "+12,3"
    assert M.SHARE_OF_VOICE.format(None) == "—"


def test_periods_compare_with_the_previous_one_and_last_year() -> None:
    p = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert p.days == 31
    assert p.previous() == Period(date(2026, 1, 29), date(2026, 2, 28))
    assert p.last_year() == Period(date(2025, 3, 1), date(2025, 3, 31))
    leap = Period(date(2024, 2, 29), date(2024, 2, 29))
    assert M.compare(leap, Compare.LAST_YEAR) == Period(date(2023, 2, 28), date(2023, 2, 28))
    assert M.compare(p, "none") is None
    with pytest.raises(ValueError):
        Period(date(2026, 3, 2), date(2026, 3, 1))


@given(st.dates(date(2001, 1, 1), date(2090, 12, 31)), st.integers(1, 400))
def test_previous_period_is_adjacent_and_as_long(start: date, days: int) -> None:
    from datetime import timedelta

    p = Period(start, start + timedelta(days=days - 1))
    prev = p.previous()
    assert prev.days == p.days and prev.end + timedelta(days=1) == p.start


def test_presets_end_today_in_the_brands_zone() -> None:
    today = date(2026, 11, 18)  # a Wednesday
    assert M.preset("7d", today) == Period(date(2026, 11, 12), today)
    assert M.preset("mtd", today) == Period(date(2026, 11, 1), today)
    assert M.preset("last_month", today) == Period(date(2026, 10, 1), date(2026, 10, 31))
    assert M.preset("last_week", today) == Period(date(2026, 11, 9), date(2026, 11, 15))
    late = datetime(2026, 11, 18, 23, 30, tzinfo=UTC)
    assert M.local_today(late, "Europe/Madrid") == date(2026, 11, 19)
    assert M.local_today(late, "America/Mexico_City") == date(2026, 11, 18)


def test_utc_bounds_and_buckets_follow_daylight_saving() -> None:
    # 29 March 2026: Madrid moves from UTC+1 to UTC+2, so the day has 23 hours.
    day = Period(date(2026, 3, 29), date(2026, 3, 29))
    start, end = day.utc_bounds("Europe/Madrid")
    assert start == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, tzinfo=UTC)
    assert M.grain_for(day) == Grain.HOUR
    assert len(M.buckets(day, Grain.HOUR, "Europe/Madrid")) == 23
    assert M.bucket_label(start, Grain.HOUR, "Europe/Madrid") == "03-29 00:00"
    quarter = Period(date(2026, 1, 1), date(2026, 6, 30))
    assert M.grain_for(quarter) == Grain.WEEK
    weeks = M.buckets(quarter, Grain.WEEK, "UTC")
    assert weeks[0] == date(2025, 12, 29) and all(w.weekday() == 0 for w in weeks)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_reference_page_lists_every_metric(lang: str) -> None:
    page = metrics_page(lang)
    for metric in M.METRICS:
        assert f"(`{metric.key}`)" in page
        assert metric.label(lang) in page
        assert (metric.formula_es if lang == "es" else metric.formula_en) in page
    committed = (REPO_ROOT / "docs" / lang / "reference" / "metrics.md").read_text()
    assert committed == page, "run `tertulia docs generate`"


def test_generated_pages_are_in_sync() -> None:
    assert write_reference(REPO_ROOT / "docs", check=True) == []
