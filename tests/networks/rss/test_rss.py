from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx

from tertulia.networks.items import ItemKind, Network
from tertulia.networks.protocol import RateLimited, Rejected, Unavailable
from tertulia.networks.rss.client import fetch_feed
from tertulia.networks.rss.connector import RssConnector
from tertulia.networks.rss.health import FeedHealth, FeedState, record_fetch

FIXTURES = Path(__file__).parents[3] / "src/tertulia/networks/rss/fixtures"
NEWS = (FIXTURES / "noticias_es.rss.xml").read_bytes()
BLOG = (FIXTURES / "coffee_blog_en.atom.xml").read_bytes()
NOW = datetime(2024, 5, 14, 12, tzinfo=UTC)
URL = "https://www.diariodelbarrio.example/economia/rss"


def clock():
    return NOW


@pytest.fixture
def client():
    with httpx.Client() as c:
        yield c


@respx.mock
def test_rss_feed_maps_to_articles_with_safe_html(client):
    headers = {"ETag": '"v1"', "Last-Modified": "Tue, 14 May 2024 07:30:00 GMT"}
    respx.get(URL).mock(return_value=httpx.Response(200, content=NEWS, headers=headers))
    result = RssConnector(URL, client=client, clock=clock).fetch(None)
    first, second, hostile = result.items
    assert all(i.network is Network.RSS and i.kind is ItemKind.ARTICLE for i in result.items)
    assert (
        first.external_id
        == "https://www.diariodelbarrio.example/economia/cafe-aurora-abre-local-12"
    )
    assert first.author.handle == "diariodelbarrio.example"
    assert first.author.name == "Lucía Fernández"
    assert first.created_at == datetime(2024, 5, 14, 6, 0, tzinfo=UTC)
    assert first.lang == "es-es" and first.media[0].mime_type == "image/jpeg"
    assert "plaza Mayor" in first.text
    # A non-URL guid is scoped by the feed so two feeds' "48213" never collide.
    assert second.external_id.startswith("feed:")
    html = hostile.html or ""
    for bad in ("<script", "javascript:", "onclick", "onerror", "<iframe", "<style", "<svg"):
        assert bad not in html
    assert "HTML hostil" in hostile.text
    assert result.next_cursor == '{"etag": "\\"v1\\"", "modified": "Tue, 14 May 2024 07:30:00 GMT"}'


@respx.mock
def test_atom_feed_and_enclosures(client):
    respx.get("https://dailygrind.example/feed.atom").mock(
        return_value=httpx.Response(200, content=BLOG)
    )
    connector = RssConnector("https://dailygrind.example/feed.atom", client=client, clock=clock)
    review, rush, podcast = connector.fetch(None).items
    assert review.external_id == "tag:dailygrind.example,2024:post-311"
    assert review.lang == "en" and review.author.name == "Sam Porter"
    assert "<li>Texture: silky</li>" in (review.html or "")
    assert rush.created_at == datetime(2024, 5, 12, 15, tzinfo=UTC)
    assert "<form" not in (rush.html or "") and "<input" not in (rush.html or "")
    assert podcast.media[0].kind == "audio"


@respx.mock
def test_conditional_get_sends_validators_and_handles_304(client):
    route = respx.get(URL).mock(return_value=httpx.Response(304, headers={"ETag": '"v1"'}))
    connector = RssConnector(URL, client=client, clock=clock)
    cursor = '{"etag": "\\"v1\\"", "modified": "Tue, 14 May 2024 07:30:00 GMT"}'
    result = connector.fetch(cursor)
    request = route.calls.last.request
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == "Tue, 14 May 2024 07:30:00 GMT"
    assert result.items == () and result.next_cursor == cursor
    assert connector.last_fetch is not None and connector.last_fetch.not_modified


@respx.mock
@pytest.mark.parametrize(
    ("response", "error", "text"),
    [
        (httpx.Response(429, headers={"Retry-After": "120"}), RateLimited, "rate limited"),
        (httpx.Response(410), Rejected, "feed gone"),
        (httpx.Response(503), Unavailable, "HTTP 503"),
        (httpx.Response(200, content=b"<html><body>not a feed"), Rejected, "not an RSS"),
    ],
)
def test_errors_are_typed(client, response, error, text):
    respx.get(URL).mock(return_value=response)
    fetch = fetch_feed(client, URL, clock=clock)
    assert isinstance(fetch.error, error) and text in str(fetch.error)
    if isinstance(fetch.error, RateLimited):
        assert fetch.error.reset_at == NOW + timedelta(seconds=120)


@respx.mock
def test_timeouts_and_oversized_feeds(client):
    respx.get(URL).mock(side_effect=httpx.ConnectTimeout("slow"))
    assert isinstance(fetch_feed(client, URL, clock=clock).error, Unavailable)
    respx.get(URL).mock(return_value=httpx.Response(200, content=NEWS))
    fetch = fetch_feed(client, URL, clock=clock, max_bytes=100)
    assert isinstance(fetch.error, Rejected) and "larger than" in str(fetch.error)


@respx.mock
def test_permanent_redirect_is_reported_and_guard_checks_every_hop(client):
    respx.get(URL).mock(return_value=httpx.Response(301, headers={"Location": "/nuevo/rss"}))
    new = "https://www.diariodelbarrio.example/nuevo/rss"
    respx.get(new).mock(return_value=httpx.Response(200, content=NEWS))
    seen = []
    fetch = fetch_feed(client, URL, clock=clock, check_url=seen.append)
    assert fetch.ok and fetch.moved_to == new and seen == [URL, new]

    def refuse(url):
        if "nuevo" in url:
            raise Rejected("private address")

    assert isinstance(fetch_feed(client, URL, clock=clock, check_url=refuse).error, Rejected)


def test_health_backs_off_and_recovers():
    from tertulia.networks.rss.client import FeedFetch

    health = FeedHealth(url=URL)
    assert health.state is FeedState.NEW and health.due(NOW)
    failure = FeedFetch(
        url=URL, status=410, etag=None, modified=None, error=Rejected("feed gone", status=410)
    )
    for _attempt in range(3):
        health = record_fetch(health, failure, at=NOW, interval_s=600)
    assert health.state is FeedState.FAILING and health.consecutive_failures == 3
    assert "check the feed address" in (health.last_error or "")
    spread = health.next_poll_at - NOW - timedelta(seconds=2400)
    assert timedelta(0) <= spread < timedelta(seconds=60)
    limited = FeedFetch(
        url=URL, status=429, etag=None, modified=None, error=RateLimited(NOW + timedelta(days=3))
    )
    assert record_fetch(health, limited, at=NOW).next_poll_at == NOW + timedelta(days=3)
    ok = FeedFetch(url=URL, status=200, etag='"v2"', modified=None, entries=({},))
    health = record_fetch(health, ok, at=NOW)
    assert health.state is FeedState.OK and health.etag == '"v2"'
    assert health.last_success_at == NOW and health.entries_last_fetch == 1
    assert not health.due(NOW)
