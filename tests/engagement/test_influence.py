"""The influence score: bounded, monotone, documented."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tertulia.engagement.influence import influence_score

counts = st.integers(min_value=0, max_value=10**10)


def test_reference_points() -> None:
    assert influence_score(followers=0) == 0
    assert (
        influence_score(
            followers=10**9, engagement_received=10**7, reach_about_us=10**9, verified=True
        )
        == 100
    )
    # 10,000 followers is half of the follower weight's eight decades: 45 * 4/8 = 22.5
    assert influence_score(followers=9_999) == 22.5
    assert influence_score(followers=9_999, verified=True) == 32.5


@given(
    followers=counts,
    engagement=counts,
    reach=counts,
    verified=st.booleans(),
    extra=counts,
    which=st.sampled_from(["followers", "engagement", "reach", "verified"]),
)
def test_more_of_anything_never_lowers_the_score(
    followers: int, engagement: int, reach: int, verified: bool, extra: int, which: str
) -> None:
    base = {
        "followers": followers,
        "engagement_received": engagement,
        "reach_about_us": reach,
        "verified": verified,
    }
    more = dict(base)
    if which == "verified":
        more["verified"] = True
    else:
        key = {
            "followers": "followers",
            "engagement": "engagement_received",
            "reach": "reach_about_us",
        }[which]
        more[key] += extra
    low, high = influence_score(**base), influence_score(**more)
    assert 0 <= low <= high <= 100


def test_negative_inputs_count_as_zero() -> None:
    assert influence_score(followers=-5, engagement_received=-1) == 0
