#!/usr/bin/env python3
"""Benchmark: the inbox at scale, rule evaluation with 200 rules, and the SLA tick.

    python bench/engagement.py [--conversations N] [--clocks 100000] [--database-url URL]

1. **Inbox**: a fresh database with N conversations (default 100,000; the issue's target is
   1,000,000) spread over 5 brands and 365 days — 8 % open, 4 % pending, 1 % snoozed, 85 %
   resolved/closed, 2 % hidden; flags, sentiments, languages, networks, SLA states,
   assignees (20 agents, 40 % unassigned), teams and tags (10 %) drawn at random — written
   with raw SQL ``executemany``, then ``ANALYZE``. Timed: ``--views`` (200) first pages of
   randomized filtered views through the Django test client (the whole server side of
   ``GET /o/<org>/inbox/?…``: middleware, permission check, keyset page, template), half as
   the owner (every brand: the organization index) and half as an agent holding two brands
   (``brand_id IN``). ``inbox_p95_ms`` is that server time;
   ``inbox_rows_p95_ms`` is the rows query alone (filters + keyset page, materialized);
   ``inbox_counts_p95_ms`` the second request that fills in the capped counts per view.
2. **Rules**: the 200 realistic rules of ``bench/engagement_rules.py`` compiled once, then
   ``rules.evaluate`` over 20,000 fact dicts (``rules_items_per_s``).
3. **SLA tick**: ``--clocks`` (100,000) open conversations in another organization, each
   with its four deadline rows (first response and resolution, warning and breach); 1 % are
   in breach and 2 % in warning at the tick's instant. Timed: ``scheduler.tick(now)``
   (claim due rows, mark, write history, evaluate the escalation rules, commit) —
   ``sla_tick_s`` — and a second tick at the same instant, which must claim nothing.

The last line printed is one JSON object; keys carry units.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import machine, make_org, peak_rss_mb, setup_django

NOW = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)  # a Wednesday, noon in Madrid
DAYS = 365
NETWORKS = ["x", "x", "instagram", "facebook", "youtube", "demo", "review"]
FLAGS = ["none"] * 5 + ["yellow"] * 3 + ["green", "red", "spam", "note"]
SENTIMENTS = ["negative", "neutral", "neutral", "positive"]
LANGUAGES = ["es", "es", "en"]
PRIORITIES = ["low", "normal", "normal", "normal", "high", "urgent"]
TAGS = ["vip", "refund", "delivery", "campaign", "app", "press", "b2b", "store"]
CHUNK = 20_000


def _status_queue(rng: random.Random) -> tuple[str, str, bool]:
    r = rng.random()
    if r < 0.02:
        return rng.choice(["new", "open", "resolved"]), "hidden", True
    if r < 0.10:
        return rng.choice(["new", "open", "open"]), "open", False
    if r < 0.14:
        return "pending", "pending", False
    if r < 0.15:
        return "snoozed", "snoozed", False
    return rng.choice(["resolved", "resolved", "closed"]), "done", False


def _insert(cursor: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES "
           f"({', '.join(['%s'] * len(columns))})")
    cursor.executemany(sql, [tuple(r[c] for c in columns) for r in rows])


def _conversation_row(pk: int, org_id: int, brand_id: int, rng: random.Random, at: datetime,
                      adapt: Any, agents: list[int], teams: list[int]) -> dict[str, Any]:
    status, queue, hidden = _status_queue(rng)
    sla = ("none" if rng.random() < 0.1 else
           rng.choice(["ok", "ok", "ok", "warning", "breached"]) if queue in ("open", "pending")
           else "met")
    stamp = adapt(at)
    return {
        "id": pk, "organization_id": org_id, "brand_id": brand_id,
        "network": rng.choice(NETWORKS), "channel": "", "thread_key": f"author:c{pk}",
        "kind": "dm", "customer_id": None, "subject": "Hola", "preview":
        rng.choice(["Mi pedido no llegó", "¿Tenéis descuento?", "Love the new blend!",
                    "Where is my refund?", "Horario de la tienda de Malasaña"]),
        "status": status, "queue": queue, "hidden": hidden,
        "priority": rng.choice(PRIORITIES), "flag": rng.choice(FLAGS), "model_flag": "",
        "model_flag_confidence": 0.0, "flag_confirmed": False,
        "sentiment": rng.choice(SENTIMENTS), "language": rng.choice(LANGUAGES),
        "assignee_id": rng.choice(agents) if rng.random() < 0.6 else None,
        "team_id": rng.choice(teams) if rng.random() < 0.7 else None,
        "snoozed_until": None, "message_count": rng.randint(1, 6), "created_at": stamp,
        "updated_at": stamp, "last_message_at": stamp, "last_customer_message_at": stamp,
        "first_response_at": None, "resolved_at": None, "closed_at": None,
        "sla_started_at": stamp, "sla_elapsed_s": 0, "sla_running_since": stamp,
        "sla_paused_since": None, "sla_first_response_business_s": None,
        "sla_resolution_business_s": None, "sla_cycle": 0, "sla_state": sla,
        "sla_target": "", "sla_warn_at": None, "sla_due_at": None,
    }


def build_inbox(n: int, seed: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from tertulia.engagement.models import Conversation, ConversationTag
    from tertulia.governance import actions as gov
    from tertulia.governance.audit import Actor
    from tertulia.governance.models import User
    from tertulia.governance.permissions import Role

    rng = random.Random(seed)
    actor = Actor.system("bench")
    org, brands = make_org("Bench inbox", 5)
    owner = User.objects.create_user("owner@bench.example", "bench-password-1")
    gov.do_grant_role(org, owner, Role.ORG_OWNER, None, actor=actor)
    agents = []
    for i in range(20):
        user = User.objects.create_user(f"agent{i}@bench.example", "bench-password-1")
        for brand in brands[:2]:
            gov.do_grant_role(org, user, Role.AGENT, brand, actor=actor)
        agents.append(user)
    teams = [gov.do_create_team(org, name, actor=actor) for name in ("Care", "Sales", "PR")]
    adapt = connection.ops.adapt_datetimefield_value
    start = NOW - timedelta(days=DAYS)
    weights = [1 / (i + 1) for i in range(len(brands))]
    with connection.cursor() as c:
        c.execute("SELECT coalesce(max(id), 0) FROM engagement_conversation")
        first = c.fetchone()[0] + 1
    t0 = time.perf_counter()
    tags = 0
    with transaction.atomic(), connection.cursor() as c:
        for lo in range(0, n, CHUNK):
            rows, tag_rows = [], []
            for i in range(lo, min(n, lo + CHUNK)):
                pk = first + i
                at = start + timedelta(seconds=DAYS * 86400 * i / n + rng.random())
                brand = rng.choices(brands, weights)[0]
                rows.append(_conversation_row(pk, org.id, brand.id, rng, at, adapt,
                                              [a.id for a in agents], [t.id for t in teams]))
                if rng.random() < 0.10:
                    for tag in rng.sample(TAGS, rng.randint(1, 2)):
                        tag_rows.append({"conversation_id": pk, "organization_id": org.id,
                                         "tag": tag})
            _insert(c, Conversation, rows)
            _insert(c, ConversationTag, tag_rows)
            tags += len(tag_rows)
            if (lo + CHUNK) % 200_000 == 0:
                print(f"  {lo + CHUNK} conversations, {time.perf_counter() - t0:.0f}s", flush=True)
        _fix_sequences(c, ["engagement_conversation", "engagement_conversationtag"])
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return {"org": org, "brands": brands, "owner": owner, "agents": agents, "teams": teams,
            "tags": tags, "build_s": time.perf_counter() - t0}


def _fix_sequences(cursor: Any, tables: list[str]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        for table in tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"coalesce((SELECT max(id) FROM {table}), 1))")


def random_view(rng: random.Random, built: dict[str, Any], as_agent: bool) -> dict[str, str]:
    params: dict[str, str] = {"view": rng.choice(["open", "open", "mine", "unassigned",
                                                  "at_risk", "pending", "all", "done"])}
    choices = {
        "brand": lambda: (built["brands"][rng.randrange(2)] if as_agent
                          else rng.choice(built["brands"])).slug,
        "flag": lambda: rng.choice(["yellow", "green", "red"]),
        "sentiment": lambda: rng.choice(SENTIMENTS),
        "language": lambda: rng.choice(["es", "en"]),
        "network": lambda: rng.choice(["x", "instagram", "facebook"]),
        "sla": lambda: rng.choice(["warning", "breached", "ok"]),
        "team": lambda: str(rng.choice(built["teams"]).id),
        "tag": lambda: rng.choice(TAGS),
        "assignee": lambda: str(rng.choice(built["agents"]).id),
        "priority": lambda: rng.choice(["high", "urgent"]),
    }
    for name in rng.sample(sorted(choices), rng.choice([0, 1, 1, 2])):
        params[name] = choices[name]()
    return params


def run_views(built: dict[str, Any], k: int,
              seed: int) -> tuple[list[Any], list[float], list[float]]:
    from django.test import Client

    from tertulia.engagement import inbox
    from tertulia.engagement.forms import InboxFilterForm

    rng = random.Random(seed)
    owner, agent = Client(), Client()
    owner.force_login(built["owner"])
    agent.force_login(built["agents"][0])
    url = f"/o/{built['org'].slug}/inbox/"
    pages, rows_ms, counts_ms = [], [], []
    for i in range(k):
        as_agent = i % 2 == 1
        params = random_view(rng, built, as_agent)
        client = agent if as_agent else owner
        t0 = time.perf_counter()
        response = client.get(url, params)
        ms = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (response.status_code, params)
        pages.append((ms, params, as_agent, response.content.count(b' conv-row')))
        t0 = time.perf_counter()
        counted = client.get(url, {**params, "fragment": "counts"})
        counts_ms.append((time.perf_counter() - t0) * 1000)
        assert counted.status_code == 200
        user = built["agents"][0] if as_agent else built["owner"]
        scope = inbox.inbox_scope(user, built["org"])
        form = InboxFilterForm(params, scope=scope)
        t0 = time.perf_counter()
        qs = inbox.apply_view(inbox.apply_filters(inbox.base_queryset(scope),
                                                  form.data_or_empty(), user),
                              form.view_name, user)
        inbox.page(qs, None)
        rows_ms.append((time.perf_counter() - t0) * 1000)
    return pages, rows_ms, counts_ms


def bench_rules() -> dict[str, Any]:
    import engagement_rules  # the pure benchmark's rule and item generators

    result = engagement_rules.bench_rules(random.Random(6))
    return {"rules_active": result["rules_active"], "rules_items": result["rules_items"],
            "rules_items_per_s": result["rules_items_per_s"],
            "rules_fired_per_item": result["rules_fired_per_item"]}


def build_clocks(n: int, seed: int) -> dict[str, Any]:
    """n open conversations with their four deadline rows; 1 % breached, 2 % warning now."""
    from django.db import connection, transaction

    from tertulia.engagement import actions
    from tertulia.engagement.demo import demo_rules
    from tertulia.engagement.models import Conversation, SlaDeadline
    from tertulia.governance.audit import Actor

    rng = random.Random(seed)
    org, brands = make_org("Bench SLA", 2)
    for brand in brands:
        for priority, minutes in (("normal", 240), ("high", 60), ("urgent", 15)):
            actions.do_save_sla_policy(brand, priority, first_response_s=minutes * 60,
                                       resolution_s=minutes * 240, warn_before_s=600,
                                       actor=Actor.system("bench"))
        for rule in demo_rules(["demo:bench"]):
            actions.do_save_rule(brand, rule, actor=Actor.system("bench"))
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as c:
        c.execute("SELECT coalesce(max(id), 0) FROM engagement_conversation")
        first = c.fetchone()[0] + 1
    t0 = time.perf_counter()
    due = 0
    with transaction.atomic(), connection.cursor() as c:
        for lo in range(0, n, CHUNK):
            rows, deadlines = [], []
            for i in range(lo, min(n, lo + CHUNK)):
                pk = first + i
                r = rng.random()
                # breach in the past for 1 %, warning in the past for 2 %, else later
                if r < 0.01:
                    breach, warn = NOW - timedelta(minutes=rng.randint(1, 50)), None
                elif r < 0.03:
                    breach = NOW + timedelta(minutes=rng.randint(1, 9))
                    warn = NOW - timedelta(minutes=rng.randint(0, 1))
                else:
                    breach = NOW + timedelta(minutes=rng.randint(20, 600))
                    warn = None
                warn = warn or breach - timedelta(minutes=10)
                row = _conversation_row(pk, org.id, rng.choice(brands).id, rng,
                                        NOW - timedelta(hours=3), adapt, [None], [None])
                row.update({"status": "open", "queue": "open", "hidden": False,
                            "priority": "normal", "sla_state": "ok", "assignee_id": None,
                            "team_id": None, "sla_target": "first_response",
                            "sla_due_at": adapt(breach), "sla_warn_at": adapt(warn)})
                rows.append(row)
                resolution = breach + timedelta(hours=12)
                for key, target, kind, at in (
                    ("first_response:warning:0", "first_response", "warning", warn),
                    ("first_response:breach:0", "first_response", "breach", breach),
                    ("resolution:warning:0", "resolution", "warning",
                     resolution - timedelta(minutes=10)),
                    ("resolution:breach:0", "resolution", "breach", resolution),
                ):
                    due += at <= NOW
                    deadlines.append({"conversation_id": pk, "key": key, "target": target,
                                      "kind": kind, "cycle": 0, "due_at": adapt(at),
                                      "claimed_at": None})
            _insert(c, Conversation, rows)
            _insert(c, SlaDeadline, deadlines)
        _fix_sequences(c, ["engagement_conversation", "engagement_sladeadline"])
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return {"due_rows": due, "build_s": time.perf_counter() - t0}


def bench_tick() -> dict[str, Any]:
    from tertulia.engagement import scheduler

    t0 = time.perf_counter()
    first = scheduler.tick(NOW)
    tick_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = scheduler.tick(NOW)
    again_s = time.perf_counter() - t0
    return {"sla_tick_s": round(tick_s, 3), "sla_claimed": first.claimed,
            "sla_warnings": first.warnings, "sla_breaches": first.breaches,
            "sla_escalated": first.escalated, "sla_second_tick_claimed": second.claimed,
            "sla_idle_tick_s": round(again_s, 4)}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--clocks", type=int, default=100_000)
    ap.add_argument("--views", type=int, default=200)
    ap.add_argument("--database-url", help="postgres://... (default: a fresh SQLite file)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the bench data folder")
    a = ap.parse_args()

    data_dir = setup_django(a.database_url, "engagement")
    print(f"building {a.conversations} conversations in {data_dir}", flush=True)
    built = build_inbox(a.conversations, a.seed)
    print(f"built in {built['build_s']:.1f}s ({built['tags']} tags)", flush=True)
    run_views(built, 10, a.seed + 99)  # warm caches, imports and templates
    pages, rows_ms, counts_ms = run_views(built, a.views, a.seed)
    page_ms = [p[0] for p in pages]
    print("slowest inbox pages:")
    for ms, params, as_agent, n in sorted(pages, key=lambda p: -p[0])[:5]:
        print(f"  {ms:8.1f} ms  {'agent' if as_agent else 'owner'} {params} rows={n}")
    rules = bench_rules()
    print(f"rules: {rules['rules_items_per_s']} items/s with {rules['rules_active']} rules",
          flush=True)
    print(f"building {a.clocks} open SLA clocks", flush=True)
    clocks = build_clocks(a.clocks, a.seed)
    tick = bench_tick()
    print(f"tick: {tick['sla_tick_s']} s for {tick['sla_claimed']} due rows of "
          f"{a.clocks} clocks", flush=True)
    from django.db import connection

    summary = {
        "conversations": a.conversations,
        "build_s": round(built["build_s"], 1),
        "inbox_views": len(pages),
        "inbox_p50_ms": round(statistics.median(page_ms), 1),
        "inbox_p95_ms": round(p95(page_ms), 1),
        "inbox_max_ms": round(max(page_ms), 1),
        "inbox_rows_p50_ms": round(statistics.median(rows_ms), 1),
        "inbox_rows_p95_ms": round(p95(rows_ms), 1),
        "inbox_counts_p95_ms": round(p95(counts_ms), 1),
        "inbox_empty_pages": sum(1 for p in pages if p[3] == 0),
        **rules,
        "sla_clocks": a.clocks,
        "sla_build_s": round(clocks["build_s"], 1),
        "sla_due_rows": clocks["due_rows"],
        **tick,
        "targets_met": {
            "inbox_p95_le_150ms": p95(page_ms) <= 150,
            "rules_ge_5000_items_per_s": rules["rules_items_per_s"] >= 5000,
            "sla_tick_lt_1s": tick["sla_tick_s"] < 1.0,
        },
        "peak_rss_mb": peak_rss_mb(),
        "database": connection.vendor,
        "machine": machine(),
    }
    connection.close()
    if not a.keep and not a.database_url:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
