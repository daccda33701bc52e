"""Reports: every template in every format, opened with a parser, figures checked against
the database; departments without a data source say so instead of inventing numbers."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client
from pptx import Presentation
from typer.testing import CliRunner

from tertulia.cli import app
from tertulia.governance.models import AuditEvent
from tertulia.insights.models import Report
from tertulia.insights.reports import TEMPLATES
from tertulia.listening.models import Mention, MentionMatch
from tests.conftest import World
from tests.insights.test_dashboards import board_world  # noqa: F401  (fixture)

# Each report of a department without a data source says which source is missing.
NOT_CONNECTED = {"marketing": "Owned-account metrics", "sales": "CRM", "service": "case data",
                 "weekly": "Owned-account metrics"}


def _own_mentions(world: World) -> int:
    return Mention.objects.filter(matches__brand=world.a1).exclude(
        matches__query__kind="competitor").distinct().count()


def _run(world: World, tmp_path: Path, template: str, fmt: str, lang: str = "en") -> Path:
    out = tmp_path / f"{template}.{fmt}"
    result = CliRunner().invoke(app, [
        "report", "--org", world.acme.slug, "--brand", world.a1.slug, "--template", template,
        "--format", fmt, "--lang", lang, "--out", str(out), "--period", "90d"])
    assert result.exit_code == 0, result.output
    return out


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.django_db
@pytest.mark.parametrize("template", TEMPLATES)
def test_pdf_of_each_template(board_world: World, tmp_path: Path, template: str) -> None:  # noqa: F811
    text = _pdf_text(_run(board_world, tmp_path, template, "pdf"))
    assert "Acme One" in text
    if template in NOT_CONNECTED:
        assert NOT_CONNECTED[template] in " ".join(text.split()), "said plainly"
    if template in ("pr", "executive", "marketing", "weekly"):
        assert f"MENTIONS\n{_own_mentions(board_world)}" in text.upper() or \
            f"Mentions\n{_own_mentions(board_world)}" in text


@pytest.mark.django_db
def test_spanish_pdf_reads_spanish(board_world: World, tmp_path: Path) -> None:  # noqa: F811
    text = _pdf_text(_run(board_world, tmp_path, "pr", "pdf", "es"))
    assert "Informe de PR y comunicación" in text and "Cuota de conversación" in text
    assert "Generado por tertulia" in text


@pytest.mark.django_db
@pytest.mark.parametrize("template", TEMPLATES)
def test_pptx_charts_are_native_and_match_the_database(
    board_world: World, tmp_path: Path, template: str  # noqa: F811
) -> None:
    deck = Presentation(str(_run(board_world, tmp_path, template, "pptx")))
    charts = {shape.chart.chart_title.text_frame.text if shape.chart.has_title else
              slide.shapes.title.text: shape.chart
              for slide in deck.slides for shape in slide.shapes if shape.has_chart}
    texts = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes
                     if shape.has_text_frame)
    if template in NOT_CONNECTED:
        assert NOT_CONNECTED[template] in texts
    if template == "pr":
        sov = charts["Share of voice"]
        values = list(sov.plots[0].series[0].values)
        rivals = {q: MentionMatch.objects.filter(query__name=q, brand=board_world.a1).count()
                  for q in ("Bruma", "Tostadero")}
        assert values == [_own_mentions(board_world), rivals["Bruma"], rivals["Tostadero"]]
        assert list(sov.plots[0].categories) == ["Acme One", "Bruma", "Tostadero"]
        volume = charts["Mentions over time by sentiment"]
        assert sum(sum(s.values) for s in volume.plots[0].series) == _own_mentions(board_world)
    if template != "executive":
        assert charts or template in ("sales", "service"), "charts are native chart parts"


@pytest.mark.django_db
@pytest.mark.parametrize("template", TEMPLATES)
def test_xlsx_has_raw_tables_and_native_charts(
    board_world: World, tmp_path: Path, template: str  # noqa: F811
) -> None:
    path = _run(board_world, tmp_path, template, "xlsx")
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    book = openpyxl.load_workbook(path)
    summary = book["Summary"]
    rows = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r and r[0]}
    if template in ("pr", "executive", "marketing", "weekly"):
        assert rows["Mentions"] == _own_mentions(board_world)
    if template == "pr":
        sov = book["Share of voice"]
        table = list(sov.iter_rows(values_only=True))
        assert table[0][:2] == ("Brand", "Mentions")
        assert table[1][:2] == ("Acme One", _own_mentions(board_world))
    if template in NOT_CONNECTED:
        notes = " ".join(str(c) for r in summary.iter_rows(values_only=True) for c in r if c)
        assert NOT_CONNECTED[template] in notes


@pytest.mark.django_db
def test_hostile_text_stays_text_in_every_file(board_world: World, tmp_path: Path) -> None:  # noqa: F811
    Mention.objects.filter(external_id="5").update(keywords=["=HYPERLINK(\"http://evil\")"])
    book = openpyxl.load_workbook(_run(board_world, tmp_path, "pr", "xlsx"))
    cells = [c for ws in book for r in ws.iter_rows() for c in r if c.value]
    hostile = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert hostile and all(c.data_type == "s" for c in hostile), "a string, not a formula"


@pytest.mark.django_db
def test_report_command_refuses_bad_input(board_world: World, tmp_path: Path) -> None:  # noqa: F811
    run = CliRunner().invoke
    bad = run(app, ["report", "--org", "acme", "--brand", "acme-one", "--template", "monthly",
                    "--format", "doc", "--lang", "fr", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2
    assert "--template must be one of executive, marketing, pr, sales, service, weekly" in \
        bad.output and "--format" in bad.output and "--lang" in bad.output
    nobrand = run(app, ["report", "--org", "acme", "--brand", "zzz", "--template", "pr",
                        "--out", str(tmp_path / "x.pdf")])
    assert nobrand.exit_code == 2 and "its brands: acme-one, acme-two" in nobrand.output
    dates = run(app, ["report", "--org", "acme", "--brand", "acme-one", "--template", "pr",
                      "--since", "2026-05-01", "--until", "2026-04-01",
                      "--out", str(tmp_path / "x.pdf")])
    assert dates.exit_code == 2 and "Bad period" in dates.output
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.django_db
def test_reports_page_generates_in_the_background_and_downloads(
    board_world: World, client: Client, django_capture_on_commit_callbacks: Any  # noqa: F811
) -> None:
    world = board_world
    url = f"/o/{world.acme.slug}/b/{world.a1.slug}/reports/"
    client.force_login(world.person("analyst"))
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"template": "pr", "format": "xlsx", "language": "es",
                                     "period": "30d", "compare": "previous"})
    assert response.status_code == 302
    report = Report.objects.get(brand=world.a1)
    assert (report.status, report.progress, report.requested_by) == (
        "done", 100, world.person("analyst"))
    assert AuditEvent.objects.filter(action="report.requested", brand=world.a1).exists()
    page = client.get(url).content.decode()
    assert f"/reports/{report.id}/download/" in page and 'hx-trigger="every 2s"' not in page
    download = client.get(f"{url}{report.id}/download/")
    body = b"".join(download.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert "Resumen" in book.sheetnames
    bad = client.post(url, {"template": "monthly", "format": "pdf", "language": "es",
                            "period": "30d", "compare": "previous"})
    assert bad.status_code == 200 and "monthly" in bad.content.decode()
    assert Report.objects.count() == 1
    client.force_login(world.person("agent"))
    assert client.get(url).status_code == 403
    assert client.get(f"{url}{report.id}/download/").status_code == 403


@pytest.mark.django_db
def test_a_failing_report_says_so(board_world: World, client: Client,  # noqa: F811
                                  django_capture_on_commit_callbacks: Any,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from tertulia.insights.reports import files

    def boom(doc: object, fmt: str) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(files, "render_report", boom)
    world = board_world
    client.force_login(world.person("owner"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/{world.acme.slug}/b/{world.a1.slug}/reports/", {
            "template": "weekly", "format": "pdf", "language": "en", "period": "7d",
            "compare": "none"})
    report = Report.objects.get()
    assert (report.status, report.error) == ("failed", "no fonts")
    assert "no fonts" in client.get(f"/o/{world.acme.slug}/b/{world.a1.slug}/reports/"
                                    ).content.decode()


@pytest.mark.django_db
def test_an_agencys_executive_report_covers_only_its_brands(
    board_world: World, django_capture_on_commit_callbacks: Any  # noqa: F811
) -> None:
    from tertulia.governance import actions
    from tertulia.governance.audit import Actor
    from tertulia.governance.permissions import Role
    from tertulia.insights.actions import do_request_report
    from tertulia.insights.metrics import Compare, Period
    from tertulia.insights.reports.files import path_of
    from tests.conftest import SYSTEM, make_user

    world = board_world
    person = make_user("analyst@agency.test")
    actions.do_grant_role(world.agency, person, Role.ORG_ADMIN, None, actor=SYSTEM)
    actions.do_grant_agency(world.acme, world.agency, Role.ANALYST, [world.a2], actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        report = do_request_report(world.a2, template="executive", fmt="xlsx", language="en",
                                   period=Period(date(2026, 1, 1), date(2026, 12, 31)),
                                   compare=Compare.NONE, actor=Actor.of(person))
    report.refresh_from_db()
    book = openpyxl.load_workbook(path_of(report))
    brands = [r[0] for r in book["Brands"].iter_rows(min_row=2, values_only=True)]
    assert brands == ["Acme Two"], "Acme One is not the agency's to report on"
