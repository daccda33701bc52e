"""How post text is cut into tokens and spelled (shared by interpreter and matcher)."""

from __future__ import annotations

from tertulia.listening.query.text import analyze, fold, haystack, nfc, tags


def tokens(text: str) -> list[tuple[str, str]]:
    ix = analyze(text)
    return list(zip(ix.prefix, ix.orig, strict=True))


def test_words_hashtags_mentions_and_symbols():
    assert tokens("Hi @Acme_Corp! #Love it 😂👍🏽 100% €5") == [
        ("", "Hi"),
        ("@", "Acme_Corp"),
        ("#", "Love"),
        ("", "it"),
        ("", "😂"),
        ("", "👍"),
        ("", "🏽"),
        ("", "100"),
        ("", "%"),
        ("", "€"),
        ("", "5"),
    ]


def test_punctuation_separates_and_is_dropped():
    assert [t for _, t in tokens("coca-cola, wendy's... (ok)?")] == [
        "coca", "cola", "wendy", "s", "ok",
    ]  # fmt: skip


def test_email_is_not_a_mention():
    assert tokens("x@acme.com") == [("", "x"), ("", "acme"), ("", "com")]


def test_three_spellings():
    ix = analyze("CAFÉ Niño")
    assert ix.orig == ("CAFÉ", "Niño")
    assert ix.lower == ("café", "niño")
    assert ix.fold == ("cafe", "nino")


def test_nfc_makes_decomposed_accents_equal():
    assert nfc("cafe\u0301") == "café"
    assert analyze("cafe\u0301").lower == ("café",)


def test_fold():
    assert fold("Ärger Ñandú") == "arger nandu"
    assert fold("plain") == "plain"


def test_haystack_and_tags():
    text = nfc("I ❤ #Café @Bob")
    assert haystack(text) == " i ❤ cafe bob "
    assert tags(text) == frozenset({"#cafe", "@bob"})
    assert haystack("...") == " "
