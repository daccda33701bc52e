"""An administrator imports an export through the web: progress, counts, the error report,
and a re-run that changes nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tertulia.governance.demo import seed_demo
from tertulia.listening.models import Mention
from tests.browser.conftest import shot
from tests.browser.test_shell import sign_in

ROWS = [
    {"network": "x", "external_id": "web-1", "author_handle": "lucia_madrid",
     "created_at": "2026-11-20T09:00:00Z", "text": "El flat white de Café Aurora 👌"},
    {"network": "instagram", "external_id": "web-2", "author_handle": "tom_reads",
     "created_at": "2026-11-20T09:05:00Z", "text": "Aurora's new roast is lovely"},
    {"network": "x", "external_id": "web-3", "author_handle": "bad_date",
     "created_at": "yesterday-ish", "text": "This row has a date nobody can read"},
]


def counts(page: Any) -> dict[str, str]:
    labels = page.locator("#import-counts dt").all_inner_texts()
    values = page.locator("#import-counts dd").all_inner_texts()
    return dict(zip(labels, values, strict=True))


@pytest.mark.django_db(transaction=True)
def test_owner_imports_a_file_and_downloads_the_error_report(
        page: Any, live_server: Any, tmp_path: Path) -> None:
    seed_demo()
    export = tmp_path / "mentions.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in ROWS]
    lines.insert(1, "{this is not json")
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")

    sign_in(page, live_server.url, "owner@cafe-aurora.example")
    page.goto(f"{live_server.url}/o/cafe-aurora/import/")
    page.set_input_files("#import-form input[type=file]", str(export))
    page.click("#import-form button[type=submit]")
    page.wait_for_url("**/import/*/")
    page.locator("#import-progress .progress-bar.bg-green").wait_for()
    # The demo owner reads the platform in Spanish.
    assert counts(page) == {"Filas leídas": "4", "Menciones nuevas": "2", "Actualizadas": "0",
                            "Sin cambios": "0", "Filas con errores": "2"}
    shot(page, "import-done")

    with page.expect_download() as download:
        page.click("#import-errors")
    report = tmp_path / "errors.csv"
    download.value.save_as(report)
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["line"], r["field"]) for r in rows] == [("2", "line"), ("4", "created_at")]
    assert set(Mention.objects.filter(external_id__startswith="web-").values_list(
        "external_id", flat=True)) == {"web-1", "web-2"}

    page.click("text=Ejecutar de nuevo")
    page.locator("#import-progress .progress-bar.bg-green").wait_for()
    assert counts(page)["Menciones nuevas"] == "0" and counts(page)["Sin cambios"] == "2"
    assert Mention.objects.filter(external_id__startswith="web-").count() == 2
