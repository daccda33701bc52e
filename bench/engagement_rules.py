"""Benchmark the pure engagement core: rule evaluation and the SLA scheduler tick.

Run: ``.venv/bin/python bench/engagement_rules.py``. Prints a human summary, then one JSON
object on the last line (targets from issue 6: >= 5,000 items/s with 200 rules; a tick over
100,000 clocks in under a second). Deterministic inputs (seeded), one core.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

from tertulia.engagement.calendar import BusinessCalendar, weekly
from tertulia.engagement.rules import (
    EvaluationContext,
    compile_rules,
    evaluate,
    validate_rule,
)
from tertulia.engagement.sla import (
    SlaPolicy,
    classify_due,
    due_items,
    meet_first_response,
    pause,
    resume,
    sla_times,
    start,
)

N_RULES = 200
N_ITEMS = 20_000
N_CLOCKS = 100_000
BRANDS = [f"brand-{i}" for i in range(10)]
NETWORKS = ["x", "bluesky", "mastodon", "facebook", "instagram", "youtube", "linkedin"]
WORDS = [
    "refund",
    "broken",
    "late",
    "delivery",
    "love",
    "great",
    "thanks",
    "awful",
    "help",
    "order",
    "account",
    "password",
    "cancel",
    "price",
    "store",
    "app",
    "update",
    "crash",
    "fast",
    "slow",
    "team",
    "support",
    "waiting",
    "hours",
]


def make_rules(rng: random.Random) -> list[dict]:
    """A mix like a real brand's: per-brand routing, keyword triage, influencer and VIP rules."""
    rules = []
    for i in range(N_RULES):
        brand = rng.choice(BRANDS)
        kind = i % 5
        if kind == 0:
            conds = [
                {"field": "brand_id", "op": "eq", "value": brand},
                {"field": "text", "op": "contains_any", "value": rng.sample(WORDS, 3)},
            ]
            actions = [{"type": "set_flag", "value": rng.choice(["complaint", "question"])}]
        elif kind == 1:
            conds = [
                {"field": "network", "op": "in", "value": rng.sample(NETWORKS, 2)},
                {"field": "sentiment", "op": "eq", "value": "negative"},
                {"field": "author_followers", "op": "gte", "value": rng.choice([1e3, 1e4, 1e5])},
            ]
            actions = [{"type": "set_priority", "value": "high"}, {"type": "pull_into_inbox"}]
        elif kind == 2:
            conds = [
                {"field": "brand_id", "op": "eq", "value": brand},
                {
                    "any": [
                        {"field": "author_handle", "op": "in_list", "value": "vip"},
                        {"field": "author_verified", "op": "is_true"},
                    ]
                },
            ]
            actions = [{"type": "add_tags", "value": ["vip"]}]
        elif kind == 3:
            conds = [
                {"field": "flag", "op": "eq", "value": "complaint"},
                {"field": "language", "op": "in", "value": ["es", "en"]},
                {"op": "business_hours", "value": "closed"},
            ]
            actions = [{"type": "auto_acknowledge", "template_id": f"after-hours-{i}"}]
        else:
            conds = [
                {"field": "query_ids", "op": "matches_query", "value": [f"q{rng.randrange(50)}"]},
                {"not": {"field": "customer_segment", "op": "eq", "value": "internal"}},
            ]
            actions = [{"type": "assign", "team": "care", "strategy": "least_busy"}]
        rules.append(
            {
                "id": f"r{i:03d}",
                "name": f"rule {i}",
                "order": i,
                "enabled": True,
                "conditions": {"all": conds},
                "actions": actions,
                "stop_processing": False,
            }
        )
    return rules


def make_items(rng: random.Random) -> list[dict]:
    return [
        {
            "event": "created",
            "brand_id": rng.choice(BRANDS),
            "network": rng.choice(NETWORKS),
            "language": rng.choice(["es", "en", "pt"]),
            "sentiment": rng.choice(["negative", "neutral", "positive"]),
            "text": " ".join(rng.choices(WORDS, k=rng.randint(5, 30))),
            "author_followers": int(10 ** rng.uniform(0, 6)),
            "author_verified": rng.random() < 0.05,
            "author_handle": f"@user{rng.randrange(5000)}",
            "query_ids": [f"q{rng.randrange(50)}" for _ in range(rng.randint(1, 3))],
            "customer_segment": rng.choice(["retail", "internal", "business"]),
            "tags": [],
        }
        for _ in range(N_ITEMS)
    ]


def bench_rules(rng: random.Random) -> dict[str, float]:
    madrid = BusinessCalendar(
        "Europe/Madrid", weekly(["mon", "tue", "wed", "thu", "fri"], ["09:00-18:00"])
    )
    rules = [validate_rule(r) for r in make_rules(rng)]
    ruleset = compile_rules(rules)
    items = make_items(rng)
    context = EvaluationContext(
        now=datetime(2025, 3, 3, 20, 0, tzinfo=UTC),
        calendars=dict.fromkeys(BRANDS, madrid),
        lists={"vip": {f"@user{i}" for i in range(0, 5000, 50)}},
    )
    fired = 0
    t0 = time.perf_counter()
    for facts in items:
        fired += len(evaluate(ruleset, facts, context).fired)
    elapsed = time.perf_counter() - t0
    return {
        "rules_active": len(ruleset.entries),
        "rules_items": N_ITEMS,
        "rules_items_per_s": round(N_ITEMS / elapsed),
        "rules_fired_per_item": round(fired / N_ITEMS, 2),
    }


def bench_sla(rng: random.Random) -> dict[str, float]:
    calendar = BusinessCalendar(
        "America/New_York",
        weekly(["mon", "tue", "wed", "thu", "fri"], ["09:00-13:00", "14:00-18:00"]),
        holidays={date(2025, 1, 1), date(2025, 7, 4), date(2025, 12, 25)},
    )
    policy = SlaPolicy(
        first_response_s=4 * 3600, resolution_s=24 * 3600, warn_before_s=3600, calendar=calendar
    )
    base = datetime(2025, 3, 1, tzinfo=UTC)
    n_compute = 10_000
    clocks = []
    t0 = time.perf_counter()
    for i in range(n_compute):
        at = base + timedelta(minutes=rng.randrange(60 * 24 * 30))
        clock = start(at)
        if i % 3 == 0:
            clock = meet_first_response(clock, policy, at + timedelta(hours=1))
        if i % 7 == 0:
            clock = pause(clock, policy, at + timedelta(hours=2))
            clock = resume(clock, at + timedelta(hours=30))
        clocks.append(sla_times(clock, policy))
    compute_s = time.perf_counter() - t0
    # The tick sees 100,000 rows of (key, times); repeat the computed ones to get there.
    rows = [(i, clocks[i % n_compute]) for i in range(N_CLOCKS)]
    now = datetime(2025, 3, 20, tzinfo=UTC)
    t0 = time.perf_counter()
    due = due_items(rows, now)
    tick_s = time.perf_counter() - t0
    warn = [t.warn_at.timestamp() for _, t in rows]
    due_col = [t.due_at.timestamp() for _, t in rows]
    import numpy as np

    warn_a, due_a = np.array(warn), np.array(due_col)
    t0 = time.perf_counter()
    classify_due(warn_a, due_a, now.timestamp())
    vector_s = time.perf_counter() - t0
    return {
        "sla_classify_100k_s": round(tick_s, 4),
        "sla_classify_100k_columns_s": round(vector_s, 5),
        "sla_times_per_s": round(n_compute / compute_s),
        "sla_breached_of_100k": len(due.breached),
        "sla_warning_of_100k": len(due.warning),
    }


def main() -> None:
    rng = random.Random(6)
    result = {"python": sys.version.split()[0]}
    result |= bench_rules(rng)
    result |= bench_sla(rng)
    print(
        f"rules: {result['rules_items_per_s']} items/s with {result['rules_active']} rules; "
        f"SLA tick over {N_CLOCKS} clocks: {result['sla_classify_100k_s']} s"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
