"""The compiled matcher of an organization's active queries, rebuilt when they change."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from tertulia.listening.models import Query
from tertulia.listening.query import Matcher, QuerySyntaxError, compile_queries, parse


@dataclass(frozen=True)
class CompiledQueries:
    version: tuple[int, object]
    matcher: Matcher
    brands: dict[int, int]


_cache: dict[int, CompiledQueries] = {}
_lock = threading.Lock()


def _version(org: Any) -> tuple[int, object]:
    stats = Query.objects.filter(brand__organization=org).aggregate(n=Count("id"),
                                                                     at=Max("updated_at"))
    return stats["n"], stats["at"]


def matcher_for(org: Any) -> CompiledQueries | None:
    """The organization's matcher; compiled once and reused until a query changes."""
    version = _version(org)
    cached = _cache.get(org.id)
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        rows = list(Query.objects.filter(brand__organization=org, is_active=True).values_list(
            "id", "text", "brand_id"))
        parsed = {}
        for pk, text, _brand in rows:
            try:
                parsed[pk] = parse(text)
            except QuerySyntaxError:
                continue  # saved queries are validated; a stale invalid one just never matches
        if not parsed:
            return None
        compiled = CompiledQueries(version, compile_queries(parsed),
                                   {pk: brand for pk, _t, brand in rows})
        _cache[org.id] = compiled
        return compiled
