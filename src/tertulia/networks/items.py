"""The normalized item every connector, webhook and import produces: ``NetworkItem``.

Decisions worth knowing (also in docs/en/connectors.md):

* ``created_at`` must be timezone-aware; it is converted to UTC. A naive datetime is an
  error, because guessing the zone silently shifts every chart. Callers that *know* the
  zone of naive values (an export documented as UTC) say so: ``item_from_dict(d,
  naive_tz=UTC)``.
* Text longer than ``MAX_TEXT_CHARS`` is an error, never silently cut. A connector that
  deliberately keeps only the start of a long body (a news article) calls ``clip_text``
  and sets ``truncated=True``, so the cut is visible downstream.
* ``html`` is always stored sanitized (see ``sanitize.py``); when only HTML is given, the
  plain ``text`` is derived from it.
* Control characters and lone surrogates are removed from every string: they break
  databases, CSV exports and terminals, and carry no meaning.
* Validation failures raise ``ItemValidationError`` whose ``errors`` name field, value and
  reason; nothing else escapes ``item_from_dict``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Annotated, Any, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .sanitize import html_to_text, sanitize_html

__all__ = [
    "MAX_HTML_CHARS",
    "MAX_TEXT_CHARS",
    "Engagement",
    "FieldError",
    "Geo",
    "ItemAuthor",
    "ItemKind",
    "ItemValidationError",
    "Media",
    "MediaKind",
    "Network",
    "NetworkItem",
    "clip_text",
    "item_from_dict",
    "parse_network",
]

MAX_TEXT_CHARS = 65_536
MAX_HTML_CHARS = 262_144
MAX_TITLE_CHARS = 1_000
MAX_ID_CHARS = 512
MAX_URL_CHARS = 2_048
MAX_MEDIA = 50
MAX_EXTRA_KEYS = 64


class Network(StrEnum):
    """Where an item comes from. Values are stable: they are stored and appear in URLs."""

    BLUESKY = "bluesky"
    DEMO = "demo"
    EMAIL = "email"
    FACEBOOK = "facebook"
    FORUM = "forum"
    IMPORT = "import"
    INSTAGRAM = "instagram"
    LINKEDIN = "linkedin"
    MASTODON = "mastodon"
    OTHER = "other"
    REDDIT = "reddit"
    REVIEW = "review"
    RSS = "rss"
    TIKTOK = "tiktok"
    WEB = "web"
    X = "x"
    YOUTUBE = "youtube"


# Names other tools use for the same networks (export files, older APIs).
_NETWORK_ALIASES: dict[str, Network] = {
    "twitter": Network.X,
    "tw": Network.X,
    "x.com": Network.X,
    "fb": Network.FACEBOOK,
    "ig": Network.INSTAGRAM,
    "yt": Network.YOUTUBE,
    "bsky": Network.BLUESKY,
    "news": Network.RSS,
    "blog": Network.RSS,
    "blogs": Network.RSS,
    "atom": Network.RSS,
    "forums": Network.FORUM,
    "reviews": Network.REVIEW,
    "e-mail": Network.EMAIL,
    "mail": Network.EMAIL,
    "web": Network.WEB,
}


def parse_network(value: object) -> Network:
    """``Network`` for a value such as ``"X"``, ``"twitter"`` or ``"Instagram"``.

    Raises ValueError with the accepted values when it is none of them.
    """
    if isinstance(value, Network):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a network name such as 'x', 'instagram', 'rss'")
    key = value.strip().lower()
    try:
        return Network(key)
    except ValueError:
        pass
    if key in _NETWORK_ALIASES:
        return _NETWORK_ALIASES[key]
    accepted = ", ".join(n.value for n in Network)
    raise ValueError(f"unknown network; use one of: {accepted}")


class ItemKind(StrEnum):
    """What an item is on its network."""

    ARTICLE = "article"
    COMMENT = "comment"
    DM = "dm"
    EMAIL = "email"
    POST = "post"
    REPLY = "reply"
    REVIEW = "review"


_KIND_ALIASES = {
    "direct_message": ItemKind.DM,
    "direct message": ItemKind.DM,
    "message": ItemKind.DM,
    "private_message": ItemKind.DM,
    "e-mail": ItemKind.EMAIL,
    "mail": ItemKind.EMAIL,
    "tweet": ItemKind.POST,
    "status": ItemKind.POST,
    "toot": ItemKind.POST,
    "news": ItemKind.ARTICLE,
    "blog": ItemKind.ARTICLE,
}


class MediaKind(StrEnum):
    AUDIO = "audio"
    FILE = "file"
    IMAGE = "image"
    LINK = "link"
    VIDEO = "video"


# Controls (except tab, newline, carriage return) and lone surrogates.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_ANY_SPACE = re.compile(r"\s")
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_HTTP_NETLOC = re.compile(r"(?i)https?://([^/?#]+)")


def _clean(value: str) -> str:
    return _BAD_CHARS.sub("", value)


def _clean_line(value: str) -> str:
    # Identifiers and names are one line: newlines and tabs become spaces.
    return " ".join(_clean(value).split())


def _http_url(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_URL_CHARS:
        raise ValueError(f"URL longer than {MAX_URL_CHARS} characters")
    if _ANY_SPACE.search(value) or _BAD_CHARS.search(value):
        raise ValueError("URL must not contain spaces or control characters")
    if _HTTP_NETLOC.match(value) is None:
        raise ValueError("must be an absolute http(s) URL, e.g. https://example.com/post/1")
    return value


def http_host(url: str) -> str:
    """The lower-cased host of an http(s) URL (no user, port or IPv6 brackets); "" if none."""
    found = _HTTP_NETLOC.match(url)
    if found is None:
        return ""
    netloc = found.group(1).rpartition("@")[2]
    if netloc.startswith("["):
        return netloc[1:netloc.find("]")].lower()
    return netloc.partition(":")[0].lower()


def _identifier(value: str) -> str:
    value = _clean_line(value)
    if not value:
        raise ValueError("must not be empty")
    if len(value) > MAX_ID_CHARS:
        raise ValueError(f"longer than {MAX_ID_CHARS} characters")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Identifier = Annotated[str, AfterValidator(_identifier)]
Line = Annotated[str, AfterValidator(_clean_line)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ItemAuthor(_Frozen):
    """Who wrote the item, as the network shows them."""

    handle: str = Field(max_length=256)
    name: Line | None = Field(default=None, max_length=512)
    followers: int | None = Field(default=None, ge=0, le=10_000_000_000)
    verified: bool = False
    profile_url: HttpUrl | None = None
    location: Line | None = Field(default=None, max_length=512)
    language: str | None = None
    external_id: Identifier | None = None
    joined_at: datetime | None = None

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str) -> str:
        value = _clean_line(value).lstrip("@").strip()
        if not value:
            raise ValueError("must not be empty (the author's @handle or account name)")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return _lang_tag(value)

    @field_validator("joined_at")
    @classmethod
    def _joined(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc(value)


class Engagement(_Frozen):
    """Counts as the network reported them when fetched; 0 means none reported."""

    likes: int = Field(default=0, ge=0)
    comments: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    views: int = Field(default=0, ge=0)
    saves: int = Field(default=0, ge=0)
    quotes: int = Field(default=0, ge=0)

    @property
    def interactions(self) -> int:
        """Likes + comments + shares + saves + quotes (views are reach, not interaction)."""
        return self.likes + self.comments + self.shares + self.saves + self.quotes


class Media(_Frozen):
    kind: MediaKind = MediaKind.IMAGE
    url: HttpUrl
    alt_text: Line | None = Field(default=None, max_length=2_000)
    mime_type: str | None = Field(default=None, max_length=128)
    width: int | None = Field(default=None, ge=1, le=100_000)
    height: int | None = Field(default=None, ge=1, le=100_000)


class Geo(_Frozen):
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    place: Line | None = Field(default=None, max_length=512)
    country_code: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")

    @field_validator("country_code", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _pair(self) -> Geo:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together: give both or neither")
        return self


def _lang_tag(value: str | None) -> str | None:
    if value is None:
        return None
    tag = value.strip().replace("_", "-").lower()
    if not tag:
        return None
    if not _LANG.match(tag):
        raise ValueError("must be a language code such as 'es', 'en' or 'es-mx'")
    return tag


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("has no time zone; give one (e.g. 2024-05-01T10:00:00Z or +02:00)")
    value = value.astimezone(UTC)
    if not 1990 <= value.year <= 2200:
        raise ValueError("is outside the years 1990–2200")
    return value


class NetworkItem(_Frozen):
    """One post, comment, reply, direct message, review, article or e-mail, normalized.

    Identity is ``(network, external_id)``: the ingest pipeline deduplicates on it, so a
    connector must produce the same ``external_id`` every time it sees the same item.
    """

    network: Network
    external_id: Identifier
    kind: ItemKind = ItemKind.POST
    thread_id: Identifier | None = None
    parent_id: Identifier | None = None
    author: ItemAuthor
    text: str = ""
    html: str | None = None
    title: Line | None = Field(default=None, max_length=MAX_TITLE_CHARS)
    url: HttpUrl | None = None
    created_at: datetime
    lang: str | None = None
    engagement: Engagement = Field(default_factory=Engagement)
    media: tuple[Media, ...] = Field(default=(), max_length=MAX_MEDIA)
    geo: Geo | None = None
    rating: float | None = Field(default=None, ge=0, le=5)
    channel: Line | None = Field(default=None, max_length=MAX_ID_CHARS)
    raw_ref: Line | None = Field(default=None, max_length=MAX_ID_CHARS)
    truncated: bool = False
    extra: dict[str, str | int | float | bool | None] = Field(default_factory=dict)

    @field_validator("network", mode="before")
    @classmethod
    def _network(cls, value: object) -> Network:
        return parse_network(value)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> object:
        if isinstance(value, str):
            key = value.strip().lower()
            return _KIND_ALIASES.get(key, key)
        return value

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        value = _clean(value)
        if len(value) > MAX_TEXT_CHARS:
            raise ValueError(
                f"is {len(value)} characters; the limit is {MAX_TEXT_CHARS} "
                "(split it, or clip it deliberately and set truncated)"
            )
        return value

    @field_validator("html")
    @classmethod
    def _html(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if len(value) > MAX_HTML_CHARS:
            raise ValueError(f"is {len(value)} characters; the limit is {MAX_HTML_CHARS}")
        return sanitize_html(_clean(value)) or None

    @field_validator("created_at")
    @classmethod
    def _created(cls, value: datetime) -> datetime:
        return _utc(value)

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str | None) -> str | None:
        return _lang_tag(value)

    @field_validator("extra")
    @classmethod
    def _extra(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > MAX_EXTRA_KEYS:
            raise ValueError(f"has {len(value)} keys; the limit is {MAX_EXTRA_KEYS}")
        for key, item in value.items():
            if len(key) > 64:
                raise ValueError(f"key {key[:70]!r} is longer than 64 characters")
            if isinstance(item, str) and len(item) > 1_024:
                raise ValueError(f"value of {key!r} is longer than 1024 characters")
        return value

    @model_validator(mode="after")
    def _derive(self) -> NetworkItem:
        if not self.text.strip() and self.html:
            derived = html_to_text(self.html)
            if len(derived) > MAX_TEXT_CHARS:
                derived, _ = clip_text(derived)
                object.__setattr__(self, "truncated", True)
            object.__setattr__(self, "text", derived)
        if not self.text.strip() and not self.media and not self.title:
            raise ValueError("an item needs text, html, a title or media; all are empty")
        if self.parent_id is not None and self.kind == ItemKind.POST:
            # A post with a parent is a reply: say so, so threading does not depend on kind.
            object.__setattr__(self, "kind", ItemKind.REPLY)
        return self

    def __hash__(self) -> int:  # identity, consistent with equality (equal items share it)
        return hash((self.network, self.external_id))

    @property
    def key(self) -> tuple[str, str]:
        """The deduplication key ``(network, external_id)``."""
        return (self.network.value, self.external_id)


def clip_text(text: str, limit: int = MAX_TEXT_CHARS) -> tuple[str, bool]:
    """Cut ``text`` to at most ``limit`` characters at a word boundary; say if it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text[: limit - 1]
    space = cut.rfind(" ", max(0, limit - 200))
    if space > 0:
        cut = cut[:space]
    return cut.rstrip() + "…", True


class FieldError(NamedTuple):
    """One problem with one field: which field, the value found, and why it is refused."""

    field: str
    value: object
    reason: str

    def message(self) -> str:
        return f"{self.field} = {_preview(self.value)}: {self.reason}"


class ItemValidationError(ValueError):
    """An item could not be built; ``errors`` lists every field at fault."""

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(e.message() for e in self.errors) or "invalid item")


def _preview(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Placeholder:
    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return self.label


_MISSING: Any = _Placeholder("(missing)")
_WHOLE: Any = _Placeholder("(whole item)")

# Flat corpus/export keys -> nested path inside NetworkItem.
FLAT_FIELDS: dict[str, tuple[str, str]] = {
    "author_handle": ("author", "handle"),
    "author_name": ("author", "name"),
    "author_followers": ("author", "followers"),
    "author_verified": ("author", "verified"),
    "author_profile_url": ("author", "profile_url"),
    "author_location": ("author", "location"),
    "author_language": ("author", "language"),
    "author_id": ("author", "external_id"),
    "author_joined_at": ("author", "joined_at"),
    "likes": ("engagement", "likes"),
    "comments": ("engagement", "comments"),
    "shares": ("engagement", "shares"),
    "views": ("engagement", "views"),
    "saves": ("engagement", "saves"),
    "quotes": ("engagement", "quotes"),
    "lat": ("geo", "lat"),
    "lon": ("geo", "lon"),
    "place": ("geo", "place"),
    "country_code": ("geo", "country_code"),
}
_TOP_ALIASES = {"lang_hint": "lang", "language": "lang", "id": "external_id"}
_FIELDS = frozenset(NetworkItem.model_fields)


_FRIENDLY_REASONS = {
    "datetime_parsing": "is not a date-time; use ISO 8601, e.g. 2024-05-01T10:00:00Z",
    "datetime_from_date_parsing": "is not a date-time; use ISO 8601, e.g. 2024-05-01T10:00:00Z",
    "datetime_type": "is not a date-time; use ISO 8601, e.g. 2024-05-01T10:00:00Z",
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "int_type": "is not a whole number",
    "bool_parsing": "is not true or false",
    "string_type": "must be text",
    "float_parsing": "is not a number",
}


def _reason(error: Mapping[str, Any]) -> str:
    msg = str(error.get("msg", "invalid"))
    kind = error.get("type")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    friendly = _FRIENDLY_REASONS.get(str(kind))
    if friendly:
        return friendly
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg[:1].lower() + msg[1:]


def _wrap(exc: ValidationError, data: Any, renames: Mapping[str, str]) -> ItemValidationError:
    errors = []
    for error in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in error.get("loc", ()))
        field = renames.get(loc, loc) or "item"
        value = _MISSING if error.get("type") == "missing" else error.get("input")
        if loc == "":
            value = _WHOLE
        errors.append(FieldError(field, value, _reason(error)))
    return ItemValidationError(errors)


def _with_tz(value: object, naive_tz: tzinfo) -> object:
    """Attach ``naive_tz`` to naive datetimes (and ISO strings without an offset)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=naive_tz) if value.tzinfo is None else value
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return value
        return parsed.replace(tzinfo=naive_tz) if parsed.tzinfo is None else parsed
    return value


def _renames(data: Mapping[str, Any], groups: Mapping[str, Any]) -> dict[str, str]:
    """Field path → the key the caller wrote, for error messages (built only on error)."""
    renames: dict[str, str] = {}
    for raw_key in data:
        if isinstance(raw_key, str):
            key = _TOP_ALIASES.get(raw_key, raw_key)
            if key in _FIELDS and key != raw_key:
                renames[key] = raw_key
    # Errors inside a group built from flat keys are reported under the flat names.
    for flat, (group, sub) in FLAT_FIELDS.items():
        if group in groups:
            renames[f"{group}.{sub}"] = flat
    if "author" not in data and "author" not in groups and "author_handle" not in data:
        renames.setdefault("author", "author_handle")
    return renames


def item_from_dict(data: object, *, naive_tz: tzinfo | None = None) -> NetworkItem:
    """Build a validated ``NetworkItem`` from a nested or a flat mapping.

    Flat keys as in the corpus/export format are accepted (``author_handle``,
    ``author_followers``, ``lang_hint``, ``likes`` …, see ``FLAT_FIELDS``); keys that are
    neither are ignored, so vendor exports with extra columns still load. Errors name the
    key as the caller wrote it (``author_followers``, not ``author.followers``).

    ``naive_tz``: zone assumed for ``created_at`` values without one; None (the default)
    makes such values an error.

    Raises ``ItemValidationError`` and nothing else.
    """
    if not isinstance(data, Mapping):
        raise ItemValidationError([FieldError("item", data, "must be an object with fields")])
    nested: dict[str, Any] = {}
    groups: dict[str, dict[str, Any]] = {}
    for raw_key, value in data.items():
        if not isinstance(raw_key, str):
            continue
        key = _TOP_ALIASES.get(raw_key, raw_key)
        if key in _FIELDS:
            if key in nested and key == "lang":
                continue  # an explicit "lang" wins over "lang_hint"
            nested[key] = value
        elif raw_key in FLAT_FIELDS:
            group, sub = FLAT_FIELDS[raw_key]
            if value is None or value == "":
                continue
            groups.setdefault(group, {})[sub] = value
    for group, values in groups.items():
        base = nested.get(group)
        if base is None:
            nested[group] = values
        elif isinstance(base, Mapping):
            nested[group] = {**values, **base}
    if naive_tz is not None and "created_at" in nested:
        nested["created_at"] = _with_tz(nested["created_at"], naive_tz)
    try:
        return NetworkItem.model_validate(nested)
    except ValidationError as exc:
        raise _wrap(exc, data, _renames(data, groups)) from None
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        # Defensive: pydantic wraps our validators' errors, but odd inputs should still
        # come back as our error type rather than crash an import.
        raise ItemValidationError([FieldError("item", _WHOLE, str(exc))]) from None
