"""The mention stream page, export and the query editor as people use them."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from tertulia.governance.models import AuditEvent
from tertulia.listening.models import Query
from tertulia.listening.pipeline import ingest
from tests.conftest import World
from tests.listening.test_pipeline import BATCH, post


@pytest.fixture
def stream_world(world: World) -> World:
    Query.objects.create(brand=world.a1, name="Aurora", text='"cafe aurora" OR @cafeaurora')
    Query.objects.create(brand=world.a2, name="Rival", text='"tostadero norte"')
    items = [*BATCH, post("666", "<script>alert(1)</script> café aurora", handle="x", minutes=100)]
    items += [post(str(100 + i), f"Café Aurora número {i}", minutes=i) for i in range(60)]
    ingest(world.acme, items)
    return world


def _url(world: World, brand: object = None, suffix: str = "listen/") -> str:
    return f"/o/{world.acme.slug}/b/{(brand or world.a1).slug}/{suffix}"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_stream_shows_only_the_brands_matches_newest_first(
    stream_world: World, client: Client
) -> None:
    client.force_login(stream_world.person("agent"))
    html = client.get(_url(stream_world)).content.decode()
    assert "Café Aurora número 59" in html
    assert "Tostadero Norte abre" not in html, "another brand's match"
    assert html.index("número 59") < html.index("número 58")
    assert "&lt;script&gt;alert(1)" in html and "<script>alert(1)" not in html


@pytest.mark.django_db
def test_keyset_pages_cover_everything_once(stream_world: World, client: Client) -> None:
    client.force_login(stream_world.person("owner"))
    seen: list[str] = []
    url = _url(stream_world)
    for _ in range(5):
        response = client.get(url)
        mentions = response.context["mentions"]
        seen += [m.external_id for m in mentions]
        cursor = response.context["next_cursor"]
        if not cursor:
            break
        url = _url(stream_world) + "?" + urlencode({"before": cursor})
    assert len(seen) == len(set(seen)) == 63


@pytest.mark.django_db
def test_filters_and_search(stream_world: World, client: Client) -> None:
    client.force_login(stream_world.person("owner"))
    negative = client.get(_url(stream_world), {"sentiment": "negative"}).context["mentions"]
    assert negative and {m.sentiment for m in negative} == {"negative"}
    refunds = client.get(_url(stream_world), {"sentiment": "negative", "q": "refund"})
    assert [m.external_id for m in refunds.context["mentions"]] == ["2"]
    found = client.get(_url(stream_world), {"q": "numero 7"}).context["mentions"]
    assert {m.external_id for m in found} == {"107"}
    followers = client.get(_url(stream_world), {"min_followers": 5000}).context["mentions"]
    assert [m.author.handle for m in followers] == ["sam"]
    bad = client.get(_url(stream_world), {"min_followers": "lots"})
    assert bad.status_code == 200 and "Enter a whole number" in bad.content.decode()


@pytest.mark.django_db
def test_export_streams_the_filtered_rows(stream_world: World, client: Client) -> None:
    client.force_login(stream_world.person("analyst"))
    response = client.get(_url(stream_world, suffix="listen/export.csv"), {"q": "refund"})
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("created_at,network,kind,author")
    assert len(lines) == 2 and "refund" in lines[1]
    assert "'@sam" in lines[1], "a cell starting with @ is neutralized"


@pytest.mark.django_db
def test_query_editor_validates_live_and_refuses_bad_queries(
    stream_world: World, client: Client
) -> None:
    client.force_login(stream_world.person("manager"))
    check = client.get(
        _url(stream_world, suffix="queries/validate/"), {"text": "coffee AND"}
    ).content.decode()
    assert "column" in check
    ok = client.get(_url(stream_world, suffix="queries/validate/"), {"text": "coffee"})
    assert "valid" in ok.content.decode()
    bad = client.post(
        _url(stream_world, suffix="queries/new/"),
        {"name": "Broken", "kind": "topic", "text": "a AND b OR c"},
    )
    assert bad.status_code == 200
    assert not Query.objects.filter(name="Broken").exists()
    good = client.post(
        _url(stream_world, suffix="queries/new/"),
        {"name": "Precio", "kind": "topic", "text": "precio* OR price*", "is_active": "on"},
    )
    assert good.status_code == 302
    assert AuditEvent.objects.filter(organization=stream_world.acme, action="query.saved").exists()


@pytest.mark.django_db
def test_an_analyst_reads_but_an_agent_cannot_edit_queries(
    stream_world: World, client: Client
) -> None:
    client.force_login(stream_world.person("agent"))
    assert client.get(_url(stream_world, suffix="queries/new/")).status_code == 403
    assert client.get(_url(stream_world, suffix="queries/")).status_code == 200
