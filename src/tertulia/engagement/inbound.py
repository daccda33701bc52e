"""From ingest to inbox: every new item that arrived on an owned channel, or that names one of
the brand's own accounts, is threaded into a conversation; public mentions matched by a
brand's queries are pulled in when one of the brand's rules says so.

Owned means a brand's :class:`~tertulia.governance.models.SocialAccount` ``(network,
handle)``: an item on channel ``"<network>:<handle>"`` (the demo connector writes
``demo:<handle>`` for direct messages and comments), or an item whose text contains
``@<handle>`` on that network. A ``demo`` account stands for the brand on every network of
the demo world, since the demo stream imitates several networks. Items written by an owned
account itself are ours, not a customer's, and are left out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tertulia.engagement import actions
from tertulia.engagement import rules as rules_core
from tertulia.engagement.brandconf import conf_for
from tertulia.engagement.facts import facts_for
from tertulia.engagement.models import Conversation, CustomerHandle
from tertulia.governance.models import Brand, SocialAccount
from tertulia.listening.models import Mention, MentionMatch
from tertulia.listening.pipeline import IngestResult

log = logging.getLogger(__name__)
_HANDLE_RE = re.compile(r"(?<![\w@])@([\w.]+)")
ANY_NETWORK = "*"


@dataclass
class Owned:
    """An organization's owned accounts, indexed the two ways items reach them."""

    channels: dict[str, tuple[Brand, str]] = field(default_factory=dict)
    handles: dict[tuple[str, str], list[tuple[Brand, str]]] = field(default_factory=dict)

    def add(self, account: SocialAccount) -> None:
        channel = f"{account.network}:{account.handle}"
        self.channels[channel.casefold()] = (account.brand, channel)
        network = ANY_NETWORK if account.network == "demo" else account.network
        self.handles.setdefault((network, account.handle.casefold()), []).append(
            (account.brand, channel))

    def by_handle(self, network: str, handle: str) -> list[tuple[Brand, str]]:
        handle = handle.casefold().rstrip(".")
        return [*self.handles.get((network, handle), []),
                *self.handles.get((ANY_NETWORK, handle), [])]

    def owners(self, mention: Mention) -> list[tuple[Brand, str]]:
        """(brand, channel) of every brand this item reached through an owned account."""
        if self.by_handle(mention.network, mention.author.handle):
            return []  # written by one of our own accounts
        found: dict[int, tuple[Brand, str]] = {}
        if mention.channel:
            hit = self.channels.get(mention.channel.casefold())
            if hit is not None:
                found[hit[0].id] = hit
        for handle in _HANDLE_RE.findall(mention.text or ""):
            for brand, channel in self.by_handle(mention.network, handle):
                found.setdefault(brand.id, (brand, channel))
        return list(found.values())


def owned_accounts(org_id: int) -> Owned:
    owned = Owned()
    for account in SocialAccount.objects.filter(
        brand__organization_id=org_id, is_active=True, brand__is_active=True,
    ).select_related("brand", "brand__organization"):
        owned.add(account)
    return owned


def on_ingested(result: IngestResult) -> None:
    """The ingest listener (registered in ``apps.py``): runs after each committed batch."""
    if not result.created:
        return
    try:
        thread_mentions(result.organization_id, result.created)
    except Exception:
        # Never lose the batch for the inbox: try again from the queue.
        log.exception("threading %s mentions failed; queued for a retry", len(result.created))
        from tertulia.engagement.tasks import thread_batch

        thread_batch(result.organization_id, list(result.created))


@transaction.atomic
def thread_mentions(org_id: int, mention_ids: Sequence[int],
                    *, now: datetime | None = None) -> list[Conversation]:
    """Thread the given new mentions of ``org_id``; returns the conversations touched.
    Idempotent: a mention already threaded into a brand's conversation is skipped. ``now``
    defaults to when the batch was ingested (the clock the pipeline was given)."""
    mentions = list(Mention.objects.filter(
        id__in=list(mention_ids), organization_id=org_id, hidden_at=None,
    ).select_related("author").order_by("created_at", "id"))
    if not mentions:
        return []
    now = now or max(m.ingested_at for m in mentions) or timezone.now()
    owned = owned_accounts(org_id)
    matched: dict[int, set[int]] = {}
    for mention_id, brand_id in MentionMatch.objects.filter(
        mention_id__in=[m.id for m in mentions]).values_list("mention_id", "brand_id"):
        matched.setdefault(mention_id, set()).add(brand_id)
    touched: dict[int, Conversation] = {}
    brands: dict[int, Brand] = {}
    for mention in mentions:
        owners = owned.owners(mention)
        targets = [(brand, channel, False) for brand, channel in owners]
        owner_ids = {b.id for b, _c in owners}
        for brand_id in sorted(matched.get(mention.id, ())):
            if brand_id in owner_ids:
                continue
            brand = brands.get(brand_id) or Brand.objects.select_related("organization").get(
                id=brand_id)
            brands[brand_id] = brand
            if brand.is_active and _rules_pull(mention, brand, now):
                targets.append((brand, "", True))
        for brand, channel, pulled in targets:
            threaded = actions.receive_message(mention, brand, channel=channel, now=now,
                                               pulled=pulled)
            if threaded is not None:
                touched[threaded.conversation.id] = threaded.conversation
    return list(touched.values())


def _rules_pull(mention: Mention, brand: Brand, now: datetime) -> bool:
    """Would the brand's rules pull this public mention into the inbox? Evaluated on the
    conversation it would start (new, normal priority, flag as the models suggest)."""
    conf = conf_for(brand.id)
    if not conf.pulls:
        return False
    link = CustomerHandle.objects.filter(author=mention.author).select_related(
        "customer").first()
    draft = Conversation(organization_id=brand.organization_id, brand=brand,
                         network=mention.network, flag=mention.flag or "none",
                         customer=link.customer if link else None)
    query_ids = MentionMatch.objects.filter(mention=mention, brand=brand).values_list(
        "query_id", flat=True)
    facts = facts_for(draft, conf=conf, mention=mention, query_ids=query_ids)
    return rules_core.evaluate(conf.ruleset, facts, conf.context(now)).changes.pull_into_inbox
