"""The task queue: SQLite embedded by default, Redis when TERTULIA_REDIS_URL is set."""

from __future__ import annotations

from django.conf import settings
from huey import RedisHuey, SqliteHuey
from huey.api import Huey


def _make() -> Huey:
    if settings.REDIS_URL:
        return RedisHuey("tertulia", url=settings.REDIS_URL, immediate=settings.TESTING)
    return SqliteHuey(
        "tertulia", filename=str(settings.DATA_DIR / "queue.sqlite3"),
        immediate=settings.TESTING,
    )


huey = _make()
