"""The inbox's reading side: which conversations a person sees, filtered, a page at a time.

Pages are keyset pages on ``(last_message_at, id)``, newest first, so page 40 costs what page
1 does; every common view pins the leading columns of one index (see ``Conversation.Meta``).
Counts per view stop at :data:`COUNT_CAP` ("1000+"), so a view of a million conversations
counts as fast as one of a hundred.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tertulia.engagement.models import Conversation, ConversationTag, Queue, SlaState
from tertulia.governance.access import can, visible_brands
from tertulia.governance.models import Brand, Organization, User
from tertulia.governance.permissions import Permission as P

PAGE_SIZE = 50
COUNT_CAP = 1000

# view name -> (label, filter); a view is a saved combination the sidebar offers.
VIEWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "open": (_("Open"), {"queue": Queue.OPEN}),
    "mine": (_("Mine"), {"queue": Queue.OPEN, "assignee": "me"}),
    "unassigned": (_("Unassigned"), {"queue": Queue.OPEN, "assignee": "none"}),
    "at_risk": (_("At risk or breached"),
                {"queue": Queue.OPEN, "sla_in": [SlaState.WARNING, SlaState.BREACHED]}),
    "pending": (_("Pending"), {"queue": Queue.PENDING}),
    "snoozed": (_("Snoozed"), {"queue": Queue.SNOOZED}),
    "done": (_("Resolved and closed"), {"queue": Queue.DONE}),
    "spam": (_("Hidden (spam)"), {"queue": Queue.HIDDEN}),
    "all": (_("All"), {"not_hidden": True}),
}
DEFAULT_VIEW = "open"


@dataclass(frozen=True)
class Scope:
    """The brands of one organization whose inbox this person may see."""

    org: Organization
    brands: list[Brand]
    everything: bool  # every brand of the organization: no brand filter needed
    pinned: Brand | None = None

    @property
    def brand_ids(self) -> list[int]:
        return [b.id for b in self.brands]


def inbox_scope(user: User, org: Organization, pinned: Brand | None = None) -> Scope:
    brands = [b for b in visible_brands(user, org) if can(user, P.BRAND_INBOX_VIEW, b)]
    if pinned is not None:
        return Scope(org, [pinned], False, pinned)
    total = org.brands.count()
    return Scope(org, brands, len(brands) == total)


def base_queryset(scope: Scope) -> QuerySet[Conversation]:
    qs = Conversation.objects.filter(organization=scope.org)
    if not scope.everything:
        qs = qs.filter(brand_id__in=scope.brand_ids)
    return qs


def apply_view(qs: QuerySet[Conversation], view: str, user: User) -> QuerySet[Conversation]:
    spec = VIEWS.get(view, VIEWS[DEFAULT_VIEW])[1]
    if "queue" in spec:
        qs = qs.filter(queue=spec["queue"])
    if spec.get("not_hidden"):
        qs = qs.exclude(queue=Queue.HIDDEN)
    if "sla_in" in spec:
        qs = qs.filter(sla_state__in=spec["sla_in"])
    if spec.get("assignee") == "me":
        qs = qs.filter(assignee=user)
    elif spec.get("assignee") == "none":
        qs = qs.filter(assignee=None)
    return qs


def apply_filters(qs: QuerySet[Conversation], data: dict[str, Any],
                  user: User) -> QuerySet[Conversation]:
    """``data`` is an :class:`InboxFilterForm`'s cleaned data (empty values are ignored)."""
    if data.get("brand"):
        qs = qs.filter(brand=data["brand"])
    for name in ("network", "flag", "sentiment", "language", "status", "priority"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    if data.get("sla"):
        qs = qs.filter(sla_state=data["sla"])
    assignee = data.get("assignee")
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee=None)
    elif assignee:
        qs = qs.filter(assignee_id=int(assignee))
    if data.get("team"):
        qs = qs.filter(team=data["team"])
    if data.get("tag"):
        # (conversation, tag) is unique, so the join never repeats a conversation.
        qs = qs.filter(tags__tag=data["tag"].strip())
    if data.get("min_followers") is not None:
        qs = qs.filter(customer__followers__gte=data["min_followers"])
    return qs


def parse_cursor(before: str | None) -> tuple[datetime, int] | None:
    if not before:
        return None
    stamp, _sep, pk = before.partition("|")
    at = parse_datetime(stamp.replace(" ", "+"))  # a hand-typed "+" arrives as a space
    if at is None or not pk.isdigit():
        raise Http404("Bad page cursor.")
    return at, int(pk)


def page(qs: QuerySet[Conversation], before: str | None,
         size: int = PAGE_SIZE) -> tuple[list[Conversation], str | None]:
    """One page, newest first, and the cursor of the next one (None at the end)."""
    cursor = parse_cursor(before)
    if cursor is not None:
        at, pk = cursor
        qs = qs.filter(Q(last_message_at__lt=at) | Q(last_message_at=at, id__lt=pk))
    rows = list(qs.select_related("brand", "customer", "assignee", "team")
                .order_by("-last_message_at", "-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    nxt = f"{rows[-1].last_message_at.isoformat()}|{rows[-1].id}" if more and rows else None
    _attach_tags(rows)
    return rows, nxt


def _attach_tags(rows: list[Conversation]) -> None:
    tags: dict[int, list[str]] = {}
    for conv_id, tag in ConversationTag.objects.filter(
            conversation_id__in=[c.id for c in rows]).values_list("conversation_id", "tag"):
        tags.setdefault(conv_id, []).append(tag)
    for conv in rows:
        conv.tag_list = sorted(tags.get(conv.id, []))  # type: ignore[attr-defined]


def capped_count(qs: QuerySet[Conversation], cap: int = COUNT_CAP) -> int:
    """How many, up to ``cap`` (the inbox shows "1000+")."""
    return qs.order_by().values("id")[:cap].count()


def view_counts(scope: Scope, user: User, data: dict[str, Any],
                views: tuple[str, ...] = ("open", "mine", "unassigned", "at_risk", "pending",
                                          "snoozed")) -> dict[str, int]:
    base = apply_filters(base_queryset(scope), data, user)
    return {v: capped_count(apply_view(base, v, user)) for v in views}
