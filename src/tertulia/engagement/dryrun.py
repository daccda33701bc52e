"""Which rules would fire on an existing conversation, without changing anything.

Two readings, both through the very ``rules.evaluate`` live processing calls:

* **as it arrived**: each customer item's stored facts (what the rules saw when it came in)
  at its arrival time, against today's rules. With unchanged rules this is exactly what
  fired live; after an edit it shows what the edit changes.
* **as it is now**: the latest item with the conversation's current flag, priority, tags and
  status, at this moment (business hours and time-of-day conditions read the brand's clock).
* **each change by a person** (``event`` = ``updated``) that fired rules: the facts stored
  on that run's history row, at its time, against today's rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from tertulia.engagement import rules as rules_core
from tertulia.engagement.actions import tags_of
from tertulia.engagement.brandconf import conf_for
from tertulia.engagement.facts import facts_for
from tertulia.engagement.models import Conversation, ConversationEvent, ConversationItem
from tertulia.listening.models import MentionMatch


@dataclass(frozen=True)
class ItemRun:
    item: ConversationItem
    live_fired: list[str]
    replay: rules_core.Evaluation

    @property
    def same_as_live(self) -> bool:
        return self.replay.fired_rule_ids == self.live_fired


@dataclass(frozen=True)
class UpdateRun:
    event: ConversationEvent
    live_fired: list[str]
    replay: rules_core.Evaluation

    @property
    def same_as_live(self) -> bool:
        return self.replay.fired_rule_ids == self.live_fired

    @property
    def facts(self) -> dict[str, Any]:
        return dict(self.event.data.get("facts") or {})


@dataclass(frozen=True)
class DryRun:
    items: list[ItemRun]
    now: rules_core.Evaluation | None
    rules: list[rules_core.Rule]
    broken_rules: list[str]
    updates: list[UpdateRun]


def replay_update(conf: Any, event: ConversationEvent) -> rules_core.Evaluation:
    """An ``updated`` run replayed: its stored facts, at its time, through ``evaluate``."""
    at = datetime.fromisoformat(event.data.get("evaluated_at") or event.created_at.isoformat())
    return rules_core.evaluate(conf.ruleset, event.data["facts"], conf.context(at))


def dry_run(conv: Conversation, *, now: datetime | None = None, limit: int = 20) -> DryRun:
    now = now or timezone.now()
    conf = conf_for(conv.brand_id)
    items = list(ConversationItem.objects.filter(conversation=conv, direction="in")
                 .exclude(rule_facts=None).select_related("mention__author")
                 .order_by("-created_at")[:limit])
    runs = [ItemRun(item, list(item.rules_fired or []),
                    rules_core.evaluate(conf.ruleset, item.rule_facts,
                                        conf.context(item.evaluated_at or item.created_at)))
            for item in items]
    current = None
    if items and items[0].mention is not None:
        mention = items[0].mention
        query_ids = MentionMatch.objects.filter(mention=mention, brand_id=conv.brand_id
                                                ).values_list("query_id", flat=True)
        facts = facts_for(conv, conf=conf, event="updated", mention=mention,
                          tags=tags_of(conv), query_ids=query_ids)
        current = rules_core.evaluate(conf.ruleset, facts, conf.context(now))
    updates = [UpdateRun(e, list(e.data.get("fired") or []), replay_update(conf, e))
               for e in ConversationEvent.objects.filter(
                   conversation=conv, kind=ConversationEvent.Kind.RULES,
                   data__event="updated").order_by("-created_at", "-id")[:limit]
               if e.data.get("facts")]
    return DryRun(runs, current, conf.rules, conf.broken_rules, updates)
