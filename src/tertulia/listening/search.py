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
    # Deleting a mention (purge, erasure, flush) deletes its index entry.
    "CREATE TRIGGER IF NOT EXISTS listening_mention_fts_forget AFTER DELETE ON "
    "listening_mention BEGIN DELETE FROM listening_mention_fts WHERE rowid = OLD.id; END",
]
# No foreign key from the index to the mentions: Django's flush truncates its own tables
# only, and PostgreSQL refuses to truncate a table another one references. Triggers keep
# the index in step with deletions and truncations instead.
POSTGRES_SCHEMA = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TABLE IF NOT EXISTS listening_mention_search ("
    "mention_id bigint PRIMARY KEY, doc tsvector NOT NULL)",
    "ALTER TABLE listening_mention_search "
    "DROP CONSTRAINT IF EXISTS listening_mention_search_mention_id_fkey",
    "CREATE INDEX IF NOT EXISTS listening_mention_search_doc ON listening_mention_search "
    "USING gin (doc)",
    "CREATE OR REPLACE FUNCTION listening_mention_search_forget() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "DELETE FROM listening_mention_search WHERE mention_id = OLD.id; RETURN OLD; END $$",
    "DROP TRIGGER IF EXISTS listening_mention_search_forget ON listening_mention",
    "CREATE TRIGGER listening_mention_search_forget AFTER DELETE ON listening_mention "
    "FOR EACH ROW EXECUTE FUNCTION listening_mention_search_forget()",
    "CREATE OR REPLACE FUNCTION listening_mention_search_truncate() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN TRUNCATE listening_mention_search; RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS listening_mention_search_truncate ON listening_mention",
    "CREATE TRIGGER listening_mention_search_truncate AFTER TRUNCATE ON listening_mention "
    "FOR EACH STATEMENT EXECUTE FUNCTION listening_mention_search_truncate()",
]
DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS listening_mention_fts_forget",
               "DROP TABLE IF EXISTS listening_mention_fts"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS listening_mention_search_forget ON listening_mention",
        "DROP TRIGGER IF EXISTS listening_mention_search_truncate ON listening_mention",
        "DROP TABLE IF EXISTS listening_mention_search",
        "DROP FUNCTION IF EXISTS listening_mention_search_forget()",
        "DROP FUNCTION IF EXISTS listening_mention_search_truncate()",
    ],
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


def index(rows: Iterable[tuple[int, str, str]], *, new: bool = False) -> None:
    """(mention id, language, body) → the index; re-indexing an id replaces its entry.
    `new=True` says the ids were never indexed (mentions just inserted)."""
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if not new:
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
        # The unary + keeps SQLite from driving the query from the full-text hits (one
        # primary-key lookup per document holding a frequent word); the stream's own
        # brand/time index leads and the FTS set is probed.
        return ("+listening_mention.id IN (SELECT rowid FROM listening_mention_fts "
                "WHERE listening_mention_fts MATCH %s)", [expr])
    joined = " ".join(terms)
    return (
        "listening_mention.id IN (SELECT mention_id FROM listening_mention_search WHERE doc @@ "
        "(plainto_tsquery('spanish', unaccent(%s)) || plainto_tsquery('english', unaccent(%s)) "
        "|| plainto_tsquery('simple', unaccent(%s))))",
        [joined, joined, joined],
    )
