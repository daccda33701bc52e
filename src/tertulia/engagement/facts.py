"""The facts a rule sees, built from a conversation, the item that arrived and its customer.

Live processing, the SLA scheduler and the dry run all build facts here, so they cannot
disagree about what a rule looks at. Facts are plain JSON: live processing stores them on the
item, and the dry run replays exactly those.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tertulia.engagement.brandconf import BrandConf, normalise_handle
from tertulia.engagement.models import Conversation, Customer
from tertulia.listening.models import Mention


def facts_for(
    conv: Conversation,
    *,
    conf: BrandConf,
    event: str = "created",
    mention: Mention | None = None,
    customer: Customer | None = None,
    tags: Iterable[str] = (),
    query_ids: Iterable[int] = (),
) -> dict[str, Any]:
    """Facts of ``conv`` as it stands, for ``event``; ``mention`` is the item that arrived
    (none for scheduler events, which look at the conversation alone)."""
    customer = customer if customer is not None else conv.customer
    handle = None
    followers = None
    verified = None
    if mention is not None:
        handle = normalise_handle(mention.author.handle)
        followers = mention.author_followers
        verified = mention.author.verified
    elif customer is not None:
        followers = customer.followers
        verified = customer.verified
    is_vip = bool(customer is not None and customer.is_vip) or (
        handle is not None and handle in conf.vip)
    return {
        "event": event,
        "network": conv.network,
        "brand_id": str(conv.brand_id),
        "account_id": conv.channel or None,  # none when pulled in from listening
        "language": (mention.language if mention is not None else conv.language) or None,
        "sentiment": (mention.sentiment if mention is not None else conv.sentiment) or None,
        "flag": conv.flag,
        "priority": conv.priority,
        "status": conv.status,
        "customer_segment": (customer.segment or None) if customer is not None else None,
        "author_handle": handle,
        "text": mention.text if mention is not None else conv.preview,
        "query_ids": [str(q) for q in sorted(set(query_ids))],
        "tags": sorted(set(tags)),
        "author_followers": followers,
        "author_influence": customer.influence if customer is not None else None,
        "author_verified": verified,
        "is_vip": is_vip,
        "has_media": False,  # listening does not keep media yet
    }
