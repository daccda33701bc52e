"""Engagement rules: validation, evaluation, dry run equals live, assignment strategies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tertulia.engagement.calendar import BusinessCalendar, weekly
from tertulia.engagement.rules import (
    EvaluationContext,
    RuleValidationError,
    compile_rules,
    evaluate,
    least_busy,
    round_robin,
    validate_rule,
    validate_rules,
)

MADRID_OFFICE = BusinessCalendar(
    "Europe/Madrid", weekly(["mon", "tue", "wed", "thu", "fri"], ["09:00-18:00"])
)
TUESDAY_NOON_MADRID = datetime(2025, 3, 4, 11, tzinfo=UTC)
TUESDAY_NIGHT_MADRID = datetime(2025, 3, 4, 22, tzinfo=UTC)


def make_rule(
    rule_id: str = "r1",
    *,
    order: int = 0,
    conditions: Any = None,
    actions: Any = None,
    stop: bool = False,
    enabled: bool = True,
) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": f"rule {rule_id}",
        "order": order,
        "enabled": enabled,
        "conditions": conditions if conditions is not None else {"all": []},
        "actions": actions if actions is not None else [{"type": "pull_into_inbox"}],
        "stop_processing": stop,
    }


def make_mention(**facts: Any) -> dict[str, Any]:
    base = {
        "event": "created",
        "brand_id": "acme",
        "network": "x",
        "language": "es",
        "sentiment": "neutral",
        "text": "hola",
        "author_followers": 120,
        "author_verified": False,
        "author_handle": "@someone",
        "query_ids": ["q1"],
        "tags": [],
    }
    return base | facts


def make_context(now: datetime = TUESDAY_NOON_MADRID, **kwargs: Any) -> EvaluationContext:
    return EvaluationContext(
        now=now, calendars={"acme": MADRID_OFFICE}, lists={"vip": {"@Ana"}}, **kwargs
    )


def leaf(field: str | None, op: str, value: Any = None) -> dict[str, Any]:
    node: dict[str, Any] = {"op": op}
    if field is not None:
        node["field"] = field
    if value is not None:
        node["value"] = value
    return node


def fires(condition: dict[str, Any], mention: dict[str, Any], context=None) -> bool:
    rules = [validate_rule(make_rule(conditions=condition))]
    return bool(evaluate(rules, mention, context or make_context()).fired)


# -- operators -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "mention", "expected"),
    [
        (leaf("network", "eq", "x"), make_mention(), True),
        (leaf("network", "neq", "x"), make_mention(), False),
        (leaf("language", "in", ["es", "pt"]), make_mention(), True),
        (leaf("language", "not_in", ["es", "pt"]), make_mention(), False),
        (
            leaf("text", "contains_any", ["reembolso"]),
            make_mention(text="Quiero un REEMBOLSO!"),
            True,
        ),
        (leaf("text", "contains_any", ["reembolso"]), make_mention(text="reembolsos"), False),
        (leaf("text", "contains_any", ["muy mal"]), make_mention(text="todo muy mal."), True),
        (leaf("text", "contains_none", ["gracias"]), make_mention(text="gracias"), False),
        (leaf("author_followers", "gte", 100), make_mention(), True),
        (leaf("author_followers", "lt", 100), make_mention(), False),
        (leaf("author_followers", "gte", 100), make_mention(author_followers=None), False),
        (leaf("author_verified", "is_true"), make_mention(author_verified=True), True),
        (leaf("author_verified", "is_false"), make_mention(), True),
        (leaf("query_ids", "matches_query", ["q1", "q9"]), make_mention(), True),
        (leaf("query_ids", "matches_query", ["q9"]), make_mention(), False),
        (leaf("author_handle", "in_list", "vip"), make_mention(author_handle="@ana"), True),
        (leaf("author_handle", "not_in_list", "vip"), make_mention(author_handle="@ana"), False),
        (leaf("author_handle", "in_list", "unknown"), make_mention(), False),
        (leaf("customer_segment", "eq", "retail"), make_mention(), False),  # missing fact
        ({"not": leaf("network", "eq", "x")}, make_mention(), False),
        (
            {"any": [leaf("network", "eq", "bluesky"), leaf("language", "eq", "es")]},
            make_mention(),
            True,
        ),
    ],
)
def test_operators(condition: dict, mention: dict, expected: bool) -> None:
    assert fires(condition, mention) is expected


def test_business_hours_use_the_brand_calendar() -> None:
    open_rule = leaf(None, "business_hours", "open")
    assert fires(open_rule, make_mention(), make_context(TUESDAY_NOON_MADRID))
    assert not fires(open_rule, make_mention(), make_context(TUESDAY_NIGHT_MADRID))
    # An unknown brand without a default calendar counts as always open.
    assert fires(open_rule, make_mention(brand_id="other"), make_context(TUESDAY_NIGHT_MADRID))


def test_time_of_day_is_local_to_the_brand_and_may_wrap_midnight() -> None:
    night = leaf(None, "time_of_day", "22:00-06:00")
    assert fires(night, make_mention(), make_context(TUESDAY_NIGHT_MADRID))  # 23:00 in Madrid
    assert not fires(night, make_mention(), make_context(TUESDAY_NOON_MADRID))
    assert fires(leaf(None, "weekday_in", ["tue"]), make_mention())


# -- evaluation semantics --------------------------------------------------------------------


def test_rules_run_in_order_and_stop_processing_ends_the_run() -> None:
    rules = validate_rules(
        [
            make_rule("late", order=20, actions=[{"type": "set_flag", "value": "late"}]),
            make_rule(
                "stopper", order=10, actions=[{"type": "set_flag", "value": "first"}], stop=True
            ),
            make_rule("off", order=0, enabled=False, actions=[{"type": "hide"}]),
        ]
    )
    result = evaluate(rules, make_mention(), make_context())
    assert result.fired_rule_ids == ["stopper"]
    assert result.stopped_by == "stopper"
    assert result.changes.flag == "first"
    assert not result.changes.hidden


def test_later_rules_see_the_flag_set_by_earlier_ones() -> None:
    rules = validate_rules(
        [
            make_rule(
                "classify",
                order=1,
                conditions=leaf("text", "contains_any", ["roto"]),
                actions=[
                    {"type": "set_flag", "value": "complaint"},
                    {"type": "add_tags", "value": ["producto"]},
                ],
            ),
            make_rule(
                "route",
                order=2,
                conditions={
                    "all": [
                        leaf("flag", "eq", "complaint"),
                        leaf("tags", "contains_any", ["producto"]),
                    ]
                },
                actions=[{"type": "assign", "team": "care", "strategy": "least_busy"}],
            ),
        ]
    )
    facts = make_mention(text="llegó roto")
    result = evaluate(rules, facts, make_context())
    assert result.fired_rule_ids == ["classify", "route"]
    assert result.changes.assignment is not None and result.changes.assignment.team == "care"
    assert facts["tags"] == []  # the caller's facts are never modified


def test_merging_actions() -> None:
    rules = validate_rules(
        [
            make_rule(
                "a",
                order=1,
                actions=[
                    {"type": "set_priority", "value": "high"},
                    {"type": "auto_acknowledge", "template_id": "ack-1"},
                    {"type": "add_tags", "value": ["x", "y"]},
                    {"type": "notify", "to": ["team:care"]},
                ],
            ),
            make_rule(
                "b",
                order=2,
                actions=[
                    {"type": "raise_priority"},
                    {"type": "auto_acknowledge", "template_id": "ack-2"},
                    {"type": "remove_tags", "value": ["y"]},
                    {"type": "notify", "to": ["user:7"], "message": "look"},
                    {"type": "escalate", "to": "team:leads"},
                    {"type": "hide", "reason": "spam"},
                ],
            ),
        ]
    )
    changes = evaluate(rules, make_mention(), make_context()).changes
    assert changes.priority == "urgent"
    assert changes.acknowledge_template_id == "ack-1"  # never two automatic replies
    assert changes.tags_added == ("x",) and changes.tags_removed == ("y",)
    assert [n["to"] for n in changes.notifications] == [["team:care"], ["user:7"]]
    assert changes.escalations == ({"to": "team:leads"},)
    assert changes.hidden and changes.hide_reason == "spam"
    json.dumps(changes.to_dict())  # JSON-ready for the audit log


def test_nothing_fires_gives_empty_changes() -> None:
    rules = validate_rules([make_rule(conditions=leaf("network", "eq", "youtube"))])
    result = evaluate(rules, make_mention(), make_context())
    assert result.fired == [] and result.changes.is_empty


# -- dry run equals live ---------------------------------------------------------------------

FIELD_VALUES = {
    "brand_id": ["acme", "globex", "initech"],
    "network": ["x", "bluesky", "instagram"],
    "language": ["es", "en"],
    "sentiment": ["negative", "neutral", "positive"],
    "flag": ["complaint", "question"],
}

leaves = st.one_of(
    st.sampled_from(sorted(FIELD_VALUES)).flatmap(
        lambda f: st.builds(lambda v: leaf(f, "eq", v), st.sampled_from(FIELD_VALUES[f]))
    ),
    st.sampled_from(sorted(FIELD_VALUES)).flatmap(
        lambda f: st.builds(
            lambda vs: leaf(f, "in", sorted(vs)),
            st.sets(st.sampled_from(FIELD_VALUES[f]), min_size=1),
        )
    ),
    st.builds(lambda n: leaf("author_followers", "gte", n), st.integers(0, 10_000)),
    st.builds(
        lambda ws: leaf("text", "contains_any", sorted(ws)),
        st.sets(st.sampled_from(["roto", "gracias", "ayuda"]), min_size=1),
    ),
    st.just(leaf("author_verified", "is_true")),
    st.just(leaf(None, "business_hours", "closed")),
    st.just(leaf("author_handle", "in_list", "vip")),
)
conditions = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(lambda cs: {"all": cs}, st.lists(children, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, children),
    ),
    max_leaves=6,
)
actions = st.sampled_from(
    [
        {"type": "set_flag", "value": "complaint"},
        {"type": "set_flag", "value": "question"},
        {"type": "set_priority", "value": "high"},
        {"type": "raise_priority"},
        {"type": "add_tags", "value": ["vip"]},
        {"type": "assign", "team": "care", "strategy": "round_robin"},
        {"type": "hide"},
    ]
)
rule_lists = st.lists(
    st.tuples(
        conditions,
        st.lists(actions, min_size=1, max_size=3),
        st.booleans(),
        st.booleans(),
        st.integers(0, 5),
    ),
    max_size=12,
).map(
    lambda specs: [
        make_rule(f"r{i}", order=order, conditions=cond, actions=acts, stop=stop, enabled=enabled)
        for i, (cond, acts, stop, enabled, order) in enumerate(specs)
    ]
)
mentions = st.builds(
    make_mention,
    brand_id=st.sampled_from(FIELD_VALUES["brand_id"]),
    network=st.sampled_from(FIELD_VALUES["network"]),
    sentiment=st.sampled_from(FIELD_VALUES["sentiment"]),
    text=st.sampled_from(["está roto", "gracias!", "necesito ayuda", "hola"]),
    author_followers=st.integers(0, 20_000),
    author_verified=st.booleans(),
    author_handle=st.sampled_from(["@ana", "@bob"]),
)


def interpret(rules_data: list[dict], facts: dict, context: EvaluationContext) -> list[str]:
    """A slow, obvious reading of the documented semantics: the oracle for the compiled path."""
    rules = sorted((r for r in rules_data if r["enabled"]), key=lambda r: (r["order"], r["id"]))
    current = dict(facts)
    fired = []

    def holds(node: dict) -> bool:
        if "all" in node:
            return all(holds(c) for c in node["all"])
        if "any" in node:
            return any(holds(c) for c in node["any"])
        if "not" in node:
            return not holds(node["not"])
        op, value = node["op"], node.get("value")
        x = current.get(node.get("field"))
        if op == "eq":
            return x == value
        if op == "in":
            return x in value
        if op == "gte":
            return x is not None and x >= value
        if op == "is_true":
            return x is True
        if op == "contains_any":
            words = current["text"].casefold().replace("!", " ").split()
            return any(w in words for w in value)
        if op == "business_hours":
            return context.calendar_for(current.get("brand_id")).is_open(context.now) == (
                value == "open"
            )
        if op == "in_list":
            return x.casefold() in context.lists[value]
        raise AssertionError(op)

    for rule in rules:
        if holds(rule["conditions"]):
            fired.append(rule["id"])
            for a in rule["actions"]:
                if a["type"] == "set_flag":
                    current["flag"] = a["value"]
            if rule["stop_processing"]:
                break
    return fired


@settings(max_examples=300, deadline=None)
@given(rules_data=rule_lists, facts=mentions, at_night=st.booleans())
def test_dry_run_equals_live_and_matches_the_documented_semantics(
    rules_data: list[dict], facts: dict, at_night: bool
) -> None:
    context = make_context(TUESDAY_NIGHT_MADRID if at_night else TUESDAY_NOON_MADRID)
    rules = validate_rules(rules_data)
    live = evaluate(compile_rules(rules), facts, context)  # the precompiled, indexed live path
    dry_run = evaluate(rules, dict(facts), context)  # the UI's dry run, compiled on the fly
    assert dry_run == live
    assert live.fired_rule_ids == interpret(rules_data, facts, context)
    # Round trip through JSON (how rules are stored) changes nothing either.
    stored = [validate_rule(json.loads(json.dumps(r.to_dict()))) for r in rules]
    assert evaluate(stored, facts, context) == live


def test_the_index_skips_only_rules_that_cannot_match() -> None:
    rules = validate_rules(
        [
            make_rule("acme-only", order=1, conditions=leaf("brand_id", "eq", "acme")),
            make_rule(
                "globex-only", order=2, conditions={"all": [leaf("brand_id", "in", ["globex"])]}
            ),
            make_rule("any-brand", order=3),
        ]
    )
    ruleset = compile_rules(rules)
    assert ruleset.index_field == "brand_id"
    ctx = make_context()
    assert evaluate(ruleset, make_mention(brand_id="acme"), ctx).fired_rule_ids == [
        "acme-only",
        "any-brand",
    ]
    assert evaluate(ruleset, make_mention(brand_id="other"), ctx).fired_rule_ids == ["any-brand"]
    assert evaluate(ruleset, make_mention(brand_id=["weird"]), ctx).fired_rule_ids == ["any-brand"]


# -- validation ------------------------------------------------------------------------------


def test_validation_reports_every_problem_with_path_value_and_fix() -> None:
    bad = make_rule(
        conditions={
            "all": [
                {"field": "colour", "op": "eq", "value": "red"},
                {"field": "author_followers", "op": "contains_any", "value": ["1"]},
                {"field": "author_followers", "op": "gte", "value": "many"},
                {"op": "time_of_day", "value": "9-18"},
            ]
        },
        actions=[{"type": "assign", "strategy": "round_robin"}, {"type": "explode"}],
    )
    with pytest.raises(RuleValidationError) as info:
        validate_rule(bad)
    problems = {p.path: p for p in info.value.problems}
    assert "unknown field" in problems["conditions.all[0].field"].message
    assert problems["conditions.all[0].field"].value == "colour"
    assert "gte" in problems["conditions.all[1].op"].message  # lists the operators that work
    assert "number" in problems["conditions.all[2].value"].message
    assert "09:00-18:00" in problems["conditions.all[3].value"].message
    assert "picks within a team" in problems["actions[0].team"].message
    assert "unknown action" in problems["actions[1].type"].message


def test_duplicate_rule_ids_are_rejected() -> None:
    with pytest.raises(RuleValidationError, match="duplicate id"):
        validate_rules([make_rule("same"), make_rule("same")])


@pytest.mark.parametrize(
    "rule",
    [
        make_rule(actions=[]),
        make_rule(conditions={"all": [], "any": []}),
        make_rule(conditions={"field": "priority", "op": "eq", "value": "critical"}),
        make_rule(actions=[{"type": "set_priority", "value": "asap"}]),
        make_rule(actions=[{"type": "pull_into_inbox", "team": "x"}]),
        {**make_rule(), "colour": "red"},
        {**make_rule(), "order": "first"},
    ],
)
def test_invalid_rules(rule: dict) -> None:
    with pytest.raises(RuleValidationError):
        validate_rule(rule)


# -- assignment ------------------------------------------------------------------------------


def test_round_robin_takes_the_next_online_agent_and_wraps() -> None:
    team = ["ana", "bea", "carlos"]
    assert round_robin(team, None) == "ana"
    assert round_robin(team, "ana") == "bea"
    assert round_robin(team, "carlos") == "ana"
    assert round_robin(team, "ana", online={"carlos"}) == "carlos"
    assert round_robin(team, "gone", online={"bea"}) == "bea"
    assert round_robin(team, "ana", online=set()) is None
    assert round_robin([], None) is None


def test_least_busy_picks_the_online_agent_with_fewest_open_cases() -> None:
    team = ["ana", "bea", "carlos"]
    counts = {"ana": 4, "bea": 1, "carlos": 1}
    assert least_busy(team, counts, online={"ana", "bea", "carlos"}) == "bea"  # tie: earlier
    assert least_busy(team, counts, online={"ana", "carlos"}) == "carlos"
    assert least_busy(team, counts, online=set()) is None
    assert least_busy(["new"], {}, online={"new"}) == "new"
