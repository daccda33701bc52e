"""An import in worker processes stores exactly what the in-process import stores."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tertulia.listening.importing import import_file
from tertulia.listening.models import Mention, MentionMatch, Query
from tests.conftest import World

TEXTS = [
    "Café Aurora abre en Sol, me encanta el tostado",
    "Aurora no me devuelve el dinero, fatal servicio",
    "Quiero comprar la cafetera Aurora, ¿precio?",
    "Tostadero Norte mejor que nunca",
    "Nothing to see here, just coffee",
    "Aurora coffee is amazing this morning!",
]


def export(path: Path, n: int) -> Path:
    lines = []
    for i in range(n):
        row = {
            "network": "x" if i % 3 else "instagram", "external_id": f"p{i}",
            "author_handle": f"fan{i % 37}", "author_followers": i,
            "created_at": f"2026-11-{1 + i % 20:02d}T10:{i % 60:02d}:00Z",
            "text": TEXTS[i % len(TEXTS)] + f" #{i}", "likes": i % 7,
        }
        if i % 17 == 5:
            row["author_followers"] = -1  # invalid: reported, the rest kept
        lines.append(json.dumps(row))
        if i % 41 == 7:
            lines.append("{broken")
    path.write_text("\n".join(lines) + "\n")
    return path


def stored(org: object) -> list[tuple[object, ...]]:
    return sorted(Mention.objects.filter(organization=org).values_list(
        "network", "external_id", "text", "language", "sentiment", "flag", "is_spam", "likes",
        "author__handle", "author__followers", "keywords"))


def matched(org: object) -> list[tuple[str, str]]:
    return sorted(MentionMatch.objects.filter(mention__organization=org).values_list(
        "mention__external_id", "query__name"))


@pytest.mark.django_db
def test_workers_store_what_one_process_stores(world: World, tmp_path: Path) -> None:
    for org_brand in (world.a1, world.o1):
        Query.objects.create(brand=org_brand, name="Aurora", text="aurora")
        Query.objects.create(brand=org_brand, name="Rival", text='"tostadero norte"')
    path = export(tmp_path / "export.jsonl", 400)
    serial = import_file(world.acme, path, report_path=tmp_path / "serial.csv",
                         batch_size=64)
    parallel = import_file(world.other, path, report_path=tmp_path / "parallel.csv",
                           batch_size=64, workers=1)
    assert (parallel.created, parallel.errors) == (serial.created, serial.errors)
    assert serial.created == 400 - len([i for i in range(400) if i % 17 == 5])
    assert stored(world.acme) == stored(world.other)
    assert matched(world.acme) == matched(world.other) != []
    assert list(csv.reader((tmp_path / "serial.csv").open())) == list(
        csv.reader((tmp_path / "parallel.csv").open()))

    again = import_file(world.other, path, report_path=tmp_path / "again.csv", workers=2)
    assert (again.created, again.updated, again.unchanged) == (0, 0, serial.created)
