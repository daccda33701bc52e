"""The registry of query fields: every field Brandwatch documents, plus tertulia's own.

One ``FieldSpec`` per field says what values it takes (and validates them at parse time,
so a typo is an error in the editor, not a silent empty result), which ``MatchDocument``
attribute it reads, and how a value is compared. The documentation page is generated
from this table, so a field is documented the moment it is registered.

Matching rules by kind:

* ``text`` — the value is a normal sub-query (words, phrases, wildcards, groups) run over
  that text, e.g. ``title:"apple juice"``.
* ``keyword`` — whole-value comparison, case- and accent-insensitive, ``*``/``?``
  allowed; for ``author:`` a leading ``@`` is ignored and ``.`` equals a space.
* ``domain`` — the site or any of its subdomains (``site:bbc.co.uk`` finds
  ``news.bbc.co.uk``); ``www.`` is ignored.
* ``url`` — the address (without scheme and ``www.``) starts with the value, also after a
  subdomain.
* ``enum``, ``boolean``, ``integer``, ``number``, ``id``, ``language``, ``country``,
  ``location`` — validated values compared exactly; numbers also take ranges
  ``[low TO high]`` where ``*`` leaves an end open.

A document whose attribute is missing (``None``) never matches a field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .codes import ISO_639_1, ISO_3166_ALPHA3
from .text import fold

__all__ = ["FIELDS", "FieldKind", "FieldSpec", "InvalidValue", "lookup_field"]


class FieldKind(StrEnum):
    TEXT = "text"
    KEYWORD = "keyword"
    DOMAIN = "domain"
    TLD = "tld"
    URL = "url"
    ENUM = "enum"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    NUMBER = "number"
    ID = "id"
    LANGUAGE = "language"
    COUNTRY = "country"
    LOCATION = "location"


class InvalidValue(ValueError):
    """A field value that the field does not accept; carries what it expects (en/es)."""

    def __init__(self, expected_en: str, expected_es: str) -> None:
        super().__init__(expected_en)
        self.expected_en = expected_en
        self.expected_es = expected_es


@dataclass(frozen=True)
class FieldSpec:
    """One field: its name as typed, value kind, document attribute and documentation."""

    name: str
    kind: FieldKind
    attr: str
    example: str
    description_en: str
    description_es: str
    origin: str = "brandwatch"
    choices: tuple[str, ...] = ()
    # Brandwatch documents some enumerations as case-sensitive (engagementType:COMMENT).
    case_sensitive: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    pattern_en: str = ""
    pattern_es: str = ""
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def takes_range(self) -> bool:
        return self.kind in (FieldKind.INTEGER, FieldKind.NUMBER)

    @property
    def allows_wildcards(self) -> bool:
        return self.kind is FieldKind.KEYWORD

    # -- validation (parse time) ---------------------------------------------------------

    def expected(self) -> tuple[str, str]:
        """What the field accepts, in English and Spanish (used in errors and docs)."""
        k = self.kind
        if k is FieldKind.ENUM:
            vals = ", ".join(self.choices)
            return f"Use one of: {vals}", f"Usa uno de: {vals}"
        if k is FieldKind.BOOLEAN:
            return "Use true or false", "Usa true o false"
        if k in (FieldKind.INTEGER, FieldKind.NUMBER):
            lo = _fmt(self.minimum)
            hi = _fmt(self.maximum)
            what_en = "a whole number" if k is FieldKind.INTEGER else "a number"
            what_es = "un número entero" if k is FieldKind.INTEGER else "un número"
            bounds_en = bounds_es = ""
            if lo and hi:
                bounds_en, bounds_es = f" from {lo} to {hi}", f" de {lo} a {hi}"
            elif lo:
                bounds_en, bounds_es = f" of at least {lo}", f" de al menos {lo}"
            return (
                f"Use {what_en}{bounds_en}, or a range such as {self.example.split(':', 1)[1]}",
                f"Usa {what_es}{bounds_es}, o un rango como {self.example.split(':', 1)[1]}",
            )
        if k is FieldKind.LANGUAGE:
            return (
                "Use a two-letter ISO 639-1 code such as en or es",
                "Usa un código ISO 639-1 de dos letras como en o es",
            )
        if k is FieldKind.COUNTRY:
            return (
                "Use a three-letter ISO 3166 code such as gbr, esp or mex",
                "Usa un código ISO 3166 de tres letras como gbr, esp o mex",
            )
        if self.pattern_en:
            return self.pattern_en, self.pattern_es
        return f"Use a value such as {self.example}", f"Usa un valor como {self.example}"

    def check_value(self, raw: str) -> str:
        """Normalised form of a single value, or ``InvalidValue``."""
        v = raw.strip()
        k = self.kind
        if not v:
            raise InvalidValue(*self.expected())
        if k is FieldKind.ENUM:
            if self.case_sensitive:
                if v in self.choices:
                    return v
            else:
                low = v.lower()
                low = self.aliases.get(low, low)
                if low in self.choices:
                    return low
            raise InvalidValue(*self.expected())
        if k is FieldKind.BOOLEAN:
            if v in ("true", "false"):
                return v
            raise InvalidValue(*self.expected())
        if k in (FieldKind.INTEGER, FieldKind.NUMBER):
            self.check_number(v)
            return v
        if k is FieldKind.LANGUAGE:
            if v.lower() in ISO_639_1:
                return v.lower()
            raise InvalidValue(*self.expected())
        if k is FieldKind.COUNTRY:
            if v.lower() in ISO_3166_ALPHA3:
                return v.lower()
            raise InvalidValue(*self.expected())
        if self.pattern and not re.fullmatch(self.pattern, v):
            raise InvalidValue(*self.expected())
        in_country = v.split(".", 1)[0].lower() in ISO_3166_ALPHA3
        if k is FieldKind.LOCATION and self.name in ("region", "city") and not in_country:
            raise InvalidValue(*self.expected())
        if not self.allows_wildcards and ("*" in v or "?" in v) and k is not FieldKind.URL:
            raise InvalidValue(*self.expected())
        if k in (FieldKind.DOMAIN, FieldKind.TLD, FieldKind.URL):
            return _strip_url(v)
        if k is FieldKind.KEYWORD:
            return self.normalize_keyword(v)
        if k is FieldKind.LOCATION:
            return v.lower()
        return v

    def check_number(self, v: str) -> float:
        try:
            num = float(v) if self.kind is FieldKind.NUMBER else int(v)
        except ValueError:
            raise InvalidValue(*self.expected()) from None
        if isinstance(num, float) and not math.isfinite(num):
            raise InvalidValue(*self.expected())
        if (self.minimum is not None and num < self.minimum) or (
            self.maximum is not None and num > self.maximum
        ):
            raise InvalidValue(*self.expected())
        return float(num)

    def normalize_keyword(self, v: str) -> str:
        v = fold(v.strip())
        if self.name in ("author", "engagingWith"):
            v = v.lstrip("@").replace(".", " ")
        return " ".join(v.split())

    # -- matching (run time) -------------------------------------------------------------

    def doc_values(self, doc: Any) -> list[Any]:
        """The document's values for this field as a list (empty when missing)."""
        v = getattr(doc, self.attr, None)
        if v is None:
            return []
        if isinstance(v, (list, tuple, set, frozenset)):
            return [x for x in v if x is not None]
        return [v]

    def match_value(self, value: str, doc: Any) -> bool:
        """Whether ``doc`` matches a single (already normalised) value of this field."""
        values = self.doc_values(doc)
        if not values:
            return False
        return any(self._match_one(value, x) for x in values)

    def _match_one(self, value: str, x: Any) -> bool:
        k = self.kind
        if k is FieldKind.KEYWORD:
            have = self.normalize_keyword(str(x))
            if "*" in value or "?" in value:
                return _wildcard_regex(value).fullmatch(have) is not None
            return have == value
        if k is FieldKind.DOMAIN:
            host = _strip_url(str(x)).split("/", 1)[0]
            return host == value or host.endswith("." + value)
        if k is FieldKind.TLD:
            host = _strip_url(str(x)).split("/", 1)[0]
            return host.endswith("." + value)
        if k is FieldKind.URL:
            return _url_matches(_strip_url(str(x)), value)
        if k is FieldKind.ENUM:
            have = str(x)
            if self.case_sensitive:
                return have.upper() == value.upper()
            have = have.lower()
            return self.aliases.get(have, have) == value
        if k is FieldKind.BOOLEAN:
            return bool(x) == (value == "true")
        if k in (FieldKind.INTEGER, FieldKind.NUMBER):
            try:
                return float(x) == float(value)
            except (TypeError, ValueError):
                return False
        if k is FieldKind.LANGUAGE:
            return str(x).lower().replace("_", "-").split("-", 1)[0] == value
        if k in (FieldKind.COUNTRY, FieldKind.LOCATION):
            return str(x).lower() == value
        return str(x) == value

    def match_range(self, low: float | None, high: float | None, doc: Any) -> bool:
        for x in self.doc_values(doc):
            try:
                num = float(x)
            except (TypeError, ValueError):
                continue
            if (low is None or num >= low) and (high is None or num <= high):
                return True
        return False


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


def _strip_url(v: str) -> str:
    v = v.strip().lower()
    v = re.sub(r"^[a-z][a-z0-9+.-]*://", "", v)
    return v.removeprefix("www.")


def _url_matches(have: str, value: str) -> bool:
    if have.startswith(value):
        return True
    host = have.split("/", 1)[0]
    # Also after a subdomain: url:msn.com/news matches uk.msn.com/news/...
    return any(ch == "." and have[i + 1 :].startswith(value) for i, ch in enumerate(host))


_WILDCARD_CACHE: dict[str, re.Pattern[str]] = {}


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    rx = _WILDCARD_CACHE.get(pattern)
    if rx is None:
        body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
        rx = _WILDCARD_CACHE[pattern] = re.compile(body, re.S)
    return rx


_ID = r"[0-9]{1,30}"
_ID_EN = "Use a numeric id such as 857284431631011841"
_ID_ES = "Usa un id numérico como 857284431631011841"
_NETWORKS = (
    "bluesky", "demo", "email", "facebook", "forum", "import", "instagram", "linkedin",
    "mastodon", "other", "reddit", "review", "rss", "tiktok", "web", "x", "youtube",
)  # fmt: skip
_NETWORK_ALIASES = {
    "twitter": "x", "tw": "x", "fb": "facebook", "ig": "instagram", "yt": "youtube",
    "bsky": "bluesky", "news": "rss", "blog": "rss", "blogs": "rss", "forums": "forum",
    "reviews": "review", "mail": "email", "e-mail": "email",
}  # fmt: skip
_KINDS = ("article", "comment", "dm", "email", "post", "reply", "review")
_KIND_ALIASES = {"tweet": "post", "message": "dm", "direct_message": "dm", "mail": "email"}

_B = "brandwatch"
_T = "tertulia"

_SPECS: list[FieldSpec] = [
    # -- Brandwatch: operators -----------------------------------------------------------
    FieldSpec("title", FieldKind.TEXT, "title", 'title:"apple juice"',
              "Words in the page or post title.",
              "Palabras en el título de la página o publicación."),
    FieldSpec("author", FieldKind.KEYWORD, "author", "author:ladygaga",
              "Author name or handle; a leading @ is ignored and '.' equals a space.",
              "Nombre o usuario del autor; se ignora la @ inicial y '.' equivale a espacio."),
    FieldSpec("site", FieldKind.DOMAIN, "site", "site:twitter.com",
              "The site the mention is on, including its subdomains; leave out 'www.'.",
              "El sitio de la mención, incluidos sus subdominios; sin 'www.'.",
              pattern=r"(?i)(?:[a-z][a-z0-9+.-]*://)?[^\s/*?]+",
              pattern_en="Use a domain such as twitter.com",
              pattern_es="Usa un dominio como twitter.com"),
    FieldSpec("url", FieldKind.URL, "url", 'url:"msn.com/news"',
              "The mention's address starts with this (scheme and 'www.' are ignored).",
              "La dirección de la mención empieza así (se ignoran el esquema y 'www.')."),
    FieldSpec("links", FieldKind.URL, "links", "links:msn.com",
              "The post links to this address, short links included when expanded.",
              "La publicación enlaza a esta dirección (enlaces cortos ya expandidos)."),
    FieldSpec("language", FieldKind.LANGUAGE, "language", "language:es",
              "Language of the mention (ISO 639-1).",
              "Idioma de la mención (ISO 639-1)."),
    FieldSpec("country", FieldKind.COUNTRY, "country", "country:gbr",
              "Country of the mention (ISO 3166-1 alpha-3).",
              "País de la mención (ISO 3166-1 alfa-3)."),
    FieldSpec("continent", FieldKind.LOCATION, "continent", "continent:europe",
              "Continent of the mention (location code).",
              "Continente de la mención (código de ubicación).",
              pattern=r"[A-Za-z][A-Za-z-]*",
              pattern_en="Use a continent code such as europe",
              pattern_es="Usa un código de continente como europe"),
    FieldSpec("region", FieldKind.LOCATION, "region", "region:usa.fl",
              "State, region or province: country code, a dot, region code.",
              "Estado, región o provincia: código de país, punto, código de región.",
              pattern=r"[A-Za-z]{3}\.[^\s.]+",
              pattern_en="Use country.region such as usa.fl",
              pattern_es="Usa país.región como usa.fl"),
    FieldSpec("city", FieldKind.LOCATION, "city", 'city:"deu.berlin.berlin"',
              "City: country, region and city codes joined by dots (quote it if it has spaces).",
              "Ciudad: códigos de país, región y ciudad unidos por puntos"
              " (entre comillas si hay espacios).",
              pattern=r"[A-Za-z]{3}\.[^.]+\.[^.]+",
              pattern_en='Use country.region.city such as "deu.berlin.berlin"',
              pattern_es='Usa país.región.ciudad como "deu.berlin.berlin"'),
    FieldSpec("latitude", FieldKind.NUMBER, "latitude", "latitude:[41 TO 44]",
              "Latitude of the mention, in degrees.", "Latitud de la mención, en grados.",
              minimum=-90, maximum=90),
    FieldSpec("longitude", FieldKind.NUMBER, "longitude", "longitude:[-73 TO -69]",
              "Longitude of the mention, in degrees.", "Longitud de la mención, en grados.",
              minimum=-180, maximum=180),
    FieldSpec("channelId", FieldKind.ID, "channel_id", 'channelId:"141273439246434"',
              "Mentions on one channel or page, by numeric id.",
              "Menciones en un canal o página, por id numérico.",
              pattern=_ID, pattern_en=_ID_EN, pattern_es=_ID_ES),
    # -- Brandwatch: advanced operators --------------------------------------------------
    FieldSpec("authorGender", FieldKind.ENUM, "author_gender", "authorGender:F",
              "Author gender: F (female) or M (male).",
              "Género del autor: F (femenino) o M (masculino).",
              choices=("F", "M"), case_sensitive=True),
    FieldSpec("authorVerified", FieldKind.BOOLEAN, "author_verified", "authorVerified:true",
              "Whether the author is verified on the network.",
              "Si el autor está verificado en la red."),
    FieldSpec("authorVerifiedType", FieldKind.ENUM, "author_verified_type",
              "authorVerifiedType:blue",
              "Kind of verification (lower case): blue, business or government.",
              "Tipo de verificación (en minúsculas): blue, business o government.",
              choices=("blue", "business", "government"), case_sensitive=True),
    FieldSpec("authorFollowers", FieldKind.INTEGER, "author_followers",
              "authorFollowers:[500 TO 100000]",
              "Number of followers of the author.", "Número de seguidores del autor.",
              minimum=0),
    FieldSpec("blogName", FieldKind.KEYWORD, "blog_name", "blogName:comedycentral",
              "Original and reblogged posts of a Tumblr page.",
              "Publicaciones originales y rebloqueadas de una página de Tumblr."),
    FieldSpec("parentBlogName", FieldKind.KEYWORD, "parent_blog_name",
              "parentBlogName:comedycentral",
              "Content reblogged from a Tumblr page.",
              "Contenido rebloqueado desde una página de Tumblr."),
    FieldSpec("rootBlogName", FieldKind.KEYWORD, "root_blog_name",
              "rootBlogName:comedycentral",
              "Posts reblogged from a page and the reblogs of that content.",
              "Publicaciones rebloqueadas desde una página y sus reblogs."),
    FieldSpec("parentPostId", FieldKind.ID, "parent_post_id", "parentPostId:129596930020",
              "Reblogs or replies of a post id (Reddit, Tumblr).",
              "Reblogs o respuestas de un id de publicación (Reddit, Tumblr).",
              pattern=_ID, pattern_en=_ID_EN, pattern_es=_ID_ES),
    FieldSpec("rootPostId", FieldKind.ID, "root_post_id", "rootPostId:129596930020",
              "Everything under a root post id (Reddit, Tumblr).",
              "Todo lo que cuelga de un id de publicación raíz (Reddit, Tumblr).",
              pattern=_ID, pattern_en=_ID_EN, pattern_es=_ID_ES),
    FieldSpec("tags", FieldKind.KEYWORD, "tags", "tags:photography",
              "Posts carrying this tag (Tumblr).", "Publicaciones con esta etiqueta (Tumblr)."),
    FieldSpec("brandIds", FieldKind.ID, "brand_ids", "brandIds:12",
              "Images showing the logo with this brand id.",
              "Imágenes con el logotipo de este id de marca.",
              pattern=_ID, pattern_en=_ID_EN, pattern_es=_ID_ES),
    FieldSpec("objects", FieldKind.ID, "object_ids", "objects:3902",
              "Images showing the object with this id.",
              "Imágenes con el objeto de este id.",
              pattern=_ID, pattern_en=_ID_EN, pattern_es=_ID_ES),
    FieldSpec("engagementType", FieldKind.ENUM, "engagement_type", "engagementType:REPLY",
              "Kind of engagement (upper case): COMMENT, REPLY, RETWEET or QUOTE.",
              "Tipo de interacción (en mayúsculas): COMMENT, REPLY, RETWEET o QUOTE.",
              choices=("COMMENT", "REPLY", "RETWEET", "QUOTE"), case_sensitive=True),
    FieldSpec("engagingWith", FieldKind.KEYWORD, "engaging_with", "engagingWith:brandwatch",
              "Replies to or reposts of this handle.",
              "Respuestas o republicaciones de este usuario."),
    FieldSpec("engagingWithGuid", FieldKind.ID, "engaging_with_guid",
              "engagingWithGuid:857284431631011841",
              "Replies to or reposts of this post id.",
              "Respuestas o republicaciones de este id de publicación.",
              pattern=_ID, pattern_en=_ID_EN, pattern_es=_ID_ES),
    FieldSpec("guid", FieldKind.ID, "guid", "guid:857284431631011841",
              "One post by id (Facebook: pageid_postid).",
              "Una publicación por id (Facebook: idpágina_idpublicación).",
              pattern=r"[0-9]{1,30}(?:_[0-9]{1,30})?",
              pattern_en="Use a post id such as 857284431631011841 or 1277374998_1015572792854",
              pattern_es="Usa un id como 857284431631011841 o 1277374998_1015572792854"),
    FieldSpec("imageType", FieldKind.ENUM, "image_type", "imageType:image",
              "Posts that contain images.", "Publicaciones que contienen imágenes.",
              choices=("image",)),
    FieldSpec("itemReview", FieldKind.TEXT, "item_review", 'itemReview:("Xbox One")',
              "Reviews of a product, by product name.",
              "Reseñas de un producto, por nombre de producto."),
    FieldSpec("rating", FieldKind.INTEGER, "rating", "rating:[3 TO 5]",
              "Review rating in stars, 0 to 5.", "Valoración de la reseña en estrellas, de 0 a 5.",
              minimum=0, maximum=5),
    FieldSpec("minuteOfDay", FieldKind.INTEGER, "minute_of_day", "minuteOfDay:[1110 TO 1140]",
              "Minute of the day the mention was published (UTC, 0 to 1439).",
              "Minuto del día en que se publicó la mención (UTC, 0 a 1439).",
              minimum=0, maximum=1439),
    FieldSpec("pubType", FieldKind.KEYWORD, "pub_type", "pubType:MY_MENTIONS",
              "Custom content source name given at upload.",
              "Nombre de la fuente de contenido propia indicado al subirla."),
    FieldSpec("publisherSubType", FieldKind.ENUM, "publisher_sub_type",
              "publisherSubType:VIDEO",
              "Instagram posts with images (IMAGE) or videos (VIDEO).",
              "Publicaciones de Instagram con imágenes (IMAGE) o vídeos (VIDEO).",
              choices=("IMAGE", "VIDEO"), case_sensitive=True),
    FieldSpec("publication", FieldKind.KEYWORD, "publication", 'publication:"MSN UK"',
              "News publication name.", "Nombre de la publicación de noticias."),
    FieldSpec("redditAuthorFlair", FieldKind.KEYWORD, "reddit_author_flair",
              "redditAuthorFlair:PhD", "Reddit author flair.", "Distintivo de autor en Reddit."),
    FieldSpec("redditPostFlair", FieldKind.KEYWORD, "reddit_post_flair",
              "redditPostFlair:Advice", "Reddit post flair.",
              "Distintivo de publicación en Reddit."),
    FieldSpec("redditSpoiler", FieldKind.BOOLEAN, "reddit_spoiler", "redditSpoiler:true",
              "Reddit posts marked as spoilers.", "Publicaciones de Reddit marcadas como spoiler."),
    FieldSpec("sensitiveContent", FieldKind.BOOLEAN, "sensitive_content",
              "sensitiveContent:true", "Posts flagged as sensitive content.",
              "Publicaciones marcadas como contenido sensible."),
    FieldSpec("subreddit", FieldKind.KEYWORD, "subreddit", "subreddit:nba",
              "Posts in this subreddit.", "Publicaciones en este subreddit."),
    FieldSpec("subredditNSFW", FieldKind.BOOLEAN, "subreddit_nsfw", "subredditNSFW:true",
              "Posts from subreddits flagged NSFW.",
              "Publicaciones de subreddits marcados como NSFW."),
    FieldSpec("subredditTopics", FieldKind.KEYWORD, "subreddit_topics",
              'subredditTopics:"Food & Recipes"', "Subreddit topic.", "Tema del subreddit."),
    FieldSpec("topLevelDomain", FieldKind.TLD, "site", "topLevelDomain:org",
              "Sites ending in this top-level domain.",
              "Sitios que terminan en este dominio de primer nivel.",
              pattern=r"[A-Za-z0-9-]+", pattern_en="Use a domain ending such as com or org",
              pattern_es="Usa una terminación de dominio como com u org"),
    FieldSpec("weblogTitle", FieldKind.KEYWORD, "weblog_title", "weblogTitle:feelslikegold",
              "Reddit or forum author.", "Autor en Reddit o en un foro."),
    # -- tertulia ------------------------------------------------------------------------
    FieldSpec("network", FieldKind.ENUM, "network", "network:instagram",
              "Network the mention comes from.", "Red de la que viene la mención.",
              origin=_T, choices=_NETWORKS, aliases=_NETWORK_ALIASES),
    FieldSpec("sentiment", FieldKind.ENUM, "sentiment", "sentiment:negative",
              "Sentiment that tertulia assigned to the mention.",
              "Sentimiento que tertulia asignó a la mención.",
              origin=_T, choices=("positive", "neutral", "negative")),
    FieldSpec("flag", FieldKind.ENUM, "flag", "flag:red",
              "Triage flag: red (crisis or complaint), yellow (needs help), green (opportunity).",
              "Bandera de triaje: red (crisis o queja), yellow (necesita ayuda),"
              " green (oportunidad).",
              origin=_T, choices=("red", "yellow", "green")),
    FieldSpec("kind", FieldKind.ENUM, "kind", "kind:dm",
              "What the item is on its network.", "Qué es el elemento en su red.",
              origin=_T, choices=_KINDS, aliases=_KIND_ALIASES),
]  # fmt: skip

FIELDS: dict[str, FieldSpec] = {s.name: s for s in _SPECS}


def lookup_field(name: str) -> FieldSpec | None:
    """The field called exactly ``name`` (field names are case-sensitive), else None."""
    return FIELDS.get(name)


def suggest_field(name: str) -> str | None:
    """The registered name closest to ``name`` (case-insensitive first), for hints."""
    import difflib

    for known in FIELDS:
        if known.lower() == name.lower():
            return known
    close = difflib.get_close_matches(name, list(FIELDS), n=1, cutoff=0.6)
    return close[0] if close else None


def iter_fields(origin: str | None = None) -> Iterable[FieldSpec]:
    return (s for s in _SPECS if origin is None or s.origin == origin)


MatchFn = Callable[[Any], bool]
