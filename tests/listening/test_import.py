"""`tertulia import FILE`: good rows kept, bad rows reported by line, re-runs change nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tertulia.cli import app
from tertulia.listening.models import Mention
from tests.conftest import World

ROWS = [
    {
        "network": "x",
        "external_id": "a1",
        "author_handle": "ana",
        "author_followers": 10,
        "created_at": "2026-11-01T10:00:00Z",
        "text": "Café Aurora abre en Sol",
        "url": "https://x.example/1",
    },
    {
        "network": "x",
        "external_id": "a2",
        "author_handle": "bob",
        "author_followers": -5,
        "created_at": "2026-11-01T10:01:00Z",
        "text": "bad followers",
        "url": "https://x.example/2",
    },
    {
        "network": "x",
        "external_id": "a3",
        "author_handle": "cam",
        "author_followers": 3,
        "created_at": "not a date",
        "text": "bad date",
        "url": "https://x.example/3",
    },
    {
        "network": "instagram",
        "external_id": "a4",
        "author_handle": "dani",
        "author_followers": 7,
        "created_at": "2026-11-01T11:00:00+01:00",
        "text": "Me encanta",
        "url": "https://i.example/4",
    },
]


@pytest.mark.django_db
def test_jsonl_import_keeps_good_rows_and_reports_bad_ones(world: World, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    lines = [json.dumps(r) for r in ROWS]
    lines.insert(2, "{not json")
    path.write_text("\n".join(lines) + "\n")
    report = tmp_path / "errors.csv"
    runner = CliRunner()
    result = runner.invoke(
        app, ["import", str(path), "--org", world.acme.slug, "--errors", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert "2 new" in result.output and "3 with errors" in result.output
    assert set(Mention.objects.values_list("external_id", flat=True)) == {"a1", "a4"}
    errors = list(csv.DictReader(report.open()))
    assert [int(e["line"]) for e in errors] == [2, 3, 4]
    assert {e["field"] for e in errors} >= {"author_followers", "created_at"}

    again = runner.invoke(
        app, ["import", str(path), "--org", world.acme.slug, "--errors", str(report)]
    )
    assert "0 new" in again.output and "2 unchanged" in again.output
    assert Mention.objects.count() == 2


@pytest.mark.django_db
def test_csv_import_with_column_mapping(world: World, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Red", "Id", "Usuario", "Fecha", "Texto", "Enlace"])
        writer.writerow(
            ["x", "c1", "lucia", "2026-11-02T08:00:00Z", "Hola @cafeaurora", "https://x.example/c1"]
        )
    result = CliRunner().invoke(
        app,
        [
            "import",
            str(path),
            "--org",
            world.acme.slug,
            "--map",
            "network=Red",
            "--map",
            "external_id=Id",
            "--map",
            "author_handle=Usuario",
            "--map",
            "created_at=Fecha",
            "--map",
            "text=Texto",
            "--map",
            "url=Enlace",
            "--errors",
            str(tmp_path / "e.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert Mention.objects.get(external_id="c1").author.handle == "lucia"


@pytest.mark.django_db
def test_a_bad_mapping_is_refused_before_reading(world: World, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(
        app, ["import", str(path), "--org", world.acme.slug, "--map", "colour=a"]
    )
    assert result.exit_code == 2
    assert "unknown field" in result.output
