"""In Chromium: the department dashboards draw their charts, and a business data file goes
through upload → preview (mapping, row errors) → import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tertulia.governance.actions import do_add_account
from tertulia.insights.models import BusinessFigure
from tertulia.listening.models import Query
from tertulia.listening.pipeline import ingest
from tests.browser.conftest import shot
from tests.browser.test_insights_reports import _sign_in
from tests.conftest import SYSTEM, build_world
from tests.insights.conftest import post


@pytest.mark.django_db(transaction=True)
def test_department_dashboards_and_a_business_import(page: Any, live_server: Any,
                                                     tmp_path: Path) -> None:
    world = build_world()
    Query.objects.create(brand=world.a1, name="Aurora", kind=Query.Kind.BRAND,
                         text='"cafe aurora" OR @cafeaurora')
    do_add_account(world.a1, "x", "cafeaurora", actor=SYSTEM)
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    ingest(world.acme, [
        post(str(i), f"Café Aurora número {i}", handle="cafeaurora" if i % 3 == 0 else f"p{i}",
             at=now - timedelta(hours=9 * i), likes=i, followers=1000 + 10 * i)
        for i in range(1, 30)])
    today = timezone.localdate()
    rows = ["fecha;ventas;nps;campaña;coste;valor de conversión"]
    rows += [f"{today - timedelta(days=i)};{1000 + 37 * (i % 7)};{30 + i % 5};;;"
             for i in range(20)]
    rows += [f"{today};;;Aurora;200;650", "ayer;12;;;;", f"{today};x;;;;"]
    upload = tmp_path / "ventas.csv"
    upload.write_text("\n".join(rows) + "\n", encoding="utf-8")

    base = live_server.url
    brand = f"{base}/o/{world.acme.slug}/b/{world.a1.slug}/insights"
    _sign_in(page, base, world.person("analyst").email)
    page.goto(f"{brand}/business/import/")
    page.set_input_files("#upload-file", str(upload))
    page.click("#upload-form button[type=submit]")
    page.locator("#preview").wait_for()
    assert "not a date" in page.locator("#row-errors").inner_text()
    shot(page, "insights-business-preview")
    page.click("#confirm-import")
    page.locator("#import-summary").wait_for()
    assert BusinessFigure.objects.filter(brand=world.a1, metric="sales").count() == 20
    for name in ("marketing", "sales", "service", "business"):
        page.goto(f"{brand}/{name}/?period=30d")
        page.locator(".insights-chart canvas, .insights-chart svg").first.wait_for()
        assert page.locator("#kpis .kpi").count() >= 2, name
        shot(page, f"insights-{name}")
