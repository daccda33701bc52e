"""Walk the URL configuration: every route, its name, view and declared permission."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Routes owned by libraries that enforce their own access rules.
LIBRARY_PREFIXES = ("allauth.", "ninja.")


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    view: Any

    @property
    def permission(self) -> Any:
        return getattr(self.view, "required_permission", None)

    @property
    def post_only(self) -> bool:
        return bool(getattr(self.view, "post_only", False))


def walk(patterns: Any = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield Route(prefix + str(entry.pattern), name, entry.callback)


def own_routes() -> list[Route]:
    """Web routes; the API's operations are checked by tests/api."""
    return [
        r for r in walk()
        if not getattr(r.view, "__module__", "").startswith(LIBRARY_PREFIXES)
        and not r.pattern.startswith("api/")
    ]
