"""feedparser entry -> ``NetworkItem`` of kind ``article``.

* ``external_id``: the entry's id (``<guid>``/``<id>``) when it is globally unique (a URL,
  a ``tag:`` or ``urn:`` URI); otherwise (a bare number, say) the id, or the link, is
  hashed together with the feed URL, so two feeds that both number their posts "1", "2"…
  do not collide. Entries with neither id nor link get a hash of title and date. The
  same entry always maps to the same id.
* ``author``: the site is the author of record (handle = the site's domain) so reach and
  influence roll up by outlet; the byline goes in ``author.name``.
* ``html``: the full content when the feed has it, else the summary; sanitized by
  ``NetworkItem``. Text longer than the limit is clipped and flagged ``truncated``.
* ``created_at``: published, else updated, else the fetch time (injected).
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ..items import (
    MAX_HTML_CHARS,
    ItemKind,
    ItemValidationError,
    Media,
    MediaKind,
    Network,
    NetworkItem,
    clip_text,
    item_from_dict,
)
from ..sanitize import html_to_text

__all__ = ["entry_external_id", "entry_to_item", "map_entries"]

_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_GLOBAL_ID = re.compile(r"^(https?://|tag:|urn:)", re.IGNORECASE)


def entry_external_id(entry: Mapping[str, Any], feed_url: str) -> str:
    """A stable, collision-resistant id for a feed entry."""
    raw_id = str(entry.get("id") or "").strip()
    link = str(entry.get("link") or "").strip()
    if raw_id and _GLOBAL_ID.match(raw_id) and len(raw_id) <= 400:
        return raw_id
    basis = raw_id or link
    if not basis:
        basis = f"{entry.get('title', '')}\x1f{entry.get('published', entry.get('updated', ''))}"
    digest = hashlib.sha256(f"{feed_url}\x1f{basis}".encode()).hexdigest()[:40]
    return f"feed:{digest}"


def _lang(value: object) -> str | None:
    # Feeds write "en-US", "es_ES" or even "English"; keep only what is a language tag.
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").lower()
    return tag if _LANG.match(tag) else None


def _when(entry: Mapping[str, Any], fallback: datetime) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                # feedparser gives UTC struct_time; timegm reads it as UTC.
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, TypeError, OSError):
                continue
    return fallback


def _domain(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _http(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    url = url.strip()
    if url.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in url):
        return url
    return None


def _media(entry: Mapping[str, Any]) -> tuple[Media, ...]:
    found: list[Media] = []
    candidates = list(entry.get("media_content") or []) + list(entry.get("enclosures") or [])
    for candidate in candidates[:10]:
        if not isinstance(candidate, Mapping):
            continue
        url = _http(candidate.get("url") or candidate.get("href"))
        mime = str(candidate.get("type") or "")
        if url is None:
            continue
        kind = MediaKind.FILE
        for prefix, media_kind in (
            ("image/", MediaKind.IMAGE),
            ("video/", MediaKind.VIDEO),
            ("audio/", MediaKind.AUDIO),
        ):
            if mime.startswith(prefix) or candidate.get("medium") == prefix[:-1]:
                kind = media_kind
        try:
            found.append(Media(kind=kind, url=url, mime_type=mime[:128] or None))
        except ValueError:
            continue  # a bad enclosure must not lose the article
    return tuple(found)


def entry_to_item(
    entry: Mapping[str, Any],
    *,
    feed_url: str,
    feed: Mapping[str, Any],
    fetched_at: datetime,
) -> NetworkItem:
    """Map one entry; raises ``ItemValidationError`` when it cannot make a valid item."""
    contents = entry.get("content") or []
    html = ""
    lang = None
    if contents and isinstance(contents[0], Mapping):
        html = str(contents[0].get("value") or "")
        lang = contents[0].get("language")
    if not html:
        html = str(entry.get("summary") or "")
    lang = _lang(lang) or _lang(entry.get("language")) or _lang(feed.get("language"))
    text, truncated = clip_text(html_to_text(html)) if html else ("", False)
    if len(html) > MAX_HTML_CHARS:
        html = ""  # keep the words (clipped text), drop markup too large to store
        truncated = True
    site_url = _http(feed.get("link")) or feed_url
    link = _http(entry.get("link"))
    byline = entry.get("author") or (entry.get("author_detail") or {}).get("name")
    data: dict[str, Any] = {
        "network": Network.RSS,
        "external_id": entry_external_id(entry, feed_url),
        "kind": ItemKind.ARTICLE,
        "author": {
            "handle": _domain(site_url) or _domain(feed_url) or "feed",
            "name": (str(byline)[:500] if byline else None) or feed.get("title") or None,
            "profile_url": site_url,
        },
        "title": (str(entry.get("title") or "")[:1000] or None),
        "text": text,
        "html": html or None,
        "url": link,
        "created_at": _when(entry, fetched_at),
        "lang": lang,
        "media": _media(entry),
        "channel": feed_url[:500],
        "raw_ref": f"rss:{feed_url}"[:500],
        "truncated": truncated,
    }
    return item_from_dict(data)


def map_entries(
    entries: tuple[Mapping[str, Any], ...] | list[Mapping[str, Any]],
    *,
    feed_url: str,
    feed: Mapping[str, Any],
    fetched_at: datetime,
) -> tuple[list[NetworkItem], list[tuple[int, ItemValidationError]]]:
    """Map every entry; return the items and, for each entry refused, its index and error."""
    items: list[NetworkItem] = []
    errors: list[tuple[int, ItemValidationError]] = []
    for index, entry in enumerate(entries):
        try:
            items.append(entry_to_item(entry, feed_url=feed_url, feed=feed, fetched_at=fetched_at))
        except ItemValidationError as exc:
            errors.append((index, exc))
    return items, errors
