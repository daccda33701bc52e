"""In Chromium: open a brand's dashboard, generate and download a report in each format,
and look at the PDF's pages (rendered with pdftoppm) to check they are not blank; then the
alert list and a crisis room."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from tertulia.insights import alerts
from tertulia.insights.alert_actions import do_raise_alert
from tertulia.listening.models import Query
from tertulia.listening.pipeline import ingest
from tests.browser.conftest import shot
from tests.conftest import PASSWORD, build_world
from tests.insights.conftest import post

PDFTOPPM = shutil.which("pdftoppm")


def _seed() -> Any:
    world = build_world()
    Query.objects.create(brand=world.a1, name="Aurora", kind=Query.Kind.BRAND,
                         text='"cafe aurora" OR @cafeaurora')
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    ingest(world.acme, [
        post(str(i), text, handle=f"p{i}", at=now - timedelta(hours=7 * i), likes=i,
             followers=100 * i)
        for i, text in enumerate([
            "Me encanta el Café Aurora, genial", "@cafeaurora my order never arrived",
            "Café Aurora abre en el centro", "cafe aurora: servicio lento hoy",
            "Great coffee at Cafe Aurora", "Café Aurora, como siempre"], start=1)])
    return world


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/o/**")


def _page_images(pdf: Path, tmp_path: Path) -> list[Any]:
    """Each page as an array of grey levels (0 black … 255 white)."""
    import matplotlib.image as mpimg

    assert PDFTOPPM, "pdftoppm (poppler-utils) is needed to look at the pages"
    subprocess.run([PDFTOPPM, "-r", "40", "-png", "-gray", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    images = []
    for png in sorted(tmp_path.glob("page*.png")):
        data = mpimg.imread(str(png))
        images.append(np.asarray(data, dtype=float) * (255 if data.max() <= 1 else 1))
    return images


@pytest.mark.django_db(transaction=True)
def test_dashboard_then_each_report_format_downloads_and_pdf_pages_are_not_blank(
        page: Any, live_server: Any, tmp_path: Path) -> None:
    world = _seed()
    base = live_server.url
    brand = f"{base}/o/{world.acme.slug}/b/{world.a1.slug}"
    _sign_in(page, base, world.person("analyst").email)
    page.goto(f"{brand}/insights/?period=30d")
    assert page.locator("canvas, svg").count() > 0, "the dashboard draws its charts"
    shot(page, "insights-dashboard")
    files: dict[str, Path] = {}
    for fmt in ("pdf", "pptx", "xlsx"):
        page.goto(f"{brand}/reports/")
        page.select_option("select[name=template]", "pr")
        page.select_option("select[name=format]", fmt)
        page.select_option("select[name=period]", "30d")
        # Tests run the queue immediately: the file is made before the page comes back.
        with page.expect_navigation(timeout=180000):
            page.click("#report-form button[type=submit]", no_wait_after=True)
        link = page.locator("#report-list tbody tr").first.get_by_role("link",
                                                                       name="Download")
        link.wait_for(timeout=60000)
        with page.expect_download() as info:
            link.click()
        target = tmp_path / f"report.{fmt}"
        info.value.save_as(str(target))
        files[fmt] = target
    shot(page, "insights-reports")
    assert files["pdf"].read_bytes()[:5] == b"%PDF-"
    for fmt in ("pptx", "xlsx"):
        with zipfile.ZipFile(io.BytesIO(files[fmt].read_bytes())) as z:
            assert any(n.endswith(".xml") for n in z.namelist()), fmt
    from pypdf import PdfReader

    pages = PdfReader(files["pdf"]).pages
    images = _page_images(files["pdf"], tmp_path)
    assert len(images) == len(pages) >= 1
    inks = []
    for i, grey in enumerate(images, start=1):
        # The body only: a page holding nothing but its running footer is blank.
        body = grey[: int(grey.shape[0] * 0.92)]
        ink = float((body < 200).mean())
        inks.append(ink)
        assert ink > 0.001 and float(body.std()) > 3, f"page {i} looks blank ({ink:.4f} ink)"
    assert max(inks) > 0.02, "the chart pages carry real drawing, not just a line of text"


@pytest.mark.django_db(transaction=True)
def test_alerts_list_and_crisis_room(page: Any, live_server: Any) -> None:
    world = _seed()
    now = timezone.now()
    found = alerts.Alert("negative_surge", now, 12, 18, 5.0, total=24, baseline_share=0.2,
                         p_value=1e-8)
    alert = do_raise_alert(world.a1, found, evidence=[], now=now)
    base = live_server.url
    brand = f"{base}/o/{world.acme.slug}/b/{world.a1.slug}"
    _sign_in(page, base, world.person("analyst").email)
    page.goto(f"{brand}/alerts/")
    assert "18 of 24 mentions negative" in page.locator("#alert-rows").inner_text()
    shot(page, "insights-alerts")
    page.click(f"#alert-{alert.id} a")
    page.click("#alert-claim")
    page.fill("#alert-note", "Llamamos a la tienda del centro")
    page.click("#alert-note-form button[type=submit]")
    timeline = page.locator("#alert-timeline").inner_text()
    assert "claimed" in timeline and "Llamamos a la tienda del centro" in timeline
    shot(page, "insights-crisis-room")
    page.goto(f"{brand}/reports/schedules/")
    page.fill("input[name=name]", "Weekly for the board")
    page.fill("input[name=recipients]", "board@outside.example")
    page.click("#schedule-form button[type=submit]")
    assert "board@outside.example" in page.locator("#schedule-list").inner_text()
    shot(page, "insights-schedules")
