"""Dashboards read the rollups, agree with the stream they link to, and show each person
only the brands they may see."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from tertulia.governance import actions
from tertulia.governance.permissions import Role
from tertulia.insights.models import HourlyRollup
from tertulia.listening.models import Mention, MentionMatch, Query
from tertulia.listening.pipeline import ingest
from tests.conftest import SYSTEM, World, make_user
from tests.insights.conftest import hours, post

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def board_world(world: World, queries: dict[str, Query]) -> World:
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - hours(1)
    items = [
        post("1", "Me encanta el Café Aurora, genial", at=now, likes=3, followers=1000),
        post("2", "@cafeaurora my order never arrived, terrible refund", handle="sam",
             at=now - hours(30), followers=9000, comments=2),
        post("3", "Tostadero Norte abre nueva tienda", handle="prensa", at=now - hours(50)),
        post("4", "bruma coffee es lo mejor", handle="bru", at=now - hours(5)),
        post("5", f"Café Aurora {HOSTILE}", handle="evil", at=now - hours(2),
             followers=50_000),
        post("6", "Café Aurora hace un año", handle="old", at=now - timedelta(days=45)),
    ]
    ingest(world.acme, items)
    # A keyword and an author name that try to run script.
    Mention.objects.filter(external_id="5").update(keywords=[HOSTILE, "aurora"])
    return world


def _url(world: World, suffix: str = "insights/", brand: object = None) -> str:
    return f"/o/{world.acme.slug}/b/{(brand or world.a1).slug}/{suffix}"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_pr_dashboard_figures_match_the_database(board_world: World, client: Client) -> None:
    world = board_world
    client.force_login(world.person("analyst"))
    response = client.get(_url(world), {"period": "7d"})
    assert response.status_code == 200
    board = response.context["board"]
    own = Mention.objects.filter(matches__brand=world.a1).exclude(
        matches__query__kind="competitor").distinct()
    recent = own.filter(created_at__gte=timezone.now() - timedelta(days=6, hours=23))
    kpis = {k.metric.key: k for k in board.kpis}
    assert kpis["mentions"].raw == recent.count() == 3
    assert kpis["reach"].raw == sum(m.author_followers or 0 for m in recent)
    rivals = MentionMatch.objects.filter(query__kind="competitor", brand=world.a1).count()
    assert kpis["share_of_voice"].raw == pytest.approx(100 * 3 / (3 + rivals))
    sov = board.widget("share_of_voice")
    assert sov.categories == ["Acme One", "Bruma", "Tostadero"]
    assert sov.series[0].values == [3, 1, 1]
    volume = board.widget("volume")
    assert sum(sum(s.values) for s in volume.series) == 3


@pytest.mark.django_db
def test_each_drill_down_opens_exactly_the_mentions_counted(
    board_world: World, client: Client
) -> None:
    world = board_world
    client.force_login(world.person("owner"))
    board = client.get(_url(world), {"period": "7d"}).context["board"]
    for chart_key in ("volume", "share_of_voice", "network"):
        chart = board.widget(chart_key)
        for series in chart.series:
            for value, link in zip(series.values, series.links, strict=True):
                if not value:
                    continue
                path = urlsplit(link)
                assert path.path == _url(world, "listen/")
                params = {k: v[0] for k, v in parse_qs(path.query).items()}
                shown = client.get(path.path, params).context["mentions"]
                assert len(shown) == value, (chart_key, series.name, link)


@pytest.mark.django_db
def test_every_widget_downloads_as_csv(board_world: World, client: Client) -> None:
    world = board_world
    client.force_login(world.person("owner"))
    board = client.get(_url(world), {"period": "30d"}).context["board"]
    for widget in [*board.charts, *board.tables]:
        response = client.get(_url(world, "insights/chart.csv"),
                              {"period": "30d", "widget": widget.key})
        assert response.status_code == 200, widget.key
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        headers, body = widget.table()
        assert rows[0] == headers and len(rows) == len(body) + 1
    assert client.get(_url(world, "insights/chart.csv"), {"widget": "nope"}).status_code == 404
    authors = client.get(_url(world, "insights/chart.csv"), {"widget": "top_authors"})
    assert "'@evil" in authors.content.decode(), "cells starting with @ stay inert"


@pytest.mark.django_db
def test_hostile_keywords_and_names_are_shown_inert(board_world: World, client: Client) -> None:
    world = board_world
    Query.objects.filter(brand=world.a1, name="Bruma").update(name=HOSTILE)
    client.force_login(world.person("owner"))
    html = client.get(_url(world), {"period": "7d"}).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html
    assert "\\u003Cscript\\u003E" in html, "chart data goes through json_script"
    keywords = client.get(_url(world), {"period": "7d"}).context["board"].widget("top_keywords")
    assert [HOSTILE, 1] in keywords.rows


@pytest.mark.django_db
def test_filters_periods_and_errors(board_world: World, client: Client) -> None:
    world = board_world
    client.force_login(world.person("owner"))
    today = timezone.now().date()
    x_only = client.get(_url(world), {"period": "30d", "network": "instagram"}).context["board"]
    assert {k.metric.key: k.raw for k in x_only.kpis}["mentions"] == 0
    year = client.get(_url(world), {"period": "custom", "start": str(today - timedelta(days=60)),
                                    "end": str(today), "compare": "last_year"})
    assert year.context["board"].filters.comparison.start.year == today.year - 1
    assert {k.metric.key: k.raw for k in year.context["board"].kpis}["mentions"] == 4
    bad = client.get(_url(world), {"period": "custom", "start": "2026-02-01",
                                   "end": "2025-01-01"})
    assert bad.status_code == 200 and "The end date is before the start date" in \
        bad.content.decode()
    hourly = client.get(_url(world), {"period": "today"}).context["board"]
    assert len(hourly.widget("volume").categories) >= 23, "a day is shown hour by hour"


@pytest.mark.django_db
def test_dashboards_never_scan_mentions(board_world: World, client: Client,
                                        django_assert_max_num_queries: object) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = board_world
    client.force_login(world.person("owner"))
    with CaptureQueriesContext(connection) as queries:
        client.get(_url(world), {"period": "30d"})
    scans = [q["sql"] for q in queries.captured_queries
             if "listening_mention" in q["sql"] and "insights_" not in q["sql"]]
    # Only the bounded keyword sample (match ids, then their keywords) and the top
    # authors' names read listening tables.
    assert len(scans) <= 4, scans
    assert any("LIMIT" in q for q in scans)


@pytest.mark.django_db
def test_executive_shows_only_brands_one_may_see(board_world: World, client: Client) -> None:
    world = board_world
    url = f"/o/{world.acme.slug}/insights/"
    client.force_login(world.person("owner"))
    lines = client.get(url, {"period": "30d"}).context["lines"]
    assert [line.brand for line in lines] == [world.a1, world.a2]
    assert lines[0].totals.mentions == 3 and lines[1].totals.mentions == 1
    # A brand manager of Acme One sees Acme One only.
    client.force_login(world.person("manager"))
    assert [line.brand for line in client.get(url).context["lines"]] == [world.a1]
    # An agency analyst granted Acme Two only sees Acme Two.
    analyst = make_user("analyst@agency.test")
    actions.do_grant_role(world.agency, analyst, Role.ORG_ADMIN, None, actor=SYSTEM)
    actions.do_grant_agency(world.acme, world.agency, Role.ANALYST, [world.a2], actor=SYSTEM)
    client.force_login(analyst)
    response = client.get(url)
    assert [line.brand for line in response.context["lines"]] == [world.a2]
    page = response.content.decode()
    dashboard = page[page.index('id="insights-filter"'):]
    assert "Acme One" not in dashboard, "granted as agent only: no insights of Acme One"
    assert client.get(_url(world)).status_code == 403, "Acme One: agent grant, no insights"
    assert client.get(_url(world, brand=world.a2)).status_code == 200
    # The agent role has no insights: no page, no navigation link.
    client.force_login(world.person("agent"))
    assert client.get(_url(world)).status_code == 403
    assert client.get(url).status_code == 403
    assert 'id="nav-insights"' not in client.get(_url(world, "listen/")).content.decode()
    client.force_login(world.person("outsider"))
    assert client.get(url).status_code == 404
    csv_body = client.get(f"/o/{world.other.slug}/insights/chart.csv", {"widget": "brands"})
    assert csv_body.status_code == 200
    assert "Other One" in csv_body.content.decode() and "Acme" not in csv_body.content.decode()


@pytest.mark.django_db
def test_executive_csv_and_navigation(board_world: World, client: Client) -> None:
    world = board_world
    client.force_login(world.person("owner"))
    page = client.get(_url(world, "listen/")).content.decode()
    assert f'href="/o/{world.acme.slug}/insights/"' in page
    rows = list(csv.reader(io.StringIO(client.get(
        f"/o/{world.acme.slug}/insights/chart.csv", {"widget": "brands"}).content.decode())))
    assert rows[0][0] == "Brand" and [r[0] for r in rows[1:]] == ["Acme One", "Acme Two"]
    assert rows[1][1] == "3"
    assert HourlyRollup.objects.exists()
    assert date.today()  # the dashboard needs no other fixture
