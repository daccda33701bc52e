"""Social influence score of a customer, 0–100.

Formula (each input is clamped at 0; ``log`` is base 10)::

    followers_part  = min(log(1 + followers)            / 8, 1)   # 100M followers saturate
    engagement_part = min(log(1 + engagement_received)  / 6, 1)   # 1M interactions saturate
    reach_part      = min(log(1 + reach_about_us)       / 8, 1)   # 100M impressions saturate
    score = 45 * followers_part + 25 * engagement_part + 20 * reach_part + 10 * verified

* ``followers``: current followers on the network where we met the customer;
* ``engagement_received``: likes, replies and reposts their posts received in the window;
* ``reach_about_us``: sum of impressions (or follower counts where impressions are unknown) of
  their posts that mention our brands in the window;
* ``verified``: the network marks the account as verified.

Logarithms because audience sizes span eight orders of magnitude: going from 100 to 1,000
followers matters as much as from 100,000 to 1,000,000. The score never decreases when any
input grows, and is rounded to one decimal for display.
"""

from __future__ import annotations

import math

__all__ = ["WEIGHTS", "influence_score"]

WEIGHTS = {"followers": 45.0, "engagement": 25.0, "reach": 20.0, "verified": 10.0}
_SATURATION_DECADES = {"followers": 8.0, "engagement": 6.0, "reach": 8.0}


def _part(value: float, decades: float) -> float:
    return min(math.log10(1.0 + max(value, 0.0)) / decades, 1.0)


def influence_score(
    *,
    followers: float,
    engagement_received: float = 0,
    reach_about_us: float = 0,
    verified: bool = False,
) -> float:
    """Influence 0–100 by the formula in the module docstring."""
    score = (
        WEIGHTS["followers"] * _part(followers, _SATURATION_DECADES["followers"])
        + WEIGHTS["engagement"] * _part(engagement_received, _SATURATION_DECADES["engagement"])
        + WEIGHTS["reach"] * _part(reach_about_us, _SATURATION_DECADES["reach"])
        + (WEIGHTS["verified"] if verified else 0.0)
    )
    return round(min(max(score, 0.0), 100.0), 1)
