"""Per-network checks run on a reply before it is sent, so an agent learns of a problem in the
composer rather than from a rejected API call.

Limits and where they come from (checked when this module was written; networks change them,
so each lives in one row of :data:`LIMITS`):

* X: 280 weighted characters; every URL counts 23 (t.co), emoji and CJK count 2; text is NFC
  normalised first (docs.x.com "Counting characters"). Up to 4 images or 1 video/GIF.
* Bluesky: ``app.bsky.feed.post`` text is at most 300 graphemes and 3,000 bytes (lexicon
  limits); up to 4 images or 1 video.
* Mastodon: 500 characters by default (each instance may raise it: pass ``max_length``); URLs
  count 23 and a remote mention ``@user@domain`` counts only ``@user``; up to 4 images or
  1 video.
* Facebook comment: 8,000 characters, one photo attachment (GIFs count as video here).
* Instagram comment: 2,200 characters, no media; links are shown as plain text (warning).
* LinkedIn comment: 1,250 characters, one image.
* YouTube comment (``commentThreads.insert`` / ``comments.insert``): 10,000 characters
  (``commentTextTooLong`` beyond), text only; comments with links may be held for review.
* Email: no length or attachment-count limit here (the mail server enforces size).

Grapheme counting follows the common cases of Unicode UAX #29 (combining marks, emoji ZWJ
sequences, skin tones, variation selectors, flags) without a full segmentation table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "LIMITS",
    "NetworkReplyLimits",
    "ReplyProblem",
    "count_graphemes",
    "mastodon_length",
    "validate_reply",
    "x_weighted_length",
]

LengthUnit = Literal["x_weighted", "graphemes", "mastodon", "characters"]


@dataclass(frozen=True, slots=True)
class NetworkReplyLimits:
    network: str
    max_length: int | None  # None: no limit
    length_unit: LengthUnit
    max_bytes: int | None = None  # UTF-8 bytes
    max_images: int = 0
    max_videos: int = 0
    image_and_video_together: bool = False
    links_clickable: bool = True
    links_may_be_held: bool = False


LIMITS: dict[str, NetworkReplyLimits] = {
    "x": NetworkReplyLimits("x", 280, "x_weighted", max_images=4, max_videos=1),
    "bluesky": NetworkReplyLimits(
        "bluesky", 300, "graphemes", max_bytes=3000, max_images=4, max_videos=1
    ),
    "mastodon": NetworkReplyLimits("mastodon", 500, "mastodon", max_images=4, max_videos=1),
    "facebook": NetworkReplyLimits("facebook", 8000, "characters", max_images=1),
    "instagram": NetworkReplyLimits("instagram", 2200, "characters", links_clickable=False),
    "linkedin": NetworkReplyLimits("linkedin", 1250, "characters", max_images=1),
    "youtube": NetworkReplyLimits("youtube", 10_000, "characters", links_may_be_held=True),
    "email": NetworkReplyLimits(
        "email",
        None,
        "characters",
        max_images=10_000,
        max_videos=10_000,
        image_and_video_together=True,
    ),
}


@dataclass(frozen=True, slots=True)
class ReplyProblem:
    code: str  # too_long, too_many_bytes, too_many_media, media_not_supported, empty, ...
    severity: Literal["error", "warning"]
    message: str
    limit: int | None = None
    actual: int | None = None


# Scheme or www URLs; trailing punctuation belongs to the sentence, not the link.
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"]+?(?=[.,;:!?)\]]*(?:\s|$))", re.IGNORECASE)
_MASTODON_MENTION_RE = re.compile(r"(?<![\w@])(@\w+)@[\w.-]+\w", re.UNICODE)
_ZWJ = "\u200d"


def _extends(cp: int, ch: str) -> bool:
    """Code points that never start a grapheme of their own."""
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # tag characters (subdivision flags)
        or 0xE0100 <= cp <= 0xE01EF
    )


def _graphemes(text: str) -> list[str]:
    clusters: list[str] = []
    join_next = False
    ri_open = False  # a regional indicator waiting for its pair (flags are two of them)
    prev = ""
    for ch in text:
        cp = ord(ch)
        is_ri = 0x1F1E6 <= cp <= 0x1F1FF
        if clusters and (
            join_next
            or ch == _ZWJ
            or _extends(cp, ch)
            or (is_ri and ri_open)
            or (prev == "\r" and ch == "\n")
        ):
            clusters[-1] += ch
            ri_open = False if is_ri else ri_open
        else:
            clusters.append(ch)
            ri_open = is_ri
        join_next = ch == _ZWJ
        prev = ch
    return clusters


def count_graphemes(text: str) -> int:
    """User-perceived characters (what Bluesky counts)."""
    return len(_graphemes(text))


def _x_weight(cluster: str) -> int:
    cp = ord(cluster[0])
    # twitter-text v3 configuration: these ranges weigh 1, everything else (emoji, CJK) 2.
    light = (
        cp <= 0x10FF or 0x2000 <= cp <= 0x200D or 0x2010 <= cp <= 0x201F or 0x2032 <= cp <= 0x2037
    )
    if light and len(cluster) > 1 and not _extends(ord(cluster[1]), cluster[1]):
        light = False  # keycap and ZWJ emoji sequences starting with an ASCII char
    return 1 if light else 2


def x_weighted_length(text: str) -> int:
    """Length as X counts it: NFC, each URL 23, emoji and CJK 2."""
    text = unicodedata.normalize("NFC", text)
    urls = _URL_RE.findall(text)
    rest = _URL_RE.sub("", text)
    return 23 * len(urls) + sum(_x_weight(c) for c in _graphemes(rest))


def mastodon_length(text: str) -> int:
    """Length as Mastodon counts it: URLs 23, remote mentions without their domain."""
    urls = _URL_RE.findall(text)
    rest = _MASTODON_MENTION_RE.sub(r"\1", _URL_RE.sub("", text))
    return 23 * len(urls) + len(rest)


def _length(text: str, unit: LengthUnit) -> int:
    if unit == "x_weighted":
        return x_weighted_length(text)
    if unit == "graphemes":
        return count_graphemes(text)
    if unit == "mastodon":
        return mastodon_length(text)
    return len(text)


def validate_reply(
    network: str,
    text: str,
    media_kinds: Sequence[Literal["image", "gif", "video"]] = (),
    *,
    max_length: int | None = None,
) -> list[ReplyProblem]:
    """Problems that would stop (``error``) or spoil (``warning``) this reply; empty means send.

    ``max_length`` overrides the network default (a Mastodon instance with a higher limit).
    GIFs count as videos, as every network listed here treats them.
    """
    limits = LIMITS.get(network)
    if limits is None:
        return [
            ReplyProblem(
                "unknown_network",
                "error",
                f"no reply rules for network {network!r}; known: {sorted(LIMITS)}",
            )
        ]
    problems: list[ReplyProblem] = []
    if not text.strip() and not media_kinds:
        problems.append(ReplyProblem("empty", "error", "the reply is empty; write some text"))
    limit = max_length if max_length is not None else limits.max_length
    if limit is not None:
        length = _length(text, limits.length_unit)
        if length > limit:
            unit = "graphemes" if limits.length_unit == "graphemes" else "characters"
            problems.append(
                ReplyProblem(
                    "too_long",
                    "error",
                    f"{network} allows {limit} {unit} and this reply has {length}; "
                    f"cut {length - limit}",
                    limit,
                    length,
                )
            )
    if limits.max_bytes is not None:
        size = len(text.encode("utf-8"))
        if size > limits.max_bytes:
            problems.append(
                ReplyProblem(
                    "too_many_bytes",
                    "error",
                    f"{network} allows {limits.max_bytes} bytes of text and this reply has {size}",
                    limits.max_bytes,
                    size,
                )
            )
    problems += _media_problems(network, limits, media_kinds)
    if _URL_RE.search(text):
        if not limits.links_clickable:
            problems.append(
                ReplyProblem(
                    "link_not_clickable",
                    "warning",
                    f"links in {network} comments show as plain text; consider a direct message",
                )
            )
        if limits.links_may_be_held:
            problems.append(
                ReplyProblem(
                    "link_may_be_held",
                    "warning",
                    f"{network} may hold comments with links for the channel owner's review",
                )
            )
    return problems


def _media_problems(
    network: str, limits: NetworkReplyLimits, media_kinds: Sequence[str]
) -> list[ReplyProblem]:
    images = sum(1 for k in media_kinds if k == "image")
    videos = len(media_kinds) - images
    unknown = [k for k in media_kinds if k not in ("image", "gif", "video")]
    if unknown:
        return [ReplyProblem("unknown_media", "error", f"unknown media kinds {unknown}")]
    if not media_kinds:
        return []
    if limits.max_images == 0 and limits.max_videos == 0:
        return [
            ReplyProblem(
                "media_not_supported",
                "error",
                f"{network} replies cannot carry media; "
                f"remove the {len(media_kinds)} attachment(s)",
                0,
                len(media_kinds),
            )
        ]
    problems = []
    if images and videos and not limits.image_and_video_together:
        problems.append(
            ReplyProblem(
                "mixed_media",
                "error",
                f"{network} takes images or a video, not both; keep one kind",
            )
        )
    if images > limits.max_images:
        problems.append(
            ReplyProblem(
                "too_many_images",
                "error",
                f"{network} allows {limits.max_images} image(s) per reply; remove "
                f"{images - limits.max_images}",
                limits.max_images,
                images,
            )
        )
    if videos > limits.max_videos:
        problems.append(
            ReplyProblem(
                "too_many_videos",
                "error",
                f"{network} allows {limits.max_videos} video(s)/GIF(s) per reply; remove "
                f"{videos - limits.max_videos}",
                limits.max_videos,
                videos,
            )
        )
    return problems
