"""Engagement rules: data in, decisions out.

A rule is JSON the UI edits (see ``docs/en/engagement-rules.md``)::

    {"id": "vip-complaint", "name": "VIP complaints", "order": 10, "enabled": true,
     "conditions": {"all": [
         {"field": "sentiment", "op": "eq", "value": "negative"},
         {"any": [{"field": "is_vip", "op": "is_true"},
                  {"field": "author_followers", "op": "gte", "value": 10000}]}]},
     "actions": [{"type": "set_priority", "value": "urgent"},
                 {"type": "assign", "team": "care", "strategy": "least_busy"}],
     "stop_processing": true}

:func:`validate_rule` turns such a dict into a :class:`Rule` or raises
:class:`RuleValidationError` listing every problem (path, value, fix). :func:`compile_rules`
turns rules into a :class:`RuleSet` of closures once; :func:`evaluate` runs it on one item's
facts. Live processing and dry run call the very same :func:`evaluate`; a dry run simply does
not apply the returned :class:`Changes`.

Evaluation semantics:

* enabled rules run in ``(order, id)`` order; a firing rule with ``stop_processing`` ends the run;
* later rules see ``flag``, ``priority`` and ``tags`` as changed by earlier fired rules, so one
  rule can classify and another route on the classification;
* scalar actions (flag, priority, assignment) are last-writer-wins; tags accumulate;
  notifications and escalations accumulate; only the first auto-acknowledgement is kept, so a
  customer never gets two automatic replies;
* a fact that is missing makes its condition false (``neq``/``not_in``/``contains_none``: true).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tertulia.engagement.calendar import WEEKDAY_NAMES, BusinessCalendar

__all__ = [
    "ACTION_TYPES",
    "FIELDS",
    "OPERATORS",
    "PRIORITIES",
    "Action",
    "Assignment",
    "Changes",
    "Evaluation",
    "EvaluationContext",
    "Rule",
    "RuleFire",
    "RuleProblem",
    "RuleSet",
    "RuleValidationError",
    "compile_rules",
    "evaluate",
    "least_busy",
    "round_robin",
    "validate_rule",
    "validate_rules",
]

# -- vocabulary ------------------------------------------------------------------------------

# Facts a rule can test, by kind. The caller builds the facts dict from the item, its author and
# its conversation; "event" says why rules run: created, updated, sla_warning, sla_breach.
FIELDS: dict[str, str] = {
    "event": "str",
    "network": "str",
    "brand_id": "str",
    "account_id": "str",
    "language": "str",
    "sentiment": "str",
    "flag": "str",
    "priority": "str",
    "status": "str",
    "customer_segment": "str",
    "author_handle": "str",
    "text": "text",
    "query_ids": "list",
    "tags": "list",
    "author_followers": "number",
    "author_influence": "number",
    "author_verified": "bool",
    "is_vip": "bool",
    "has_media": "bool",
}

OPERATORS: dict[str, frozenset[str]] = {
    "str": frozenset({"eq", "neq", "in", "not_in", "in_list", "not_in_list"}),
    "text": frozenset({"contains_any", "contains_none"}),
    "list": frozenset({"contains_any", "contains_none", "matches_query"}),
    "number": frozenset({"eq", "neq", "gt", "gte", "lt", "lte"}),
    "bool": frozenset({"is_true", "is_false"}),
}
# Operators about the moment of evaluation rather than a fact; they take no "field".
TIME_OPERATORS = frozenset({"business_hours", "time_of_day", "weekday_in"})

PRIORITIES = ("low", "normal", "high", "urgent")
ASSIGN_STRATEGIES = ("direct", "round_robin", "least_busy")
ACTION_TYPES = (
    "set_flag",
    "set_priority",
    "raise_priority",
    "add_tags",
    "remove_tags",
    "assign",
    "pull_into_inbox",
    "hide",
    "notify",
    "auto_acknowledge",
    "escalate",
)
_TIME_RANGE_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


# -- data ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Action:
    """One action of a rule: ``type`` plus its parameters (see ``ACTION_TYPES``)."""

    type: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.params}


@dataclass(frozen=True, slots=True)
class Rule:
    """A validated rule. ``conditions`` is the normalised JSON tree; ``to_dict`` round-trips."""

    id: str
    name: str
    order: int
    enabled: bool
    conditions: Mapping[str, Any]
    actions: tuple[Action, ...]
    stop_processing: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "order": self.order,
            "enabled": self.enabled,
            "conditions": self.conditions,
            "actions": [a.to_dict() for a in self.actions],
            "stop_processing": self.stop_processing,
        }


@dataclass(frozen=True, slots=True)
class RuleProblem:
    path: str  # e.g. "conditions.all[1].value"
    value: Any
    message: str  # what is wrong and how to fix it

    def __str__(self) -> str:
        return f"{self.path}: {self.value!r}: {self.message}"


class RuleValidationError(ValueError):
    """A rule dict that cannot be used; ``problems`` lists every issue found."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        self.problems = problems
        super().__init__("invalid rule: " + "; ".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class EvaluationContext:
    """Everything besides the item that a rule may look at. ``now`` is injected (UTC).

    ``calendars`` maps ``brand_id`` to its business calendar (``default_calendar`` otherwise);
    ``lists`` holds named lists such as the VIP list (``{"vip": {"@ana", ...}}``), compared
    case-insensitively.
    """

    now: datetime
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)
    default_calendar: BusinessCalendar | None = None
    lists: Mapping[str, Collection[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        folded = {
            name: frozenset(v.casefold() for v in values) for name, values in self.lists.items()
        }
        object.__setattr__(self, "lists", folded)

    def calendar_for(self, brand_id: object) -> BusinessCalendar:
        cal = self.calendars.get(brand_id) if isinstance(brand_id, str) else None
        if cal is None:
            cal = self.default_calendar
        # With no calendar at all, treat the team as always at work: "outside business hours"
        # rules then never fire, which is the safe failure.
        return cal or _ALWAYS_OPEN


_ALWAYS_OPEN = BusinessCalendar.always_open()


@dataclass(frozen=True, slots=True)
class RuleFire:
    rule_id: str
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class Assignment:
    strategy: str  # direct | round_robin | least_busy
    team: str | None = None
    person: str | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """The merged effect of every fired rule, ready for the caller to apply (or just show)."""

    flag: str | None = None
    priority: str | None = None
    tags_added: tuple[str, ...] = ()
    tags_removed: tuple[str, ...] = ()
    assignment: Assignment | None = None
    pull_into_inbox: bool = False
    hidden: bool = False
    hide_reason: str | None = None
    notifications: tuple[Mapping[str, Any], ...] = ()
    acknowledge_template_id: str | None = None
    escalations: tuple[Mapping[str, Any], ...] = ()

    @property
    def is_empty(self) -> bool:
        return self == _NO_CHANGES

    def to_dict(self) -> dict[str, Any]:
        return {
            "flag": self.flag,
            "priority": self.priority,
            "tags_added": list(self.tags_added),
            "tags_removed": list(self.tags_removed),
            "assignment": None
            if self.assignment is None
            else {
                "strategy": self.assignment.strategy,
                "team": self.assignment.team,
                "person": self.assignment.person,
            },
            "pull_into_inbox": self.pull_into_inbox,
            "hidden": self.hidden,
            "hide_reason": self.hide_reason,
            "notifications": [dict(n) for n in self.notifications],
            "acknowledge_template_id": self.acknowledge_template_id,
            "escalations": [dict(e) for e in self.escalations],
        }


_NO_CHANGES = Changes()


@dataclass(frozen=True, slots=True)
class Evaluation:
    fired: list[RuleFire]
    changes: Changes
    stopped_by: str | None = None  # id of the rule whose stop_processing ended the run

    @property
    def fired_rule_ids(self) -> list[str]:
        return [f.rule_id for f in self.fired]


# -- validation ------------------------------------------------------------------------------


def validate_rules(data: Sequence[Mapping[str, Any]]) -> list[Rule]:
    """Validate several rules; problems of all of them are reported together."""
    rules, problems = [], []
    for i, item in enumerate(data):
        try:
            rules.append(validate_rule(item))
        except RuleValidationError as exc:
            problems += [RuleProblem(f"[{i}].{p.path}", p.value, p.message) for p in exc.problems]
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.id in seen:
            problems.append(
                RuleProblem(f"[{i}].id", rule.id, "duplicate id; give each rule its own")
            )
        seen.add(rule.id)
    if problems:
        raise RuleValidationError(problems)
    return rules


def validate_rule(data: Mapping[str, Any]) -> Rule:
    """Check a rule dict from the UI or the database and return it as a :class:`Rule`."""
    problems: list[RuleProblem] = []
    if not isinstance(data, Mapping):
        raise RuleValidationError([RuleProblem("", data, "a rule must be a JSON object")])
    known = {"id", "name", "order", "enabled", "conditions", "actions", "stop_processing"}
    for key in data:
        if key not in known:
            problems.append(RuleProblem(key, data[key], f"unknown key; use one of {sorted(known)}"))
    rule_id = data.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        problems.append(RuleProblem("id", rule_id, "must be a non-empty string"))
    name = data.get("name", rule_id)
    if not isinstance(name, str):
        problems.append(RuleProblem("name", name, "must be a string"))
    order = data.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool):
        problems.append(RuleProblem("order", order, "must be an integer; lower runs first"))
    for key in ("enabled", "stop_processing"):
        if not isinstance(data.get(key, key == "enabled"), bool):
            problems.append(RuleProblem(key, data.get(key), "must be true or false"))
    conditions = data.get("conditions", {"all": []})
    normalised = _validate_condition(conditions, "conditions", problems)
    actions_data = data.get("actions")
    actions: list[Action] = []
    if not isinstance(actions_data, list) or not actions_data:
        problems.append(RuleProblem("actions", actions_data, "must be a non-empty list of actions"))
    else:
        for i, a in enumerate(actions_data):
            action = _validate_action(a, f"actions[{i}]", problems)
            if action is not None:
                actions.append(action)
    if problems:
        raise RuleValidationError(problems)
    return Rule(
        id=rule_id,
        name=name,
        order=order,
        enabled=data.get("enabled", True),
        conditions=normalised,
        actions=tuple(actions),
        stop_processing=data.get("stop_processing", False),
    )


def _validate_condition(node: Any, path: str, problems: list[RuleProblem]) -> dict[str, Any]:
    if not isinstance(node, Mapping):
        problems.append(
            RuleProblem(
                path,
                node,
                'must be an object: {"all": […]}, {"any": […]}, '
                '{"not": {…}} or {"field": …, "op": …, "value": …}',
            )
        )
        return {}
    groups = [k for k in ("all", "any", "not") if k in node]
    if groups:
        if len(node) != 1:
            problems.append(RuleProblem(path, dict(node), f'put only "{groups[0]}" in this object'))
            return {}
        key = groups[0]
        if key == "not":
            return {"not": _validate_condition(node["not"], f"{path}.not", problems)}
        children = node[key]
        if not isinstance(children, list):
            problems.append(RuleProblem(f"{path}.{key}", children, "must be a list of conditions"))
            return {}
        return {
            key: [
                _validate_condition(c, f"{path}.{key}[{i}]", problems)
                for i, c in enumerate(children)
            ]
        }
    return _validate_leaf(node, path, problems)


def _validate_leaf(
    node: Mapping[str, Any], path: str, problems: list[RuleProblem]
) -> dict[str, Any]:
    op = node.get("op")
    fld = node.get("field")
    value = node.get("value")
    extra = set(node) - {"field", "op", "value"}
    if extra:
        problems.append(
            RuleProblem(path, sorted(extra), 'unknown keys; use "field", "op", "value"')
        )
    if op in TIME_OPERATORS:
        if fld is not None:
            problems.append(RuleProblem(f"{path}.field", fld, f'"{op}" takes no field; remove it'))
        _check_time_value(op, value, f"{path}.value", problems)
        return {"op": op, "value": value}
    if fld not in FIELDS:
        problems.append(
            RuleProblem(f"{path}.field", fld, f"unknown field; use one of {sorted(FIELDS)}")
        )
        return {}
    kind = FIELDS[fld]
    allowed = OPERATORS[kind]
    if op not in allowed:
        problems.append(
            RuleProblem(
                f"{path}.op",
                op,
                f'not an operator for {kind} field "{fld}"; use one of {sorted(allowed)}',
            )
        )
        return {}
    vpath = f"{path}.value"
    if op in ("is_true", "is_false"):
        if value is not None:
            problems.append(RuleProblem(vpath, value, f'"{op}" takes no value; remove it'))
        return {"field": fld, "op": op}
    if (op in ("eq", "neq") and kind == "str") or op in ("in_list", "not_in_list"):
        if not isinstance(value, str) or not value:
            what = 'the name of a list, such as "vip"' if "list" in op else "a non-empty string"
            problems.append(RuleProblem(vpath, value, f"must be {what}"))
    elif kind == "number":
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(RuleProblem(vpath, value, "must be a number, such as 10000"))
    elif not _is_str_list(value):
        problems.append(
            RuleProblem(vpath, value, 'must be a non-empty list of strings, e.g. ["refund"]')
        )
    if fld == "priority" and op in ("eq", "neq", "in", "not_in"):
        for v in [value] if isinstance(value, str) else value or []:
            if v not in PRIORITIES:
                problems.append(
                    RuleProblem(vpath, v, f"unknown priority; use one of {list(PRIORITIES)}")
                )
    return {"field": fld, "op": op, "value": value}


def _is_str_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, str) and v.strip() for v in value)
    )


def _check_time_value(op: str, value: Any, path: str, problems: list[RuleProblem]) -> None:
    if op == "business_hours" and value not in ("open", "closed"):
        problems.append(RuleProblem(path, value, 'must be "open" or "closed"'))
    elif op == "time_of_day" and not (isinstance(value, str) and _TIME_RANGE_RE.match(value)):
        problems.append(
            RuleProblem(
                path,
                value,
                'must be a local time range like "09:00-18:00" (may wrap midnight: "22:00-06:00")',
            )
        )
    elif op == "weekday_in" and not (
        _is_str_list(value) and all(v in WEEKDAY_NAMES for v in value)
    ):
        problems.append(
            RuleProblem(path, value, f"must be a list of weekdays from {list(WEEKDAY_NAMES)}")
        )


def _validate_action(a: Any, path: str, problems: list[RuleProblem]) -> Action | None:
    if not isinstance(a, Mapping) or a.get("type") not in ACTION_TYPES:
        got = a.get("type") if isinstance(a, Mapping) else a
        problems.append(
            RuleProblem(f"{path}.type", got, f"unknown action; use one of {list(ACTION_TYPES)}")
        )
        return None
    kind = a["type"]
    params = {k: v for k, v in a.items() if k != "type"}
    n = len(problems)

    def need(key: str, ok: Callable[[Any], bool], what: str, required: bool = True) -> None:
        if key not in params:
            if required:
                problems.append(RuleProblem(f"{path}.{key}", None, f"missing; give {what}"))
        elif not ok(params[key]):
            problems.append(RuleProblem(f"{path}.{key}", params[key], f"must be {what}"))

    def nonempty_str(v: Any) -> bool:
        return isinstance(v, str) and bool(v.strip())

    allowed_keys: set[str] = set()
    if kind == "set_flag":
        allowed_keys = {"value"}
        need("value", nonempty_str, "a flag name")
    elif kind == "set_priority":
        allowed_keys = {"value"}
        need("value", lambda v: v in PRIORITIES, f"one of {list(PRIORITIES)}")
    elif kind in ("add_tags", "remove_tags"):
        allowed_keys = {"value"}
        need("value", _is_str_list, 'a non-empty list of tags, e.g. ["vip"]')
    elif kind == "assign":
        allowed_keys = {"team", "person", "strategy"}
        need("strategy", lambda v: v in ASSIGN_STRATEGIES, f"one of {list(ASSIGN_STRATEGIES)}")
        need("team", nonempty_str, "a team id", required=False)
        need("person", nonempty_str, "a person id", required=False)
        strategy = params.get("strategy")
        if strategy == "direct" and "person" not in params:
            problems.append(RuleProblem(f"{path}.person", None, 'missing; "direct" needs a person'))
        if strategy in ("round_robin", "least_busy") and "team" not in params:
            problems.append(
                RuleProblem(f"{path}.team", None, f'missing; "{strategy}" picks within a team')
            )
    elif kind == "hide":
        allowed_keys = {"reason"}
        need("reason", nonempty_str, 'a reason such as "spam"', required=False)
    elif kind == "notify":
        allowed_keys = {"to", "message"}
        need("to", _is_str_list, 'a list of recipients, e.g. ["team:care", "user:42"]')
        need("message", lambda v: isinstance(v, str), "a string", required=False)
    elif kind == "auto_acknowledge":
        allowed_keys = {"template_id"}
        need("template_id", nonempty_str, "the id of a reply template")
    elif kind == "escalate":
        allowed_keys = {"to", "reason"}
        need("to", nonempty_str, 'who takes the escalation, e.g. "team:leads"')
        need("reason", lambda v: isinstance(v, str), "a string", required=False)
    for key in params:
        if key not in allowed_keys:
            fix = f"use {sorted(allowed_keys)}" if allowed_keys else "this action takes none"
            problems.append(RuleProblem(f"{path}.{key}", params[key], f"unknown parameter; {fix}"))
    return Action(kind, params) if len(problems) == n else None


# -- compilation -----------------------------------------------------------------------------

Facts = Mapping[str, Any]
Predicate = Callable[[Facts, "_Env"], bool]


class _Env:
    """Per-item values shared by all rules, computed at most once and only if asked for."""

    __slots__ = ("_facts", "_local", "_open", "_text", "context")

    def __init__(self, facts: Facts, context: EvaluationContext) -> None:
        self._facts = facts
        self.context = context
        self._text: str | None = None
        self._open: bool | None = None
        self._local: datetime | None = None

    def text(self) -> str:
        if self._text is None:
            raw = self._facts.get("text")
            self._text = raw.casefold() if isinstance(raw, str) else ""
        return self._text

    def business_open(self) -> bool:
        if self._open is None:
            cal = self.context.calendar_for(self._facts.get("brand_id"))
            self._open = cal.is_open(self.context.now)
        return self._open

    def local_now(self) -> datetime:
        if self._local is None:
            cal = self.context.calendar_for(self._facts.get("brand_id"))
            self._local = self.context.now.astimezone(ZoneInfo(cal.tz))
        return self._local


def _true(f: Facts, e: _Env) -> bool:
    return True


def _compile(node: Mapping[str, Any]) -> Predicate:
    if "all" in node or "any" in node:
        is_all = "all" in node
        preds = tuple(_compile(c) for c in node["all" if is_all else "any"])
        if not preds:
            return _true if is_all else (lambda f, e: False)
        if len(preds) == 1:
            return preds[0]
        if len(preds) == 2:
            a, b = preds
            if is_all:
                return lambda f, e: a(f, e) and b(f, e)
            return lambda f, e: a(f, e) or b(f, e)
        if is_all:
            # Explicit loops, not all()/any() over a generator: this is the hot path and the
            # generator roughly doubles its cost.
            def all_of(f: Facts, e: _Env) -> bool:
                for p in preds:  # noqa: SIM110
                    if not p(f, e):
                        return False
                return True

            return all_of

        def any_of(f: Facts, e: _Env) -> bool:
            for p in preds:  # noqa: SIM110
                if p(f, e):
                    return True
            return False

        return any_of
    if "not" in node:
        inner = _compile(node["not"])
        return lambda f, e: not inner(f, e)
    return _compile_leaf(node["op"], node.get("field"), node.get("value"))


def _compile_leaf(op: str, fld: str | None, value: Any) -> Predicate:
    if op == "business_hours":
        want = value == "open"
        return lambda f, e: e.business_open() is want
    if op == "time_of_day":
        h1, m1, h2, m2 = (int(g) for g in _TIME_RANGE_RE.match(value).groups())
        lo, hi = h1 * 60 + m1, h2 * 60 + m2

        def in_range(f: Facts, e: _Env) -> bool:
            t = e.local_now()
            minute = t.hour * 60 + t.minute
            # A range that wraps midnight ("22:00-06:00") is the complement of its inverse.
            return lo <= minute < hi if lo <= hi else minute >= lo or minute < hi

        return in_range
    if op == "weekday_in":
        days = frozenset(WEEKDAY_NAMES.index(v) for v in value)
        return lambda f, e: e.local_now().weekday() in days
    assert fld is not None
    kind = FIELDS[fld]
    if op == "is_true":
        return lambda f, e: f.get(fld) is True
    if op == "is_false":
        return lambda f, e: f.get(fld) is not True
    if op == "eq":
        return lambda f, e: f.get(fld) == value
    if op == "neq":
        return lambda f, e: f.get(fld) != value
    if kind == "number":
        cmp = {"gt": float.__gt__, "gte": float.__ge__, "lt": float.__lt__, "lte": float.__le__}[op]
        threshold = float(value)

        def compare(f: Facts, e: _Env) -> bool:
            x = f.get(fld)
            return x is not None and not isinstance(x, bool) and cmp(float(x), threshold)

        return compare
    if op in ("in", "not_in"):
        members = frozenset(value)
        if op == "in":
            return lambda f, e: f.get(fld) in members
        return lambda f, e: f.get(fld) not in members
    if op in ("in_list", "not_in_list"):
        negate = op == "not_in_list"

        def listed(f: Facts, e: _Env) -> bool:
            x = f.get(fld)
            hit = isinstance(x, str) and x.casefold() in e.context.lists.get(value, ())
            return hit is not negate

        return listed
    if kind == "text":
        # Whole words or phrases, case-insensitive: "refund" matches "Refund!" not "refunded".
        words = sorted({v.casefold() for v in value}, key=len, reverse=True)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")
        if op == "contains_any":
            return lambda f, e: pattern.search(e.text()) is not None
        return lambda f, e: pattern.search(e.text()) is None
    # list fields: query_ids, tags
    members = frozenset(value)
    if op in ("contains_any", "matches_query"):
        return lambda f, e: not members.isdisjoint(f.get(fld) or ())
    return lambda f, e: members.isdisjoint(f.get(fld) or ())


# (predicate, rule, touches_facts): touches_facts says the rule sets flag, priority or tags,
# which later rules may read. Plain tuples because attribute access shows in the hot loop.
_Entry = tuple[Predicate, Rule, bool]

_FACT_ACTIONS = frozenset({"set_flag", "set_priority", "raise_priority", "add_tags", "remove_tags"})
# Facts that rules themselves change cannot serve as an index: a rule may start to match them
# halfway through the run.
_UNINDEXABLE = frozenset({"flag", "priority", "tags"})


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Enabled rules, ordered and compiled; build once per rules change, share freely.

    Rules whose top-level ``all`` requires ``index_field`` to be ``eq``/``in`` some values are
    only tried on items with one of those values (``by_value``); ``unindexed`` holds the rules to
    try for any other value. Each list keeps rule order, and the skipped rules could not have
    matched, so indexing changes speed only, never results.
    """

    entries: tuple[_Entry, ...]
    index_field: str | None = None
    by_value: Mapping[Any, tuple[_Entry, ...]] = field(default_factory=dict)
    unindexed: tuple[_Entry, ...] = ()

    @property
    def rules(self) -> list[Rule]:
        return [rule for _, rule, _ in self.entries]

    @property
    def rule_ids(self) -> list[str]:
        return [rule.id for _, rule, _ in self.entries]

    def candidates(self, facts: Facts) -> tuple[_Entry, ...]:
        if self.index_field is None:
            return self.entries
        value = facts.get(self.index_field)
        try:
            return self.by_value.get(value, self.unindexed)
        except TypeError:  # an unhashable fact value matches no eq/in guard
            return self.unindexed


def _guards(rule: Rule) -> dict[str, frozenset[Any]]:
    """Field → values that a matching item must have, read from the top-level ``all``."""
    node = rule.conditions
    leaves = node.get("all", [node])
    guards: dict[str, frozenset[Any]] = {}
    for leaf in leaves:
        fld, op = leaf.get("field"), leaf.get("op")
        if fld in _UNINDEXABLE or FIELDS.get(fld) != "str":
            continue
        if op == "eq":
            values = frozenset([leaf["value"]])
        elif op == "in":
            values = frozenset(leaf["value"])
        else:
            continue
        guards[fld] = guards[fld] & values if fld in guards else values
    return guards


def compile_rules(rules: Sequence[Rule]) -> RuleSet:
    """Order enabled rules by ``(order, id)``, compile their conditions to closures and index
    them on the field most rules require a value of (see :class:`RuleSet`)."""
    active = sorted((r for r in rules if r.enabled), key=lambda r: (r.order, r.id))
    entries = tuple(
        (_compile(r.conditions), r, any(a.type in _FACT_ACTIONS for a in r.actions)) for r in active
    )
    guards = [_guards(r) for r in active]
    counts: dict[str, int] = {}
    for g in guards:
        for fld in g:
            counts[fld] = counts.get(fld, 0) + 1
    if not counts:
        return RuleSet(entries)
    index_field = max(sorted(counts), key=lambda f: counts[f])
    values = set().union(*(g.get(index_field, ()) for g in guards))
    by_value = {
        v: tuple(
            e
            for e, g in zip(entries, guards, strict=True)
            if index_field not in g or v in g[index_field]
        )
        for v in values
    }
    unindexed = tuple(e for e, g in zip(entries, guards, strict=True) if index_field not in g)
    return RuleSet(entries, index_field, by_value, unindexed)


# -- evaluation ------------------------------------------------------------------------------


class _Merge:
    """Accumulates the effect of fired rules in order."""

    def __init__(self, facts: Facts) -> None:
        self.values: dict[str, Any] = {}
        self.tags_added: list[str] = []
        self.tags_removed: list[str] = []
        self.notifications: list[Mapping[str, Any]] = []
        self.escalations: list[Mapping[str, Any]] = []
        self.priority = facts.get("priority")

    def apply(self, actions: Sequence[Action]) -> None:
        v = self.values
        for a in actions:
            p = a.params
            t = a.type
            if t == "set_flag":
                v["flag"] = p["value"]
            elif t == "set_priority":
                v["priority"] = self.priority = p["value"]
            elif t == "raise_priority":
                level = PRIORITIES.index(self.priority) if self.priority in PRIORITIES else 1
                v["priority"] = self.priority = PRIORITIES[min(level + 1, len(PRIORITIES) - 1)]
            elif t == "add_tags":
                for tag in p["value"]:
                    if tag in self.tags_removed:
                        self.tags_removed.remove(tag)
                    if tag not in self.tags_added:
                        self.tags_added.append(tag)
            elif t == "remove_tags":
                for tag in p["value"]:
                    if tag in self.tags_added:
                        self.tags_added.remove(tag)
                    if tag not in self.tags_removed:
                        self.tags_removed.append(tag)
            elif t == "assign":
                v["assignment"] = Assignment(p["strategy"], p.get("team"), p.get("person"))
            elif t == "pull_into_inbox":
                v["pull_into_inbox"] = True
            elif t == "hide":
                v["hidden"] = True
                v["hide_reason"] = p.get("reason", "spam")
            elif t == "notify":
                self.notifications.append(dict(p))
            elif t == "auto_acknowledge":
                v.setdefault("acknowledge_template_id", p["template_id"])
            elif t == "escalate":
                self.escalations.append(dict(p))

    def refresh(self, view: dict[str, Any], facts: Facts) -> None:
        """Update ``view`` (a copy of ``facts``) to what later rules must see."""
        if "flag" in self.values:
            view["flag"] = self.values["flag"]
        if "priority" in self.values:
            view["priority"] = self.values["priority"]
        if self.tags_added or self.tags_removed:
            tags = [t for t in facts.get("tags") or () if t not in self.tags_removed]
            view["tags"] = tags + [t for t in self.tags_added if t not in tags]

    def changes(self) -> Changes:
        if not (
            self.values
            or self.tags_added
            or self.tags_removed
            or self.notifications
            or self.escalations
        ):
            return _NO_CHANGES
        return Changes(
            tags_added=tuple(self.tags_added),
            tags_removed=tuple(self.tags_removed),
            notifications=tuple(self.notifications),
            escalations=tuple(self.escalations),
            **self.values,
        )


def evaluate(
    rules: RuleSet | Sequence[Rule], facts: Facts, context: EvaluationContext
) -> Evaluation:
    """Run ``rules`` on one item's ``facts``: which rules fire and their merged effect.

    The one function for live processing and dry run. Pure: the same rules, facts and context
    always give the same :class:`Evaluation`. Pass a :class:`RuleSet` (from
    :func:`compile_rules`) on hot paths; a plain list of rules is compiled on each call.
    """
    ruleset = rules if isinstance(rules, RuleSet) else compile_rules(rules)
    env = _Env(facts, context)
    current = facts
    fired: list[RuleFire] = []
    merge: _Merge | None = None
    stopped_by = None
    for predicate, rule, touches_facts in ruleset.candidates(facts):
        if not predicate(current, env):
            continue
        fired.append(RuleFire(rule.id, rule.actions))
        if merge is None:
            merge = _Merge(facts)
        merge.apply(rule.actions)
        if rule.stop_processing:
            stopped_by = rule.id
            break
        if touches_facts:
            if current is facts:
                current = dict(facts)  # never mutate the caller's facts
            merge.refresh(current, facts)
    return Evaluation(fired, merge.changes() if merge else _NO_CHANGES, stopped_by)


# -- assignment strategies -------------------------------------------------------------------


def round_robin(
    candidates: Sequence[str],
    last_assigned: str | None,
    online: Collection[str] | None = None,
) -> str | None:
    """The next candidate after ``last_assigned`` in ``candidates`` order, skipping anyone not
    ``online`` (when given). ``None`` when nobody can take it."""
    if not candidates:
        return None
    start = candidates.index(last_assigned) + 1 if last_assigned in candidates else 0
    n = len(candidates)
    for i in range(n):
        person = candidates[(start + i) % n]
        if online is None or person in online:
            return person
    return None


def least_busy(
    candidates: Sequence[str],
    open_counts: Mapping[str, int],
    online: Collection[str],
) -> str | None:
    """The online candidate with the fewest open conversations; ties go to the earlier one in
    ``candidates`` so the choice is stable. ``None`` when nobody is online."""
    best, best_count = None, None
    for person in candidates:
        if person not in online:
            continue
        count = open_counts.get(person, 0)
        if best_count is None or count < best_count:
            best, best_count = person, count
    return best
