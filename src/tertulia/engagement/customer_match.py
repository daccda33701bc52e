"""Which customer records are probably the same person: merge suggestions. No Django.

Two records are suggested for merging when they share, after normalising:

* ``email``: the same e-mail address (case-insensitive, surrounding spaces ignored);
* ``website``: the same site (scheme, ``www.``, trailing slash, query and fragment ignored);
* ``bio_link``: a link in one record's bio is the other's website or one of its bio links;
* ``name``: the same full name of at least two words (case, accents and spacing ignored).
  One-word names ("Ana") are too common to suggest anything.

A person decides; nothing here merges. Suggestions are ordered strongest first (more
reasons, then e-mail before website before bio link before name), then by ids.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = [
    "REASONS",
    "CustomerKeys",
    "Suggestion",
    "normalise_email",
    "normalise_name",
    "normalise_site",
    "suggest",
    "suggestions_for",
]

REASONS = ("email", "website", "bio_link", "name")
_STRENGTH = {r: i for i, r in enumerate(REASONS)}
MAX_GROUP = 50  # a key shared by more records than this (a generic name) suggests nothing


@dataclass(frozen=True, slots=True)
class CustomerKeys:
    """What matching reads of one customer record."""

    id: int
    name: str = ""
    email: str = ""
    website: str = ""
    bio_links: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """``a`` < ``b`` (ids) look like the same person, for ``reasons`` (in ``REASONS`` order)."""

    a: int
    b: int
    reasons: tuple[str, ...]

    def other(self, customer_id: int) -> int:
        return self.b if customer_id == self.a else self.a


def normalise_email(value: str) -> str:
    value = value.strip().casefold()
    return value if "@" in value.strip("@") else ""


def normalise_name(value: str) -> str:
    """Lower case, accents removed, words separated by one space; "" under two words."""
    plain = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    return " ".join(words) if len(words) >= 2 else ""


def normalise_site(value: str) -> str:
    """``https://www.Example.com/shop/?utm=1`` → ``example.com/shop``; "" if not a site."""
    value = value.strip()
    if not value:
        return ""
    if "://" not in value:
        value = "http://" + value
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    host = (parts.hostname or "").casefold().removeprefix("www.")
    if "." not in host:
        return ""
    path = parts.path.rstrip("/")
    return host + path


def _keys(c: CustomerKeys) -> dict[str, set[str]]:
    site = normalise_site(c.website)
    links = {s for s in (normalise_site(x) for x in c.bio_links) if s}
    return {
        "email": {e} if (e := normalise_email(c.email)) else set(),
        "name": {n} if (n := normalise_name(c.name)) else set(),
        # a site matches another record's site or bio links, and the other way round
        "site": {site} if site else set(),
        "links": links - ({site} if site else set()),
    }


def suggest(customers: Iterable[CustomerKeys]) -> list[Suggestion]:
    """Every pair among ``customers`` that looks like one person (see the module doc)."""
    groups: dict[tuple[str, str], set[int]] = {}
    for c in customers:
        keys = _keys(c)
        for kind, values in keys.items():
            for k in values:
                groups.setdefault((kind, k), set()).add(c.id)
    pairs: dict[tuple[int, int], set[str]] = {}

    def add(ids: set[int], reason: str, with_ids: set[int] | None = None) -> None:
        others = ids if with_ids is None else with_ids
        if len(ids) > MAX_GROUP or len(others) > MAX_GROUP:
            return
        for a in ids:
            for b in others:
                if a != b:
                    pairs.setdefault((min(a, b), max(a, b)), set()).add(reason)

    for (kind, key), ids in groups.items():
        if kind == "email":
            add(ids, "email")
        elif kind == "name":
            add(ids, "name")
        elif kind == "site":
            add(ids, "website")
        else:  # a bio link: the same link in another bio, or another record's website
            add(ids, "bio_link", ids | groups.get(("site", key), set()))
    out = [Suggestion(a, b, tuple(sorted(reasons, key=_STRENGTH.__getitem__)))
           for (a, b), reasons in pairs.items()]
    out.sort(key=lambda s: (-len(s.reasons), _STRENGTH[s.reasons[0]], s.a, s.b))
    return out


def suggestions_for(customer_id: int, candidates: Iterable[CustomerKeys]) -> list[Suggestion]:
    """The suggestions involving ``customer_id`` (``candidates`` must include it)."""
    return [s for s in suggest(candidates) if customer_id in (s.a, s.b)]
