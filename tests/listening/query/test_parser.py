"""Parsing: every operator, every field, every error (with its column), both languages."""

from __future__ import annotations

import pytest

from tertulia.listening.query import LIMITS, QuerySyntaxError, parse, validate
from tertulia.listening.query.ast import (
    And,
    Field,
    Near,
    Not,
    Or,
    Phrase,
    Range,
    Raw,
    Term,
    Value,
    Wildcard,
)
from tertulia.listening.query.errors import MESSAGES
from tertulia.listening.query.fields import FIELDS, FieldKind


def root(q: str):
    return parse(q).root


def error(q: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse(q)
    return info.value


# -- operators ---------------------------------------------------------------------------


def test_term_is_lower_cased():
    assert root("Apple") == Term("apple")


def test_phrase():
    assert root('"apple juice"') == Phrase((Term("apple"), Term("juice")))


def test_quoted_single_word_is_a_term():
    assert root('"apple"') == Term("apple")


def test_and_or_not():
    assert root("a AND b") == And((Term("a"), Term("b")))
    assert root("a OR b OR c") == Or((Term("a"), Term("b"), Term("c")))
    assert root("a NOT b") == And((Term("a"), Not(Term("b"))))
    assert root("a AND NOT b") == And((Term("a"), Not(Term("b"))))
    assert root("NOT b AND a") == And((Not(Term("b")), Term("a")))


def test_adjacent_terms_are_anded():
    assert root("apple juice") == And((Term("apple"), Term("juice")))
    assert root("apple juice NOT pie") == And((Term("apple"), Term("juice"), Not(Term("pie"))))


def test_lower_case_operators_are_terms():
    assert root("apple and juice") == And((Term("apple"), Term("and"), Term("juice")))
    assert root("apple or juice") == And((Term("apple"), Term("or"), Term("juice")))


def test_parentheses():
    assert root("(a AND b) OR (a AND c)") == Or(
        (And((Term("a"), Term("b"))), And((Term("a"), Term("c"))))
    )


def test_wildcards():
    assert root("complain*") == Wildcard("complain*")
    assert root("customi?e") == Wildcard("customi?e")
    assert root("Colo*r") == Wildcard("colo*r")
    assert Wildcard("customi?e").stem == "customi"


def test_near_unordered_and_ordered():
    assert root("a NEAR/3 b") == Near(Term("a"), Term("b"), 3, False)
    assert root("logitech NEAR/2f keyboard") == Near(Term("logitech"), Term("keyboard"), 2, True)


def test_near_between_groups():
    assert root("(apple OR orange) NEAR/5 (phone OR smartphone)") == Near(
        Or((Term("apple"), Term("orange"))), Or((Term("phone"), Term("smartphone"))), 5
    )


def test_near_binds_tighter_than_and():
    assert root("a NEAR/2 b AND c") == And((Near(Term("a"), Term("b"), 2), Term("c")))


def test_nested_near():
    q = '((christmas OR xmas) NEAR/2 (gift OR present)) NEAR/2 (wife OR "girl friend")'
    node = root(q)
    assert isinstance(node, Near) and isinstance(node.left, Near)


def test_proximity_phrase():
    assert root('"apple juice"~5') == Phrase((Term("apple"), Term("juice")), 5)


def test_group_tilde_is_near():
    assert root("((apple OR orange) AND (phone OR smartphone))~5") == Near(
        Or((Term("apple"), Term("orange"))), Or((Term("phone"), Term("smartphone"))), 5
    )


def test_hashtags_mentions_emoji_symbols():
    assert root("#MondayMotivation") == Term("mondaymotivation", "#")
    assert root("@brandwatch") == Term("brandwatch", "@")
    assert root("😡") == Term("😡")
    assert root("€") == Term("€")
    assert root("100%") == Phrase((Term("100"), Term("%")))


def test_punctuated_word_is_a_phrase():
    assert root("coca-cola") == Phrase((Term("coca"), Term("cola")))
    assert root("wendy's") == Phrase((Term("wendy"), Term("s")))


def test_case_sensitive():
    assert root("{BT}") == Term("BT", case_sensitive=True)
    assert root("{iPhone X}") == Phrase(
        (Term("iPhone", case_sensitive=True), Term("X", case_sensitive=True))
    )


def test_raw():
    assert root("raw:Google+") == Raw("Google+")
    assert root('raw:"A&B (UK)"') == Raw("A&B (UK)")


def test_comments_are_ignored():
    assert root("apple <<<the fruit>>> AND pie") == And((Term("apple"), Term("pie")))
    assert root("<<<note>>>\napple") == Term("apple")


def test_accents_keep_their_spelling():
    assert root("Niño") == Term("niño")
    assert Term("niño").accented and not Term("nino").accented


def test_multiline_query():
    assert root("(apple\n OR\n orange)\nAND juice") == And(
        (Or((Term("apple"), Term("orange"))), Term("juice"))
    )


# -- fields ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_every_field_example_parses(name):
    spec = FIELDS[name]
    node = root(spec.example)
    assert isinstance(node, Field) and node.name == name


def test_field_values():
    assert root("author:ladygaga") == Field("author", Value("ladygaga"))
    assert root("site:www.twitter.com") == Field("site", Value("twitter.com"))
    assert root('title:"apple juice"') == Field("title", Phrase((Term("apple"), Term("juice"))))
    assert root("country:GBR") == Field("country", Value("gbr"))
    assert root("authorFollowers:[500 TO 100000]") == Field("authorFollowers", Range(500, 100000))
    assert root("authorFollowers:[10000 TO *]") == Field("authorFollowers", Range(10000, None))
    assert root("latitude:[41 TO 44] AND longitude:[-73 TO -69]") == And(
        (Field("latitude", Range(41, 44)), Field("longitude", Range(-73, -69)))
    )
    assert root("rating:3") == Field("rating", Value("3"))
    assert root("author:(ana OR bob)") == Field("author", Or((Value("ana"), Value("bob"))))
    assert root("network:twitter") == Field("network", Value("x"))
    assert root("kind:tweet") == Field("kind", Value("post"))
    assert root("engagingWithGuid:   857284431631011841") == Field(
        "engagingWithGuid", Value("857284431631011841")
    )


@pytest.mark.parametrize(
    "query",
    [
        "engagementType:reply",  # documented as case-sensitive upper case
        "engagementType:LIKE",
        "authorVerifiedType:Blue",  # documented as lower case
        "authorGender:X",
        "authorVerified:yes",
        "redditSpoiler:1",
        "sensitiveContent:True",
        "subredditNSFW:no",
        "rating:6",
        "rating:[3 TO 9]",
        "minuteOfDay:[1400 TO 1440]",
        "latitude:[91 TO 95]",
        "longitude:200",
        "authorFollowers:[-1 TO 5]",
        "authorFollowers:lots",
        "language:english",
        "language:xx",
        "country:gb",
        "country:zzz",
        "region:florida",
        "city:berlin",
        "guid:abc",
        "channelId:12a",
        "brandIds:twelve",
        "objects:3.5",
        "parentPostId:x1",
        "publisherSubType:image",
        "imageType:video",
        "sentiment:angry",
        "flag:purple",
        "kind:story",
        "network:myspace",
        "site:twit*",
    ],
)
def test_invalid_field_values_are_rejected(query):
    e = error(query)
    assert e.code == "invalid_field_value"
    assert e.column == query.index(":") + 2 or e.code == "invalid_field_value"
    assert e.hint("en") and e.hint("es")


def test_invalid_value_error_points_at_the_value_and_lists_choices():
    e = error("acme AND engagementType:reply")
    assert e.column == 25
    assert str(e) == "engagementType: does not accept 'reply' at column 25"
    assert e.hint("en") == "Use one of: COMMENT, REPLY, RETWEET, QUOTE"
    assert e.message("es") == "engagementType: no acepta 'reply' en la columna 25"


def test_every_value_kind_has_a_field():
    assert {s.kind for s in FIELDS.values()} == set(FieldKind)


def test_field_names_are_case_sensitive_with_a_suggestion():
    e = error("Author:ana")
    assert e.code == "unknown_field"
    assert "author:" in e.hint("en")


# -- errors ------------------------------------------------------------------------------

ERRORS = [
    ("", "empty_query", 1),
    ("   <<<only a comment>>> ", "empty_query", 1),
    ("x" * (LIMITS["max_query_chars"] + 1), "query_too_long", LIMITS["max_query_chars"] + 1),
    ("(" * 40 + "a" + ")" * 40, "too_deep", LIMITS["max_depth"] + 1),
    (" ".join(["w"] * (LIMITS["max_terms"] + 1)), "too_many_terms", None),
    (" OR ".join(["ab*"] * (LIMITS["max_short_wildcards"] + 1)), "too_many_short_wildcards", None),
    ("apple AND juice AND", "expected_term", 20),
    ("apple AND (juice OR)", "expected_term", 20),
    ("apple NOT", "expected_term", 10),
    ("apple AND NEAR/3 juice", "expected_term", 11),
    ("AND apple", "expected_term_before", 1),
    ("apple }", "unexpected_token", 7),
    ("apple)", "unmatched_close_paren", 6),
    ("(apple AND juice", "unclosed_paren", 1),
    ('apple "juice', "unclosed_quote", 7),
    ("apple <<<note", "unclosed_comment", 7),
    ("{BT", "unclosed_brace", 1),
    ("apple AND ()", "empty_group", 11),
    ('apple ""', "empty_phrase", 7),
    ("{ }", "empty_case_sensitive", 1),
    ("{" + "A" * 21 + "}", "case_sensitive_too_long", 1),
    ("{BT*}", "case_sensitive_wildcard", 1),
    ("apple AND juice OR pie", "mixed_and_or", 17),
    ("apple juice OR pie", "mixed_and_or", 13),
    ("apple OR juice NOT pie", "mixed_and_or", 16),
    ("NOT apple", "only_negative", 1),
    ("NOT apple AND NOT pie", "only_negative", 1),
    ("apple OR NOT pie", "only_negative", 1),
    ("*phone", "wildcard_at_start", 1),
    ("?phone", "wildcard_at_start", 1),
    ("a*", "wildcard_stem_too_short", 1),
    ("apple NEAR juice", "near_syntax", 7),
    ("apple NEAR/x juice", "near_syntax", 7),
    ("apple NEAR/1001 juice", "distance_too_large", 7),
    ("apple NEAR/3 NOT juice", "near_operand", 14),
    ("(apple AND pie) NEAR/3 juice", "near_operand", 2),
    ("apple NEAR/3 title:juice", "near_operand", 14),
    ("apple~5", "proximity_syntax", 6),
    ('"apple juice" ~5', "proximity_syntax", 15),
    ('"apple juice"~', "proximity_syntax", 14),
    ("(apple OR juice)~5", "proximity_group", 17),
    ('"a b c d e f g h i"~3', "too_many_phrase_words", 1),
    ("colour:red", "unknown_field", 1),
    ("author: ", "field_value_missing", 8),
    ("acme AND engagementType:reply", "invalid_field_value", 25),
    ("authorFollowers:[500 to 1000]", "range_syntax", 17),
    ("authorFollowers:[500 TO]", "range_syntax", 17),
    ("authorFollowers:[1000 TO 500]", "range_order", 17),
    ("author:[1 TO 5]", "range_not_allowed", 8),
    ("title:(apple AND site:x.com)", "nested_field", 18),
    ("apple [juice]", "stray_bracket", 7),
    ("apple -job", "dash_negation", 7),
    ("apple AND !!", "no_searchable_text", 11),
]


@pytest.mark.parametrize(("query", "code", "column"), ERRORS)
def test_error_code_and_column(query, code, column):
    e = error(query)
    assert e.code == code, str(e)
    if column is not None:
        assert e.column == column, str(e)
    assert f"column {e.column}" in e.message("en")
    assert f"columna {e.column}" in e.message("es")


def test_every_error_code_is_exercised():
    assert {code for _, code, _ in ERRORS} == set(MESSAGES)


def test_expected_term_message_matches_the_issue_example():
    e = error("(apple OR orange) AND")
    assert str(e) == "Expected a term after AND at column 22"
    assert e.message("es") == "Se esperaba un término después de AND en la columna 22"
    assert e.hint("es").startswith("Añade una palabra")


def test_mixed_and_or_says_so():
    e = error("apple AND juice OR pie")
    assert "AND and OR are mixed" in str(e)
    assert "(a AND b) OR c" in e.hint("en")
    assert "AND y OR están mezclados" in e.message("es")


def test_multiline_errors_give_line_and_column():
    e = error("apple\nAND\n")
    assert (e.line, e.column) == (3, 1)
    assert e.message("en").endswith("at line 3, column 1")
    assert e.message("es").endswith("en la línea 3, columna 1")


# -- validate ----------------------------------------------------------------------------


def test_validate_valid_query_is_empty():
    assert validate("(acme OR @acmecorp) AND price*") == []


def test_validate_returns_the_error_in_the_users_language():
    [d] = validate("(acme OR @acmecorp) AND", lang="es")
    assert d.code == "expected_term"
    assert d.severity == "error"
    assert d.message == "Se esperaba un término después de AND en la columna 24"
    assert d.as_dict()["column"] == 24


def test_validate_warns_about_lower_case_operators():
    [d] = validate("apple and juice")
    assert d.code == "lowercase_operator" and d.severity == "warning" and d.column == 7
    [d] = validate("apple and juice", lang="es")
    assert "mayúsculas" in d.message


def test_validate_never_raises_on_garbage():
    for q in ['"', "(", ")", "[", "]", "~", "NEAR/", "{", "}", "<<<", ":", "a:", "::", "\x00"]:
        assert isinstance(validate(q), list)


# -- limits ------------------------------------------------------------------------------


def test_limits_are_documented_values():
    assert LIMITS["max_query_chars"] == 4096
    assert LIMITS["max_case_sensitive_chars"] == 20


def test_queries_at_the_limits_parse():
    parse("x" * LIMITS["max_query_chars"])
    parse("(" * (LIMITS["max_depth"]) + "a" + ")" * (LIMITS["max_depth"]))
    parse(" ".join(["w"] * LIMITS["max_terms"]))
    parse(" OR ".join(["ab*"] * LIMITS["max_short_wildcards"]))
    parse("{" + "A" * LIMITS["max_case_sensitive_chars"] + "}")
    parse(f"a NEAR/{LIMITS['max_distance']} b")


def test_deep_not_chain_is_limited_not_a_crash():
    e = error("NOT " * 500 + "a AND b")
    assert e.code == "too_deep"


def test_network_and_kind_values_follow_the_connectors():
    # The query package stays import-free of the rest of tertulia; this keeps the copies
    # of the enumerations honest.
    items = pytest.importorskip("tertulia.networks.items")
    assert set(FIELDS["network"].choices) == {n.value for n in items.Network}
    assert set(FIELDS["kind"].choices) == {k.value for k in items.ItemKind}
