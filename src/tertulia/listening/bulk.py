"""Fast bulk writes for the ingest pipeline.

Django's ``bulk_create`` builds a model instance per row, compiles one multi-row INSERT per
28 rows on SQLite and prepares every value through the field machinery: at firehose rates
that costs more than the database itself. A :class:`Table` writes its statement once and
sends plain tuples through the driver's ``executemany``, with values prepared by one small
function per column. Columns a caller does not list get their field's default.

On SQLite the statements go to the driver's own connection (Django's cursor rewrites
every ``%s`` of a statement with a regular expression, which for a 30,000-parameter
INSERT costs more than the insert); it is the same connection, in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

from tertulia.listening.prepare import sqlite_datetime

Prepare = Callable[[Any], Any]
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.FloatField,
          models.BooleanField, models.ForeignKey)


# Bound parameters per statement: SQLite allows 32,766, PostgreSQL 65,535.
_MAX_PARAMS = 30_000


def _identity(value: Any) -> Any:
    return value


def _sqlite_datetime(value: datetime | None) -> str | None:
    return None if value is None else sqlite_datetime(value)


def _sqlite_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _preparer(field: models.Field) -> Prepare:  # type: ignore[type-arg]
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime if sqlite else _identity
    if isinstance(field, _PLAIN):
        return _identity
    if sqlite and isinstance(field, models.JSONField) and field.encoder is None:
        return _sqlite_json
    return lambda value: field.get_db_prep_save(value, connection)


def _mark() -> str:
    return "?" if connection.vendor == "sqlite" else "%s"


def _execute(sql: str, params: Sequence[Any], *, many: bool = False,
             fetch: bool = False) -> list[tuple[Any, ...]]:
    """Run `sql` (written with `_mark()` placeholders) on the current connection."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        cursor = raw.executemany(sql, params) if many else raw.execute(sql, params)
        rows = cursor.fetchall() if fetch else []
        cursor.close()
        return rows
    with connection.cursor() as cursor:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        return cursor.fetchall() if fetch else []


def _prepared(rows: Iterable[tuple[Any, ...]], preps: Sequence[Prepare],
              defaults: tuple[Any, ...]) -> list[list[Any]]:
    """Each row (plus `defaults`) with its values prepared for the driver. A column often
    repeats one value (the batch's clock): the last conversion of each column is reused."""
    convert = [(i, p) for i, p in enumerate(preps) if p is not _identity]
    last: list[Any] = [None] * len(preps)
    done: list[Any] = [None] * len(preps)
    params = []
    for row in rows:
        values = list(row + defaults)
        for i, prep in convert:
            value = values[i]
            if value is last[i] and value is not None:
                values[i] = done[i]
            else:
                last[i] = value
                values[i] = done[i] = prep(value)
        params.append(values)
    return params


class Table:
    """INSERT and UPDATE rows of one model as tuples in a fixed column order (attnames)."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], *,
                 ready: Iterable[str] = ()) -> None:
        """`ready` names columns whose values callers give already as the driver takes
        them (on SQLite, date-times as text): they are passed through untouched."""
        meta = model._meta
        self.model = model
        self.columns = list(columns)
        self.ready = frozenset(ready)
        self._fields = [meta.get_field(name) for name in self.columns]
        listed = {f.attname for f in self._fields}  # type: ignore[union-attr]
        self._rest = [f for f in meta.concrete_fields
                      if not isinstance(f, models.AutoField) and f.attname not in listed]
        stamped = [f.name for f in self._rest if getattr(f, "auto_now", False)
                   or getattr(f, "auto_now_add", False)]
        if stamped:  # their "default" is filled in by save(), which is bypassed here
            raise ValueError(f"list the time-stamped columns explicitly: {stamped}")

    def _insert_parts(self) -> tuple[str, str]:
        fields = self._fields + self._rest
        quote = connection.ops.quote_name
        head = (f"INSERT INTO {quote(self.model._meta.db_table)} "
                f"({', '.join(quote(f.column) for f in fields)}) VALUES ")  # type: ignore[union-attr]
        return head, f"({', '.join([_mark()] * len(fields))})"

    def _params(self, rows: Iterable[tuple[Any, ...]]) -> list[list[Any]]:
        fields = self._fields + self._rest
        defaults = tuple(f.get_default() for f in self._rest)
        preps = [_identity if f.attname in self.ready else _preparer(f)  # type: ignore[union-attr, arg-type]
                 for f in fields]
        return _prepared(rows, preps, defaults)

    def insert(self, rows: Iterable[tuple[Any, ...]], *, ignore_conflicts: bool = False) -> int:
        """Insert every row in one ``executemany``; returns how many rows were sent.
        Primary keys are not read back: use `insert_returning` for that."""
        head, one = self._insert_parts()
        sql = head + one + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
        params = self._params(rows)
        if params:
            _execute(sql, params, many=True)
        return len(params)

    def insert_returning(self, rows: Iterable[tuple[Any, ...]], returning: Sequence[str], *,
                         ignore_conflicts: bool = False) -> list[tuple[Any, ...]]:
        """Insert the rows (multi-row INSERTs) and return `returning`'s columns of each row
        inserted, in no particular order: return a natural key beside the id. With
        `ignore_conflicts`, rows that hit a unique constraint are skipped and not returned."""
        head, one = self._insert_parts()
        quote = connection.ops.quote_name
        tail = (" ON CONFLICT DO NOTHING" if ignore_conflicts else "") + " RETURNING " + ", ".join(
            quote(self.model._meta.get_field(c).column) for c in returning)  # type: ignore[union-attr]
        params = self._params(rows)
        per = max(1, _MAX_PARAMS // (len(self._fields) + len(self._rest)))
        out: list[tuple[Any, ...]] = []
        for start in range(0, len(params), per):
            chunk = params[start:start + per]
            out.extend(_execute(head + ", ".join([one] * len(chunk)) + tail,
                                [v for row in chunk for v in row], fetch=True))
        return out

    def update(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """UPDATE the columns by primary key; each row is (*values in column order, pk)."""
        quote = connection.ops.quote_name
        meta = self.model._meta
        sql = (
            f"UPDATE {quote(meta.db_table)} SET "
            + ", ".join(f"{quote(f.column)} = {_mark()}" for f in self._fields)  # type: ignore[union-attr]
            + f" WHERE {quote(meta.pk.column)} = {_mark()}"  # type: ignore[union-attr]
        )
        preps = [_preparer(f) for f in self._fields]  # type: ignore[arg-type]
        params = _prepared(rows, [*preps, _identity], ())
        if params:
            _execute(sql, params, many=True)


def select_in(model: type[models.Model], columns: Sequence[str], where: dict[str, Any],
              key: str, values: Sequence[Any], *, chunk: int = 1000) -> list[tuple[Any, ...]]:
    """``SELECT columns FROM model WHERE <where equalities> AND key IN values`` as plain
    tuples (no model instances, no ORM lookups: at ingest rates those cost more than the
    query). Values come back as the driver returns them (SQLite: naive UTC datetimes)."""
    meta = model._meta
    quote = connection.ops.quote_name

    def col(name: str) -> str:
        return quote(meta.get_field(name).column)  # type: ignore[union-attr]

    head = (f"SELECT {', '.join(col(c) for c in columns)} FROM {quote(meta.db_table)} WHERE "
            + "".join(f"{col(k)} = {_mark()} AND " for k in where) + f"{col(key)} IN (")
    fixed = list(where.values())
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(values), chunk):
        part = list(values[start:start + chunk])
        out.extend(_execute(head + ", ".join([_mark()] * len(part)) + ")", fixed + part,
                            fetch=True))
    return out
