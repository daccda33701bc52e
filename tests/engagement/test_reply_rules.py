"""Per-network reply validation."""

from __future__ import annotations

import pytest

from tertulia.engagement.reply_rules import (
    count_graphemes,
    mastodon_length,
    validate_reply,
    x_weighted_length,
)


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def test_x_counts_urls_as_23_and_emoji_as_2() -> None:
    assert x_weighted_length("hola https://example.com/a/very/long/path?q=1.") == 5 + 23 + 1
    assert x_weighted_length("👍🏽") == 2
    assert x_weighted_length("👨‍👩‍👧‍👦") == 2
    assert x_weighted_length("日本") == 4
    assert x_weighted_length("cafe\u0301") == 4  # NFC makes é one character


def test_x_limit() -> None:
    assert validate_reply("x", "a" * 280) == []
    [problem] = validate_reply("x", "a" * 270 + " https://example.com")
    assert problem.code == "too_long" and problem.limit == 280 and problem.actual == 294
    assert "cut 14" in problem.message


def test_bluesky_counts_graphemes_and_bytes() -> None:
    assert count_graphemes("🇪🇸🇲🇽") == 2
    assert count_graphemes("e\u0301") == 1
    assert validate_reply("bluesky", "👍🏽" * 300) == []  # 300 graphemes, 2,400 bytes
    assert codes(validate_reply("bluesky", "👨‍👩‍👧‍👦" * 300)) == ["too_many_bytes"]
    assert codes(validate_reply("bluesky", "a" * 301)) == ["too_long"]


def test_mastodon_counts_urls_and_remote_mentions_short() -> None:
    assert mastodon_length("@ana@mastodon.social mira https://example.com/x") == 4 + 6 + 23
    assert validate_reply("mastodon", "a" * 600, max_length=1000) == []
    assert codes(validate_reply("mastodon", "a" * 501)) == ["too_long"]


@pytest.mark.parametrize(
    ("network", "limit"),
    [("facebook", 8000), ("instagram", 2200), ("linkedin", 1250), ("youtube", 10_000)],
)
def test_comment_limits(network: str, limit: int) -> None:
    assert validate_reply(network, "a" * limit) == []
    assert codes(validate_reply(network, "a" * (limit + 1))) == ["too_long"]


def test_email_has_no_length_limit() -> None:
    assert validate_reply("email", "a" * 100_000, ["image"] * 12) == []


def test_media_rules() -> None:
    assert validate_reply("x", "look", ["image"] * 4) == []
    assert codes(validate_reply("x", "look", ["image"] * 5)) == ["too_many_images"]
    assert codes(validate_reply("x", "look", ["image", "video"])) == ["mixed_media"]
    assert codes(validate_reply("bluesky", "", ["gif", "video"])) == ["too_many_videos"]
    assert codes(validate_reply("youtube", "look", ["image"])) == ["media_not_supported"]
    assert codes(validate_reply("facebook", "look", ["image", "image"])) == ["too_many_images"]
    assert codes(validate_reply("x", "look", ["sticker"])) == ["unknown_media"]


def test_link_warnings() -> None:
    [p] = validate_reply("instagram", "see https://example.com")
    assert (p.code, p.severity) == ("link_not_clickable", "warning")
    [p] = validate_reply("youtube", "see www.example.com")
    assert p.code == "link_may_be_held"


def test_empty_reply_and_unknown_network() -> None:
    assert codes(validate_reply("x", "   ")) == ["empty"]
    assert codes(validate_reply("myspace", "hi")) == ["unknown_network"]
