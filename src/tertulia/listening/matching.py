"""The compiled matcher of an organization's active queries, rebuilt when they change."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from tertulia.listening.models import Query
from tertulia.listening.prepare import matcher_from
from tertulia.listening.query import Matcher


@dataclass(frozen=True)
class CompiledQueries:
    version: tuple[int, object]
    matcher: Matcher
    brands: dict[int, int]


_cache: dict[int, CompiledQueries] = {}
_lock = threading.Lock()


def query_version(org: Any) -> tuple[int, object]:
    """Changes whenever one of the organization's queries is saved, added or deleted."""
    stats = Query.objects.filter(brand__organization=org).aggregate(n=Count("id"),
                                                                     at=Max("updated_at"))
    return stats["n"], stats["at"]


def active_queries(org: Any) -> list[tuple[int, str, int]]:
    """(id, text, brand id) of the organization's active queries."""
    return list(Query.objects.filter(brand__organization=org, is_active=True).values_list(
        "id", "text", "brand_id"))


def matcher_for(org: Any) -> CompiledQueries | None:
    """The organization's matcher; compiled once and reused until a query changes."""
    version = query_version(org)
    cached = _cache.get(org.id)
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        rows = active_queries(org)
        matcher = matcher_from((pk, text) for pk, text, _brand in rows)
        if matcher is None:
            return None
        compiled = CompiledQueries(version, matcher, {pk: brand for pk, _t, brand in rows})
        _cache[org.id] = compiled
        return compiled
