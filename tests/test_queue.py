"""The task queue works on its embedded SQLite store and on a real Redis."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey
from huey.api import Huey


def _needs(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        if os.environ.get("TERTULIA_REQUIRE_SERVICES"):
            pytest.fail(f"{name} is required (make test starts the service)")
        pytest.skip(f"{name} is not set")
    return value


def _round_trip(huey: Huey) -> None:
    @huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    result = add(2, 3)
    task = huey.dequeue()
    assert task is not None
    huey.execute(task)
    assert result.get(blocking=True, timeout=5) == 5


def test_embedded_sqlite_queue(tmp_path: Path) -> None:
    _round_trip(SqliteHuey("test", filename=str(tmp_path / "queue.sqlite3")))


def test_redis_queue() -> None:
    huey = RedisHuey(f"test-{os.getpid()}", url=_needs("TERTULIA_TEST_REDIS_URL"))
    try:
        _round_trip(huey)
    finally:
        huey.storage.flush_all()
