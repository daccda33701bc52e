"""`tertulia nlp export-corrections`: the analysts' corrections as JSONL training data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import World, make_org
from tests.listening.test_pipeline import BATCH
from typer.testing import CliRunner

from tertulia.cli import app
from tertulia.governance.audit import Actor
from tertulia.listening.actions import do_correct_mention
from tertulia.listening.models import Mention, Query
from tertulia.listening.pipeline import ingest


@pytest.mark.django_db
def test_export_corrections_writes_the_latest_review_of_each_mention(
    world: World, tmp_path: Path,
) -> None:
    Query.objects.create(brand=world.a1, name="Aurora", text='"cafe aurora" OR @cafeaurora')
    ingest(world.acme, BATCH)
    first, second = Mention.objects.order_by("external_id")[:2]
    agent = Actor.of(world.person("agent"))
    do_correct_mention(first, world.a1, "sentiment", "negative", actor=agent)
    do_correct_mention(first, world.a1, "sentiment", "positive", actor=agent)  # changed mind
    do_correct_mention(second, world.a1, "flag", "yellow", actor=agent)
    make_org("Other")  # a second client organization: --org is then needed and honoured
    out = tmp_path / "corrections.jsonl"

    done = CliRunner().invoke(app, ["nlp", "export-corrections", "--org", world.acme.slug,
                                    "--out", str(out)])

    assert done.exit_code == 0, done.output
    assert "2 corrections exported" in done.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_field = {row["field"]: row for row in rows}
    assert set(by_field) == {"sentiment", "flag"}
    assert (by_field["sentiment"]["text"], by_field["sentiment"]["label"]) == (
        first.text, "positive")
    assert (by_field["flag"]["text"], by_field["flag"]["label"]) == (second.text, "yellow")
    assert {row["brand"] for row in rows} == {world.a1.slug}
    # Without --out the rows go to standard output (the count to standard error).
    printed = CliRunner().invoke(app, ["nlp", "export-corrections", "--org", world.acme.slug])
    assert printed.exit_code == 0
    assert [json.loads(line) for line in printed.stdout.splitlines()
            if line.startswith("{")] == rows


@pytest.mark.django_db
def test_export_corrections_refuses_an_unknown_organization_or_an_unwritable_file(
    world: World, tmp_path: Path,
) -> None:
    make_org("Other")
    done = CliRunner().invoke(app, ["nlp", "export-corrections", "--org", "nope"])
    assert done.exit_code == 2
    assert "No organization with slug 'nope'" in done.output
    missing_folder = tmp_path / "absent" / "corrections.jsonl"
    failed = CliRunner().invoke(app, ["nlp", "export-corrections", "--org", world.acme.slug,
                                      "--out", str(missing_folder)])
    assert failed.exit_code == 1
    assert f"Cannot write {missing_folder}" in failed.output
    assert not (tmp_path / "absent").exists()
