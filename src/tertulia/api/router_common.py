"""Shapes shared by every API router."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class Problem(Schema):
    """Every error answer: a `detail` (a sentence, or a list of field problems)."""

    detail: Any


def answers(ok: Any, *, ok_status: int = 200, **extra: Any) -> dict[int, Any]:
    """The documented responses of an operation: its success plus the errors any
    authenticated operation may give."""
    return {ok_status: ok, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem,
            429: Problem, **{int(k.removeprefix("s")): v for k, v in extra.items()}}
