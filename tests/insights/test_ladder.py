"""The engagement ladder: each stage from an author's history, with the documented thresholds."""

from __future__ import annotations

from tertulia.insights import ladder as L


def h(**kw: int) -> L.History:
    base = {"brand_days": 0, "brand_days_in_period": 0, "brand_mentions": 0,
            "competitor_mentions": 0, "competitor_mentions_in_period": 0,
            "interactions_in_period": 0, "brand_mentions_in_period": 0}
    return L.History(**{**base, **kw})


def test_each_stage() -> None:
    assert L.classify(h(competitor_mentions=3, competitor_mentions_in_period=2)) == \
        L.Stage.UNAWARE
    assert L.classify(h(brand_days=1, brand_days_in_period=1, brand_mentions=1,
                        brand_mentions_in_period=1, competitor_mentions=2,
                        competitor_mentions_in_period=2)) == L.Stage.INTERESTED
    assert L.classify(h(brand_days=1, brand_days_in_period=1, brand_mentions=1,
                        brand_mentions_in_period=1)) == L.Stage.FIRST_TIME
    assert L.classify(h(brand_days=L.REGULAR_MIN_DAYS, brand_days_in_period=1,
                        brand_mentions=3, brand_mentions_in_period=1)) == L.Stage.REGULAR
    assert L.classify(h(brand_days=L.ENTHUSIAST_MIN_DAYS,
                        brand_days_in_period=L.ENTHUSIAST_MIN_PERIOD_DAYS, brand_mentions=9,
                        brand_mentions_in_period=4, interactions_in_period=4)) == \
        L.Stage.ENTHUSIAST


def test_thresholds_are_the_boundaries() -> None:
    # Many days but nobody listens: a regular, not an enthusiast.
    assert L.classify(h(brand_days=8, brand_days_in_period=3, brand_mentions=8,
                        brand_mentions_in_period=3, interactions_in_period=2)) == \
        L.Stage.REGULAR
    # One day short of an enthusiast.
    assert L.classify(h(brand_days=L.ENTHUSIAST_MIN_DAYS - 1, brand_days_in_period=3,
                        brand_mentions=9, brand_mentions_in_period=3,
                        interactions_in_period=50)) == L.Stage.REGULAR
    # Knew us before the period, only about competitors now: interested.
    assert L.classify(h(brand_days=1, brand_mentions=1, competitor_mentions=1,
                        competitor_mentions_in_period=1)) == L.Stage.INTERESTED


def test_authors_silent_in_the_period_are_not_placed() -> None:
    assert L.classify(h(brand_days=4, brand_mentions=6)) is None
    counts = L.ladder([h(brand_days=4, brand_mentions=6),
                       h(competitor_mentions=1, competitor_mentions_in_period=1),
                       h(brand_days=1, brand_days_in_period=1, brand_mentions=1,
                         brand_mentions_in_period=1)])
    assert counts == {L.Stage.UNAWARE: 1, L.Stage.INTERESTED: 0, L.Stage.FIRST_TIME: 1,
                      L.Stage.REGULAR: 0, L.Stage.ENTHUSIAST: 0}
