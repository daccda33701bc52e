import json
from datetime import UTC, datetime, timedelta

from tertulia.networks.items import Network
from tertulia.networks.ratelimit import RateBudgets


class FrozenClock:
    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at

    def advance(self, **delta):
        self.at += timedelta(**delta)


T0 = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)


def test_x_headers_block_until_the_epoch_reset():
    clock = FrozenClock(T0)
    budget = RateBudgets(clock).get(Network.X, "token-1", "search")
    reset = int((T0 + timedelta(minutes=10)).timestamp())
    budget.update_from_headers(
        {
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": "3",
            "x-rate-limit-reset": str(reset),
        }
    )
    assert budget.wait_s() == 0
    budget.update_from_headers({"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
    assert budget.wait_s() == 600
    clock.advance(minutes=10)
    assert budget.wait_s() == 0


def test_reddit_fractional_remaining_and_relative_reset():
    clock = FrozenClock(T0)
    budget = RateBudgets(clock).get(Network.REDDIT, "app")
    budget.update_from_headers(
        {"X-Ratelimit-Used": "99", "X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "42"}
    )
    assert budget.limit == 99
    assert budget.wait_s() == 42


def test_mastodon_iso_reset():
    clock = FrozenClock(T0)
    budget = RateBudgets(clock).get(Network.MASTODON, "acct")
    budget.update_from_headers(
        {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2024-05-14T12:05:00.000Z",
        }
    )
    assert budget.wait_s() == 300


def test_meta_business_use_case_regain_access_minutes():
    clock = FrozenClock(T0)
    budget = RateBudgets(clock).get(Network.FACEBOOK, "page-1")
    usage = {
        "1234": [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 20,
                "total_time": 30,
                "estimated_time_to_regain_access": 12,
            }
        ]
    }
    budget.update_from_headers({"X-Business-Use-Case-Usage": json.dumps(usage)})
    assert budget.wait_s() == 12 * 60


def test_meta_near_limit_pauses_and_low_usage_does_not():
    clock = FrozenClock(T0)
    budgets = RateBudgets(clock)
    calm = budgets.get(Network.INSTAGRAM, "a")
    calm.update_from_headers({"x-app-usage": '{"call_count": 40, "total_time": 10}'})
    assert calm.wait_s() == 0
    hot = budgets.get(Network.INSTAGRAM, "b")
    hot.update_from_headers({"x-app-usage": '{"call_count": 97, "total_time": 10}'})
    assert hot.wait_s() == 300


def test_retry_after_on_429_and_garbage_headers_are_ignored():
    clock = FrozenClock(T0)
    budget = RateBudgets(clock).get(Network.BLUESKY, "did:plc:x")
    budget.update_from_headers({"x-ratelimit-remaining": "lots", "x-app-usage": "{nope"})
    assert budget.wait_s() == 0
    budget.update_from_headers({"Retry-After": "30"}, status=429)
    assert budget.wait_s() == 30


def test_default_window_counts_calls_before_any_header():
    clock = FrozenClock(T0)
    budget = RateBudgets(clock).get(Network.REDDIT, "app")  # 100 calls per 60 s
    budget.spend(99)
    assert budget.wait_s() == 0
    budget.spend()
    assert budget.wait_s() == 60
    clock.advance(seconds=60)
    budget.spend()
    assert budget.wait_s() == 0


def test_budgets_are_per_network_credential_and_bucket():
    budgets = RateBudgets(FrozenClock(T0))
    assert budgets.get(Network.X, "a", "search") is budgets.get(Network.X, "a", "search")
    assert budgets.get(Network.X, "a", "search") is not budgets.get(Network.X, "a", "dm")
    assert len(budgets) == 2
