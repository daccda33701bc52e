"""The database-free half of ingest: an item becomes what will be stored, understood and matched.

`prepare()` turns validated items into :class:`Prepared` records: plain values in the shape
the store writes, with the text models' reading and the ids of the queries that match. It
needs no database, so an import can run it in worker processes while the main process
writes (see :mod:`tertulia.listening.parallel`); `pipeline.ingest` runs it in-process.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any, Protocol

from tertulia.listening.countries import alpha3
from tertulia.listening.query import (
    MatchDocument,
    Matcher,
    QuerySyntaxError,
    compile_queries,
    parse,
)
from tertulia.networks.items import NetworkItem, http_host


class _Matcher(Protocol):
    def match_batch(self, docs: Sequence[MatchDocument]) -> list[Any]: ...


@dataclass(slots=True)
class Reading:
    """What the text models say of a post (see `tertulia.nlp.enrich`)."""

    language: str
    sentiment: str
    sentiment_score: float
    flag: str
    flag_confidence: float
    is_spam: bool
    spam_score: float
    is_complaint: bool
    keywords: list[str]

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as a tuple: workers send thousands
        return Reading, _reading_values(self)


@dataclass(slots=True)
class Prepared:
    """One item as the store needs it. `reading` and `hits` are None when the item was
    prepared only to refresh a stored mention (its counts and edits)."""

    network: str
    external_id: str
    kind: str
    thread_id: str
    parent_id: str
    channel: str
    handle: str
    author_name: str
    author_followers: int | None
    author_verified: bool
    author_url: str
    author_location: str
    text: str
    html: str
    title: str
    url: str
    site: str
    created_at: datetime
    country: str
    likes: int
    comments: int
    shares: int
    views: int
    raw_ref: str
    body: str  # what full-text search indexes
    reading: Reading | None = None
    hits: tuple[int, ...] = ()
    # The values of `MENTION_COLUMNS`, ready for the database driver (`stored_values`).
    row: tuple[Any, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as a tuple: workers send thousands
        return Prepared, _prepared_values(self)

    @property
    def key(self) -> tuple[str, str]:
        return self.network, self.external_id

    @property
    def language(self) -> str:
        return self.reading.language if self.reading else ""


_reading_values = attrgetter(*(f.name for f in fields(Reading)))
_prepared_values = attrgetter(*(f.name for f in fields(Prepared)))


def _body(title: str, text: str, handle: str) -> str:
    return " ".join(p for p in (title, text, "@" + handle) if p)


def plain(item: NetworkItem) -> Prepared:
    """The item's own values, before any model has read it."""
    author = item.author
    url = str(item.url or "")
    eng = item.engagement
    title = item.title or ""
    return Prepared(
        network=str(item.network), external_id=item.external_id, kind=str(item.kind),
        thread_id=item.thread_id or "", parent_id=item.parent_id or "",
        channel=item.channel or "", handle=author.handle, author_name=author.name or "",
        author_followers=author.followers, author_verified=bool(author.verified),
        author_url=str(author.profile_url or ""), author_location=author.location or "",
        text=item.text, html=item.html or "", title=title, url=url,
        site=http_host(url).removeprefix("www."), created_at=item.created_at,
        country=alpha3(item.geo.country_code) if item.geo else "",
        likes=eng.likes, comments=eng.comments, shares=eng.shares, views=eng.views,
        raw_ref=item.raw_ref or "", body=_body(title, item.text, author.handle),
    )


def read(prepared: Sequence[Prepared], langs: Sequence[str | None]) -> None:
    """Fill in each record's `reading` from the text models, in one batch."""
    if not prepared:
        return
    from tertulia.nlp import enrich

    hints = [{"lang": lang, "author_handle": p.handle, "followers": p.author_followers}
             for p, lang in zip(prepared, langs, strict=True)]
    for p, nlp in zip(prepared, enrich([p.text or p.title for p in prepared], hints),
                      strict=True):
        p.reading = Reading(nlp.language, nlp.sentiment, nlp.sentiment_score, nlp.flag,
                            nlp.flag_confidence, nlp.is_spam, nlp.spam_score,
                            nlp.is_complaint, list(nlp.keywords)[:10])


def document(p: Prepared) -> MatchDocument:
    """What a query sees of a prepared item."""
    reading = p.reading
    return MatchDocument(
        text=p.text, title=p.title or None, author=p.handle, site=p.site or None,
        url=p.url or None, language=reading.language if reading else None,
        country=p.country or None, network=p.network, kind=p.kind,
        author_followers=p.author_followers, author_verified=p.author_verified,
        sentiment=reading.sentiment if reading else None,
        flag=reading.flag if reading else None, created_at=p.created_at,
    )


def match(prepared: Sequence[Prepared], matcher: _Matcher | None) -> None:
    """Set each record's `hits`: the ids of the queries it matches."""
    if matcher is None or not prepared:
        return
    for p, hits in zip(prepared, matcher.match_batch([document(p) for p in prepared]),
                       strict=True):
        p.hits = tuple(hits)


def prepare(items: Sequence[NetworkItem], matcher: _Matcher | None,
            vendor: str) -> list[Prepared]:
    """Items read by the text models, matched against `matcher`'s queries and with their
    rows ready for the `vendor` database."""
    out = [plain(it) for it in items]
    read(out, [it.lang for it in items])
    match(out, matcher)
    stored_values(out, vendor)
    return out


def matcher_from(queries: Iterable[tuple[int, str]]) -> Matcher | None:
    """One matcher for (query id, query text) pairs; None when none is valid. Saved queries
    were validated when saved: one made invalid by a later grammar change never matches."""
    parsed = {}
    for pk, text in queries:
        try:
            parsed[pk] = parse(text)
        except QuerySyntaxError:
            continue
    return compile_queries(parsed) if parsed else None


# The mention columns a record fills by itself (the store adds the organization, the author
# and its own clock), in the order `stored_values` gives them.
MENTION_COLUMNS = (
    "network", "external_id", "kind", "thread_id", "parent_id", "channel", "text", "html",
    "title", "url", "site", "created_at", "language", "country", "sentiment",
    "sentiment_score", "flag", "flag_confidence", "is_spam", "spam_score", "is_complaint",
    "keywords", "model_sentiment", "model_flag", "likes", "comments", "shares", "views",
    "author_followers", "raw_ref",
)


def sqlite_datetime(value: datetime) -> str:
    """How Django's SQLite backend stores a date-time: naive UTC, "YYYY-MM-DD HH:MM:SS[.f]"
    (a naive value is taken as UTC already)."""
    if value.tzinfo is None:
        return value.isoformat(" ")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ")[:-6]  # without "+00:00"


def stored_values(prepared: Sequence[Prepared], vendor: str) -> None:
    """Set each read record's `row`: its `MENTION_COLUMNS` values as the `vendor`'s driver
    takes them. On SQLite date-times and the keywords' JSON are text; on PostgreSQL the
    keywords stay a list, which the store adapts to JSON."""
    sqlite = vendor == "sqlite"
    for p in prepared:
        r = p.reading
        if r is None:
            continue
        p.row = (
            p.network, p.external_id, p.kind, p.thread_id, p.parent_id, p.channel, p.text,
            p.html, p.title, p.url, p.site,
            sqlite_datetime(p.created_at) if sqlite else p.created_at, r.language, p.country,
            r.sentiment, r.sentiment_score, r.flag, r.flag_confidence, r.is_spam, r.spam_score,
            r.is_complaint, json.dumps(r.keywords) if sqlite else r.keywords, r.sentiment,
            r.flag, p.likes, p.comments, p.shares, p.views, p.author_followers, p.raw_ref,
        )
