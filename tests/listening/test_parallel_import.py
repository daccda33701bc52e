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


@pytest.mark.django_db
def test_a_query_saved_during_the_import_applies_to_the_rest_of_the_file(
        world: World, tmp_path: Path) -> None:
    Query.objects.create(brand=world.a1, name="Aurora", text="aurora")
    path = export(tmp_path / "export.jsonl", 300)
    added: list[Query] = []

    def progress(_done: int, _total: int) -> None:
        if not added:  # after the first batch is stored
            added.append(Query.objects.create(brand=world.a1, name="Rival",
                                              text='"tostadero norte"'))

    import_file(world.acme, path, report_path=tmp_path / "errors.csv", batch_size=50,
                workers=1, progress=progress)
    rival = set(MentionMatch.objects.filter(query=added[0]).values_list(
        "mention__external_id", flat=True))
    mentioning = {m.external_id for m in Mention.objects.filter(
        organization=world.acme, text__icontains="tostadero norte")}
    # The first batch holds 50 lines: items p0 to about p48 (one line is broken JSON).
    early = {f"p{i}" for i in range(45)}
    late = {f"p{i}" for i in range(52, 300)}
    assert not rival & early and rival >= mentioning & late and rival <= mentioning
    assert MentionMatch.objects.filter(query__name="Aurora").count() > 0


@pytest.mark.django_db
def test_a_csv_export_imports_the_same_in_workers(world: World, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=";")
        out.writerow(["Mention Id", "Page Type", "Author", "Date", "Full Text", "Likes"])
        for i in range(120):
            out.writerow([f"c{i}", "twitter", f"fan{i % 9}", f"2026-11-0{1 + i % 9} 10:00",
                          TEXTS[i % len(TEXTS)], "2K" if i % 10 == 0 else str(i)])
        out.writerow(["c-bad", "twitter", "", "not a date", "no author, no date", "x"])
    serial = import_file(world.acme, path, report_path=tmp_path / "serial.csv")
    parallel = import_file(world.other, path, report_path=tmp_path / "parallel.csv",
                           workers=1)
    assert (serial.created, parallel.created) == (120, 120)
    assert serial.errors == parallel.errors > 0
    assert stored(world.acme) == stored(world.other)
    assert (tmp_path / "serial.csv").read_text() == (tmp_path / "parallel.csv").read_text()
