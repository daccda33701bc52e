"""``MatchDocument``: everything a query can look at in one mention.

A plain slotted dataclass so the matcher reads attributes at C speed; ``from_dict``
builds one from a corpus line or an ingested item (unknown keys are ignored, missing
ones stay ``None`` and simply never match a field).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

__all__ = ["MatchDocument"]


@dataclass(slots=True)
class MatchDocument:
    """One mention as the query language sees it.

    ``text`` is the searchable body. ``site`` is the host (``twitter.com``); when absent
    it is taken from ``url``. ``country`` is ISO 3166-1 alpha-3, ``language`` ISO 639-1.
    ``minute_of_day`` (UTC, 0–1439) is derived from ``created_at`` when not given.
    List-valued fields (``links``, ``tags``, ``brand_ids``, ``object_ids``) become tuples
    of strings. The pipeline may construct it directly or through ``from_dict``.
    """

    text: str = ""
    title: str | None = None
    author: str | None = None
    site: str | None = None
    url: str | None = None
    links: tuple[str, ...] = ()
    language: str | None = None
    country: str | None = None
    continent: str | None = None
    region: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    channel_id: str | None = None
    network: str | None = None
    kind: str | None = None
    engagement_type: str | None = None
    engaging_with: str | None = None
    engaging_with_guid: str | None = None
    guid: str | None = None
    author_followers: int | None = None
    author_verified: bool | None = None
    author_verified_type: str | None = None
    author_gender: str | None = None
    blog_name: str | None = None
    parent_blog_name: str | None = None
    root_blog_name: str | None = None
    parent_post_id: str | None = None
    root_post_id: str | None = None
    tags: tuple[str, ...] = ()
    brand_ids: tuple[str, ...] = ()
    object_ids: tuple[str, ...] = ()
    image_type: str | None = None
    item_review: str | None = None
    rating: float | None = None
    minute_of_day: int | None = None
    pub_type: str | None = None
    publisher_sub_type: str | None = None
    publication: str | None = None
    reddit_author_flair: str | None = None
    reddit_post_flair: str | None = None
    reddit_spoiler: bool | None = None
    sensitive_content: bool | None = None
    subreddit: str | None = None
    subreddit_nsfw: bool | None = None
    subreddit_topics: str | None = None
    weblog_title: str | None = None
    sentiment: str | None = None
    flag: str | None = None
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        # Derived values are filled here, so direct construction and ``from_dict`` agree.
        if self.text is None:
            self.text = ""
        for key in ("links", "tags", "brand_ids", "object_ids"):
            value = getattr(self, key)
            if isinstance(value, str):
                value = (value,)
            setattr(self, key, tuple(str(x) for x in value) if value else ())
        created = self.created_at
        if isinstance(created, str):
            try:
                created = datetime.fromisoformat(created.replace("Z", "+00:00"))
            except ValueError:
                created = None
            self.created_at = created
        if self.site is None and self.url:
            self.site = urlsplit(self.url if "//" in self.url else "//" + self.url).hostname
        if self.minute_of_day is None and created is not None:
            offset = created.utcoffset() if created.tzinfo is not None else None
            utc = created - offset if offset else created
            self.minute_of_day = utc.hour * 60 + utc.minute

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatchDocument:
        """Build from a mapping with attribute names (plus corpus aliases); other keys are
        ignored. Aliases: ``author_handle`` → ``author``, ``lang``/``lang_hint`` →
        ``language``. ``created_at`` may be a ``datetime`` or an ISO 8601 string.
        """
        kw = {k: v for k, v in data.items() if k in _FIELD_NAMES}
        if kw.get("author") is None:
            kw["author"] = data.get("author_handle")
        if kw.get("language") is None:
            kw["language"] = data.get("lang") or data.get("lang_hint")
        return cls(**kw)


_FIELD_NAMES = frozenset(f.name for f in fields(MatchDocument))
