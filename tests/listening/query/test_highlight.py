"""Syntax highlighting for the live editor."""

from __future__ import annotations

from tertulia.listening.query import highlight


def kinds(q: str) -> list[tuple[str, str]]:
    return [(q[s.start : s.end], s.kind) for s in highlight(q)]


def test_highlights_every_construct():
    q = '(acme OR @acmecorp) AND #deal price* NEAR/3f "money back"~2 {BT} <<<note>>>'
    assert kinds(q) == [
        ("(", "paren"),
        ("acme", "term"),
        ("OR", "operator"),
        ("@acmecorp", "mention"),
        (")", "paren"),
        ("AND", "operator"),
        ("#deal", "hashtag"),
        ("price*", "wildcard"),
        ("NEAR/3f", "proximity"),
        ('"money back"', "phrase"),
        ("~2", "proximity"),
        ("{BT}", "case_sensitive"),
        ("<<<note>>>", "comment"),
    ]


def test_highlights_fields_values_and_ranges():
    q = "author:(ana OR bob) authorFollowers:[5 TO 10] raw:G+ colour:red acme"
    assert kinds(q) == [
        ("author:", "field"),
        ("(", "paren"),
        ("ana", "value"),
        ("OR", "operator"),
        ("bob", "value"),
        (")", "paren"),
        ("authorFollowers:", "field"),
        ("[", "bracket"),
        ("5", "value"),
        ("TO", "operator"),
        ("10", "value"),
        ("]", "bracket"),
        ("raw:", "field"),
        ("G+", "raw"),
        ("colour:", "unknown_field"),
        ("red", "value"),
        ("acme", "term"),
    ]


def test_unfinished_input_is_highlighted_not_raised():
    assert kinds('acme "money') == [("acme", "term"), ('"money', "error")]
    assert kinds("acme <<<open") == [("acme", "term"), ("<<<open", "error")]
    assert kinds("acme NEAR/x b")[1] == ("NEAR/x", "error")
