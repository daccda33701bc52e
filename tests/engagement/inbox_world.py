"""Factories for the inbox tests: owned accounts, customer messages through the real ingest
pipeline, rules and SLA policies of a brand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tertulia.engagement import actions
from tertulia.engagement.brandconf import forget
from tertulia.engagement.models import Conversation
from tertulia.governance import actions as gov
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand
from tertulia.listening.models import Mention
from tertulia.listening.pipeline import ingest
from tertulia.networks.items import NetworkItem, item_from_dict
from tests.conftest import World

SYSTEM = Actor.system("tests")
T0 = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)  # a Monday, 10:30 in Madrid


def own(brand: Brand, network: str, handle: str) -> None:
    gov.do_add_account(brand, network, handle, actor=SYSTEM)


def message(external_id: str, text: str, *, handle: str = "lucia", kind: str = "post",
            channel: str | None = None, thread_id: str | None = None, network: str = "x",
            minutes: float = 0, followers: int = 120, lang: str | None = None) -> NetworkItem:
    data: dict[str, Any] = {
        "network": network, "external_id": external_id, "kind": kind,
        "author_handle": handle, "author_followers": followers,
        "created_at": (T0 + timedelta(minutes=minutes)).isoformat(), "text": text,
        "url": f"https://x.example/{handle}/{external_id}",
    }
    if channel:
        data["channel"] = channel
    if thread_id:
        data["thread_id"] = thread_id
    if lang:
        data["lang"] = lang
    return item_from_dict(data)


def dm(external_id: str, text: str, *, handle: str = "lucia", to: str = "demo:acme",
       minutes: float = 0) -> NetworkItem:
    return message(external_id, text, handle=handle, kind="dm", channel=to,
                   thread_id=f"dm-{to}-{handle}", minutes=minutes)


def deliver(world: World, capture: Any, *items: NetworkItem, org: Any = None,
            now: datetime | None = None) -> list[int]:
    """Ingest like a connector does, running the after-commit listeners (the inbox); by
    default a minute after the newest item was written."""
    now = now or max(i.created_at for i in items) + timedelta(minutes=1)
    with capture(execute=True):
        result = ingest(org or world.acme, list(items), now=now)
    return result.created


def conversation_of(external_id: str, brand: Brand | None = None) -> Conversation:
    mention = Mention.objects.get(external_id=external_id)
    qs = Conversation.objects.filter(items__mention=mention)
    if brand is not None:
        qs = qs.filter(brand=brand)
    return qs.get()


def rule(brand: Brand, key: str, conditions: dict[str, Any], actions_: list[dict[str, Any]],
         *, order: int = 0, stop: bool = False) -> None:
    actions.do_save_rule(brand, {"id": key, "name": key, "order": order,
                                 "conditions": conditions, "actions": actions_,
                                 "stop_processing": stop}, actor=SYSTEM)
    forget()


def sla(brand: Brand, priority: str = "normal", *, first_response_min: int = 60,
        resolution_min: int = 480, warn_min: int = 15) -> None:
    actions.do_save_sla_policy(brand, priority, first_response_s=first_response_min * 60,
                               resolution_s=resolution_min * 60, warn_before_s=warn_min * 60,
                               actor=SYSTEM)
    forget()
