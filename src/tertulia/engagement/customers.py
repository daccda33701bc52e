"""The reading side of customer records: a customer's lifetime history and the merge
suggestions around them. Matching itself is pure (``customer_match``); this module only
gathers the few candidate rows it needs from the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from tertulia.engagement import customer_match as match
from tertulia.engagement.models import Conversation, Customer
from tertulia.governance.models import Organization

SUGGESTION_LIMIT = 200
_SCAN_LIMIT = 20_000  # rows read for the organization-wide list; the page says so past it


def keys_of(c: Customer) -> match.CustomerKeys:
    return match.CustomerKeys(id=c.id, name=c.name, email=c.email, website=c.website,
                              bio_links=tuple(c.bio_links or ()))


def live_customers(org: Organization, brand_ids: list[int] | None) -> QuerySet[Customer]:
    """Customers not merged away, seen on ``brand_ids`` (None: any brand)."""
    qs = Customer.objects.filter(organization=org, merged_into=None)
    if brand_ids is not None:
        qs = qs.filter(id__in=Conversation.objects.filter(
            organization=org, brand_id__in=brand_ids).values("customer_id"))
    return qs


def _hosts(c: Customer) -> list[str]:
    sites = [match.normalise_site(x) for x in [c.website, *(c.bio_links or [])]]
    return sorted({s.split("/", 1)[0] for s in sites if s})


def candidates_for(customer: Customer, brand_ids: list[int] | None) -> list[Customer]:
    """Rows that could match ``customer`` (a superset; ``customer_match`` decides)."""
    q = Q()
    if match.normalise_email(customer.email):
        q |= Q(email__iexact=customer.email.strip())
    if customer.name_key:
        q |= Q(name_key=customer.name_key)
    hosts = _hosts(customer)
    for host in hosts:
        q |= Q(website__icontains=host) | Q(bio_text__icontains=host)
    if not q:
        return []
    qs = (live_customers(customer.organization, brand_ids)
          .annotate(bio_text=Cast("bio_links", TextField())).filter(q)
          .exclude(id=customer.id))
    return list(qs[:200])


@dataclass(frozen=True)
class SuggestionRow:
    a: Customer
    b: Customer
    reasons: tuple[str, ...]


def suggestions_for(customer: Customer, brand_ids: list[int] | None) -> list[SuggestionRow]:
    others = candidates_for(customer, brand_ids)
    found = match.suggestions_for(customer.id, [keys_of(customer), *map(keys_of, others)])
    by_id = {c.id: c for c in [customer, *others]}
    return [SuggestionRow(by_id[s.a], by_id[s.b], s.reasons) for s in found]


def org_suggestions(org: Organization, brand_ids: list[int] | None,
                    limit: int = SUGGESTION_LIMIT) -> tuple[list[SuggestionRow], bool]:
    """Suggestions across the organization's customers; True when the scan was cut short."""
    rows = (live_customers(org, brand_ids)
            .only("id", "name", "email", "website", "bio_links").order_by("-last_seen_at"))
    sample = list(rows[:_SCAN_LIMIT + 1])
    truncated = len(sample) > _SCAN_LIMIT
    sample = sample[:_SCAN_LIMIT]
    found = match.suggest(keys_of(c) for c in sample)[:limit]
    ids: set[int] = {i for s in found for i in (s.a, s.b)}
    by_id = {c.id: c for c in Customer.objects.filter(id__in=ids)}
    return [SuggestionRow(by_id[s.a], by_id[s.b], s.reasons) for s in found], truncated


def conversations_of(customer: Customer, brand_ids: list[int] | None
                     ) -> QuerySet[Conversation]:
    """The customer's lifetime history: every conversation on brands the person may see,
    newest first, with its brand and team (the team's department)."""
    qs = Conversation.objects.filter(customer=customer)
    if brand_ids is not None:
        qs = qs.filter(brand_id__in=brand_ids)
    return qs.select_related("brand", "team", "assignee").order_by("-last_message_at", "-id")


def departments(conversations: Iterable[Conversation]) -> dict[str, int]:
    """How many conversations each department (the team's kind) handled."""
    out: dict[str, int] = {}
    for c in conversations:
        label = str(c.team.get_kind_display()) if c.team else ""
        if label:
            out[label] = out.get(label, 0) + 1
    return out
