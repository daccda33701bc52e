"""Stated limits of the query language (published in the generated documentation)."""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["LIMITS"]

LIMITS = MappingProxyType(
    {
        # Brandwatch's own query length limit, so an imported query always fits.
        "max_query_chars": 4096,
        # Parentheses, NOT and field nesting; deeper queries are machine-made mistakes.
        "max_depth": 32,
        # Words, wildcards, raw texts and field values counted together.
        "max_terms": 1000,
        # Letters before the first * or ?; shorter stems match too much to be useful.
        "min_wildcard_stem_chars": 2,
        # Stems of exactly the minimum length are "short wildcards" (Brandwatch: 150).
        "max_short_wildcards": 150,
        # Largest n in NEAR/n, NEAR/nf and ~n.
        "max_distance": 1000,
        # Characters inside {CaseSensitive} braces (Brandwatch: 20).
        "max_case_sensitive_chars": 20,
        # Words in a proximity phrase "a b c"~n (any order makes it combinatorial).
        "max_proximity_phrase_words": 8,
    }
)
