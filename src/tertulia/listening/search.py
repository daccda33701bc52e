"""Full-text search behind one interface: SQLite FTS5 or PostgreSQL tsvector.

Both index the same text (body, title, author handle) keyed by mention id, accent-folded,
with Spanish and English stemming on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.db import connection

SQLITE_SCHEMA = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS listening_mention_fts USING fts5("
    "body, tokenize = 'unicode61 remove_diacritics 2')",
]
POSTGRES_SCHEMA = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TABLE IF NOT EXISTS listening_mention_search ("
    "mention_id bigint PRIMARY KEY REFERENCES listening_mention(id) ON DELETE CASCADE "
    "DEFERRABLE INITIALLY DEFERRED, doc tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS listening_mention_search_doc ON listening_mention_search "
    "USING gin (doc)",
]
DROP = {
    "sqlite": ["DROP TABLE IF EXISTS listening_mention_fts"],
    "postgresql": ["DROP TABLE IF EXISTS listening_mention_search"],
}
_PG_CONFIG = {"es": "spanish", "en": "english", "pt": "portuguese", "fr": "french",
              "it": "italian", "de": "german"}
_WORD = re.compile(r"\w+", re.UNICODE)


def create_schema(conn: object = None) -> None:
    conn = conn or connection
    sql = SQLITE_SCHEMA if conn.vendor == "sqlite" else POSTGRES_SCHEMA  # type: ignore[attr-defined]
    with conn.cursor() as cursor:  # type: ignore[attr-defined]
        for statement in sql:
            cursor.execute(statement)


def index(rows: Iterable[tuple[int, str, str]]) -> None:
    """(mention id, language, body) → the index; re-indexing an id replaces its entry."""
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany("DELETE FROM listening_mention_fts WHERE rowid = %s",
                               [(r[0],) for r in rows])
            cursor.executemany("INSERT INTO listening_mention_fts(rowid, body) VALUES (%s, %s)",
                               [(r[0], r[2]) for r in rows])
        else:
            cursor.executemany(
                "INSERT INTO listening_mention_search (mention_id, doc) VALUES (%s, "
                "to_tsvector(%s::regconfig, unaccent(%s))) ON CONFLICT (mention_id) DO UPDATE "
                "SET doc = EXCLUDED.doc",
                [(r[0], _PG_CONFIG.get(r[1], "simple"), r[2]) for r in rows],
            )


def forget(ids: Sequence[int]) -> None:
    if not ids:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany("DELETE FROM listening_mention_fts WHERE rowid = %s",
                               [(i,) for i in ids])
        else:
            cursor.executemany("DELETE FROM listening_mention_search WHERE mention_id = %s",
                               [(i,) for i in ids])


def words(text: str) -> list[str]:
    return _WORD.findall(text)[:32]


def match_sql(text: str) -> tuple[str, list[object]] | None:
    """A SQL condition on `listening_mention.id` for mentions containing every word of
    `text` (all words, any order; accents ignored). None for a text without words."""
    terms = words(text)
    if not terms:
        return None
    if connection.vendor == "sqlite":
        expr = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        return ("listening_mention.id IN (SELECT rowid FROM listening_mention_fts "
                "WHERE listening_mention_fts MATCH %s)", [expr])
    joined = " ".join(terms)
    return (
        "listening_mention.id IN (SELECT mention_id FROM listening_mention_search WHERE doc @@ "
        "(plainto_tsquery('spanish', unaccent(%s)) || plainto_tsquery('english', unaccent(%s)) "
        "|| plainto_tsquery('simple', unaccent(%s))))",
        [joined, joined, joined],
    )
