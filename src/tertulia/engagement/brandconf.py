"""What a brand's inbox runs on: its business calendar, SLA policies, compiled rules and VIP
list, read from the database and cached per process until the brand's settings change.

The cache key carries ``BrandInbox.rules_version`` and ``updated_at``, bumped in the same
transaction as any change to rules, hours or policies, so every process sees a change on its
next batch without any message between processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tertulia.engagement import rules as rules_core
from tertulia.engagement import sla as sla_core
from tertulia.engagement.calendar import BusinessCalendar, CalendarError
from tertulia.engagement.models import BrandInbox, Rule, SlaPolicy
from tertulia.governance.models import Brand

# Placeholder targets for clock arithmetic when a priority has no policy: the clock still
# counts business time (so a later priority with a policy knows the elapsed time), but no
# deadline is ever written for it.
_NO_TARGET_S = 10**9


@dataclass(frozen=True)
class BrandConf:
    brand_id: int
    calendar: BusinessCalendar
    policies: dict[str, sla_core.SlaPolicy]
    ruleset: rules_core.RuleSet
    rules: list[rules_core.Rule]
    vip: frozenset[str]
    pulls: bool  # some enabled rule can pull public mentions into the inbox
    broken_rules: list[str] = field(default_factory=list)

    def policy(self, priority: str) -> sla_core.SlaPolicy | None:
        return self.policies.get(priority)

    def clock_policy(self, priority: str) -> sla_core.SlaPolicy:
        """The priority's policy, or a target-less one that only does the clock's arithmetic."""
        return self.policies.get(priority) or sla_core.SlaPolicy(
            first_response_s=_NO_TARGET_S, resolution_s=_NO_TARGET_S, warn_before_s=0,
            calendar=self.calendar,
        )

    def context(self, now: Any) -> rules_core.EvaluationContext:
        return rules_core.EvaluationContext(
            now=now, calendars={str(self.brand_id): self.calendar},
            default_calendar=self.calendar, lists={"vip": self.vip},
        )


_cache: dict[int, tuple[tuple[Any, ...], BrandConf]] = {}


def settings_for(brand: Brand | int) -> BrandInbox:
    brand_id = brand if isinstance(brand, int) else brand.id
    row, _created = BrandInbox.objects.get_or_create(brand_id=brand_id)
    return row


def calendar_from(tz: str, hours: dict[str, Any], holidays: list[str]) -> BusinessCalendar:
    days = []
    for raw in holidays or []:
        try:
            days.append(date.fromisoformat(str(raw)))
        except ValueError:
            continue
    try:
        return BusinessCalendar(tz, hours or {}, days)
    except CalendarError:
        # A brand whose hours cannot be read is treated as always open: deadlines then come
        # sooner, never later, which is the safe side of an SLA.
        return BusinessCalendar.always_open(tz if _zone_ok(tz) else "UTC")


def _zone_ok(tz: str) -> bool:
    try:
        BusinessCalendar.always_open(tz)
    except CalendarError:
        return False
    return True


def normalise_handle(handle: str) -> str:
    return "@" + handle.strip().lstrip("@").casefold()


def conf_for(brand_id: int) -> BrandConf:
    """The brand's current configuration (two small queries when nothing changed)."""
    return confs_for([brand_id])[brand_id]


def confs_for(brand_ids: Iterable[int]) -> dict[int, BrandConf]:
    """Several brands' configurations with two queries in all when nothing changed (an
    ingest batch touches many brands)."""
    ids = sorted(set(brand_ids))
    if not ids:
        return {}
    versions = {b: (v, at) for b, v, at in BrandInbox.objects.filter(brand_id__in=ids)
                .values_list("brand_id", "rules_version", "updated_at")}
    zones = dict(Brand.objects.filter(id__in=ids).values_list("id", "timezone"))
    out = {}
    for brand_id in ids:
        key = (versions.get(brand_id), zones.get(brand_id) or "UTC")
        cached = _cache.get(brand_id)
        if cached is None or cached[0] != key:
            cached = _cache[brand_id] = (key, _load(brand_id, key[1]))
        out[brand_id] = cached[1]
    return out


def forget(brand_id: int | None = None) -> None:
    """Drop cached configurations (tests; the version key normally makes this unnecessary)."""
    if brand_id is None:
        _cache.clear()
    else:
        _cache.pop(brand_id, None)


def _load(brand_id: int, tz: str) -> BrandConf:
    row = BrandInbox.objects.filter(brand_id=brand_id).first()
    hours = row.business_hours if row else None
    holidays = row.holidays if row else []
    calendar = calendar_from(tz, hours if hours is not None else {}, holidays)
    if row is None:
        from tertulia.engagement.models import DEFAULT_HOURS

        calendar = calendar_from(tz, DEFAULT_HOURS, [])
    policies = {}
    for p in SlaPolicy.objects.filter(brand_id=brand_id):
        try:
            policies[p.priority] = sla_core.SlaPolicy(
                first_response_s=p.first_response_s, resolution_s=p.resolution_s,
                warn_before_s=p.warn_before_s, calendar=calendar,
            )
        except sla_core.SlaPolicyError:
            continue
    valid, broken = [], []
    for rule in Rule.objects.filter(brand_id=brand_id):
        try:
            valid.append(rules_core.validate_rule(rule.as_dict()))
        except rules_core.RuleValidationError:
            broken.append(rule.key)  # saved before a vocabulary change: skipped, shown in UI
    ruleset = rules_core.compile_rules(valid)
    pulls = any(a.type == "pull_into_inbox" for r in ruleset.rules for a in r.actions)
    vip = frozenset(normalise_handle(h) for h in (row.vip_handles if row else []) if h)
    return BrandConf(brand_id, calendar, policies, ruleset, valid, vip, pulls, broken)
