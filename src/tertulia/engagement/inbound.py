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
from tertulia.engagement.brandconf import BrandConf, confs_for
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

    def owners(self, network: str, channel: str, text: str,
               author_handle: str) -> list[tuple[Brand, str]]:
        """(brand, channel) of every brand this item reached through an owned account."""
        if not self.handles:
            return []
        if self.by_handle(network, author_handle):
            return []  # written by one of our own accounts
        found: dict[int, tuple[Brand, str]] = {}
        if channel:
            hit = self.channels.get(channel.casefold())
            if hit is not None:
                found[hit[0].id] = hit
        if "@" in text:
            for handle in _HANDLE_RE.findall(text):
                for brand, owned_channel in self.by_handle(network, handle):
                    found.setdefault(brand.id, (brand, owned_channel))
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
        if result.new:  # what the pipeline stored, at hand: nothing to read back
            new = sorted(result.new, key=lambda n: (n[1].created_at, n[0]))
            _thread(result.organization_id,
                    [(pk, p.network, p.channel, p.text, p.handle) for pk, p in new],
                    result.matched_brands(), result.ingested_at or timezone.now())
        else:
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
    # A light pass decides which mentions reach an inbox; only those are loaded whole
    # (most of a firehose batch reaches none).
    rows = list(Mention.objects.filter(
        id__in=list(mention_ids), organization_id=org_id, hidden_at=None,
    ).order_by("created_at", "id").values_list(
        "id", "network", "channel", "text", "author__handle", "ingested_at"))
    if not rows:
        return []
    now = now or max(r[5] for r in rows) or timezone.now()
    matched: dict[int, set[int]] = {}
    for mention_id, brand_id in MentionMatch.objects.filter(
        mention_id__in=[r[0] for r in rows]).values_list("mention_id", "brand_id"):
        matched.setdefault(mention_id, set()).add(brand_id)
    return _thread(org_id, [r[:5] for r in rows], matched, now)


@transaction.atomic
def _thread(org_id: int, rows: Sequence[tuple[int, str, str, str, str]],
            matched: dict[int, set[int]], now: datetime) -> list[Conversation]:
    """Thread (id, network, channel, text, author handle) rows, oldest first; `matched`
    maps each mention id to the brands whose queries it matched."""
    owned = owned_accounts(org_id)
    # Read once per batch, not once per mention.
    confs = confs_for({b for brands in matched.values() for b in brands})
    plans: list[tuple[int, list[tuple[Brand, str]], list[int]]] = []
    for mention_id, network, channel, text, author_handle in rows:
        owners = owned.owners(network, channel, text or "", author_handle)
        owner_ids = {b.id for b, _c in owners}
        pulling = [b for b in sorted(matched.get(mention_id, ()))
                   if b not in owner_ids and confs[b].pulls]
        if owners or pulling:
            plans.append((mention_id, owners, pulling))
    if not plans:
        return []
    full = Mention.objects.select_related("author").in_bulk([p[0] for p in plans])
    touched: dict[int, Conversation] = {}
    brands: dict[int, Brand] = {}
    for mention_id, owners, pulling in plans:
        mention = full[mention_id]
        targets = [(brand, channel, False) for brand, channel in owners]
        for brand_id in pulling:
            brand = brands.get(brand_id) or Brand.objects.select_related("organization").get(
                id=brand_id)
            brands[brand_id] = brand
            if brand.is_active and _rules_pull(mention, brand, now, confs[brand_id]):
                targets.append((brand, "", True))
        for brand, channel, pulled in targets:
            threaded = actions.receive_message(mention, brand, channel=channel, now=now,
                                               pulled=pulled)
            if threaded is not None:
                touched[threaded.conversation.id] = threaded.conversation
    return list(touched.values())


def _rules_pull(mention: Mention, brand: Brand, now: datetime, conf: BrandConf) -> bool:
    """Would the brand's rules pull this public mention into the inbox? Evaluated on the
    conversation it would start (new, normal priority, flag as the models suggest)."""
    link = CustomerHandle.objects.filter(author=mention.author).select_related(
        "customer").first()
    draft = Conversation(organization_id=brand.organization_id, brand=brand,
                         network=mention.network, flag=mention.flag or "none",
                         customer=link.customer if link else None)
    query_ids = MentionMatch.objects.filter(mention=mention, brand=brand).values_list(
        "query_id", flat=True)
    facts = facts_for(draft, conf=conf, mention=mention, query_ids=query_ids)
    return rules_core.evaluate(conf.ruleset, facts, conf.context(now)).changes.pull_into_inbox
