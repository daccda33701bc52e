from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx

from tertulia.listening import sources
from tertulia.listening.models import Mention, Source
from tertulia.networks import polling
from tertulia.networks.polling import make_url_guard, poll_rss
from tertulia.networks.protocol import Rejected
from tertulia.networks.rss.health import FeedState

from .conftest import make_feed_source

FIXTURES = Path(__file__).parents[3] / "src/tertulia/networks/rss/fixtures"
NEWS = (FIXTURES / "noticias_es.rss.xml").read_bytes()
URL = "https://www.diariodelbarrio.example/economia/rss"
NOW = datetime(2024, 5, 14, 12, tzinfo=UTC)
VALIDATORS = {"ETag": '"v1"', "Last-Modified": "Tue, 14 May 2024 07:30:00 GMT"}


def public_dns(host, port):
    return ["93.184.216.34"]


GUARD = make_url_guard(resolve=public_dns)


class Clock:
    def __init__(self, now=NOW):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


def poll(source, clock, **kw):
    return poll_rss(source, clock=clock, check_url=GUARD, **kw)


def refreshed(source):
    return Source.objects.select_related("feed_state").get(id=source.id)


@respx.mock
def test_first_poll_ingests_articles_with_safe_html_and_keeps_validators(feed_source):
    respx.get(URL).mock(return_value=httpx.Response(200, content=NEWS, headers=VALIDATORS))
    created = poll(feed_source, Clock())
    assert created == 3
    source = refreshed(feed_source)
    assert source.items_ingested == 3 and source.last_ok_at == NOW and source.last_error == ""
    state = source.feed_state
    assert state.etag == '"v1"' and state.last_modified == "Tue, 14 May 2024 07:30:00 GMT"
    assert state.health().state is FeedState.OK and state.next_poll_at > NOW
    hostile = Mention.objects.get(organization=source.organization, text__contains="HTML hostil")
    for bad in ("<script", "javascript:", "onclick", "onerror", "<iframe"):
        assert bad not in hostile.html


@respx.mock
def test_unchanged_feed_is_a_304_with_the_etag_sent_back(feed_source):
    route = respx.get(URL)
    route.side_effect = [httpx.Response(200, content=NEWS, headers=VALIDATORS),
                         httpx.Response(304, headers={"ETag": '"v1"'})]
    clock = Clock()
    poll(feed_source, clock)
    clock.advance(hours=1)
    assert poll(feed_source, clock) == 0
    request = route.calls.last.request
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == "Tue, 14 May 2024 07:30:00 GMT"
    source = refreshed(feed_source)
    assert source.items_ingested == 3 and source.last_ok_at == clock.now
    assert source.feed_state.health().state is FeedState.OK


@respx.mock
def test_re_polling_the_same_entries_does_not_duplicate(feed_source):
    respx.get(URL).mock(return_value=httpx.Response(200, content=NEWS))
    clock = Clock()
    poll(feed_source, clock)
    clock.advance(hours=1)
    assert poll(feed_source, clock) == 0
    assert Mention.objects.filter(organization=feed_source.organization).count() == 3
    assert refreshed(feed_source).items_ingested == 3


@respx.mock
def test_a_feed_is_not_fetched_before_it_is_due(feed_source):
    route = respx.get(URL).mock(return_value=httpx.Response(200, content=NEWS))
    clock = Clock()
    poll(feed_source, clock)
    clock.advance(minutes=1)
    assert poll(feed_source, clock) == 0
    assert route.call_count == 1
    poll(feed_source, clock, force=True)
    assert route.call_count == 2


@respx.mock
def test_a_failing_feed_degrades_then_fails_and_backs_off_without_raising(feed_source):
    respx.get(URL).mock(return_value=httpx.Response(500))
    clock = Clock()
    states = []
    for _ in range(3):
        assert poll(feed_source, clock, force=True) == 0
        states.append(refreshed(feed_source).feed_state.health().state)
    assert states == [FeedState.DEGRADED, FeedState.DEGRADED, FeedState.FAILING]
    source = refreshed(feed_source)
    assert source.consecutive_failures == 3 and source.last_ok_at is None
    assert "server error" in source.last_error
    # Back-off: interval × 2^(failures-1) after the last failure.
    assert source.feed_state.next_poll_at >= clock.now + timedelta(hours=1)


@respx.mock
def test_a_broken_feed_body_is_a_failure_not_an_exception(feed_source):
    respx.get(URL).mock(return_value=httpx.Response(200, content=b"<html>not a feed"))
    poll(feed_source, Clock())
    source = refreshed(feed_source)
    assert source.consecutive_failures == 1 and "not an RSS or Atom feed" in source.last_error


@respx.mock
def test_success_after_failures_restores_health(feed_source):
    route = respx.get(URL)
    route.side_effect = [httpx.Response(503), httpx.Response(200, content=NEWS)]
    clock = Clock()
    poll(feed_source, clock, force=True)
    poll(feed_source, clock, force=True)
    source = refreshed(feed_source)
    assert source.consecutive_failures == 0 and source.last_error == ""
    assert source.feed_state.health().state is FeedState.OK


@respx.mock
def test_a_feed_on_a_private_address_is_refused_before_any_request(world):
    source = make_feed_source(world.acme, url="https://intranet.acme.example/feed")
    route = respx.get("https://intranet.acme.example/feed").mock(
        return_value=httpx.Response(200, content=NEWS)
    )
    guard = make_url_guard(resolve=lambda host, port: ["10.1.2.3"])
    poll_rss(source, clock=Clock(), check_url=guard)
    assert route.call_count == 0
    assert "non-public address" in refreshed(source).last_error


@respx.mock
def test_a_redirect_to_a_private_address_is_refused(world):
    source = make_feed_source(world.acme, url="https://news.example/feed")
    respx.get("https://news.example/feed").mock(
        return_value=httpx.Response(302, headers={"Location": "http://metadata.internal/"})
    )
    inner = respx.get("http://metadata.internal/").mock(return_value=httpx.Response(200))

    def dns(host, port):
        return ["169.254.169.254"] if host == "metadata.internal" else ["93.184.216.34"]

    poll_rss(source, clock=Clock(), check_url=make_url_guard(resolve=dns))
    assert inner.call_count == 0
    assert "non-public address" in refreshed(source).last_error


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.8", "192.168.1.1", "169.254.169.254",
                                     "::1", "::ffff:127.0.0.1", "fc00::1", "0.0.0.0"])
def test_the_guard_refuses_private_addresses(address):
    guard = make_url_guard(resolve=lambda host, port: [address])
    with pytest.raises(Rejected, match="non-public"):
        guard("https://feeds.example/rss")


def test_the_guard_allows_public_addresses_listed_hosts_and_only_http():
    GUARD("https://feeds.example/rss")
    make_url_guard(resolve=lambda h, p: ["127.0.0.1"], allow_hosts=["localhost"])(
        "http://localhost:8080/feed")
    for url in ("file:///etc/passwd", "ftp://feeds.example/rss", "https:///nohost"):
        with pytest.raises(Rejected):
            GUARD(url)


def test_the_guard_refuses_names_that_do_not_resolve():
    def nxdomain(host, port):
        raise OSError("Name or service not known")

    with pytest.raises(Rejected, match="cannot resolve"):
        make_url_guard(resolve=nxdomain)("https://nowhere.example/feed")


@respx.mock
def test_polling_all_sources_reads_active_feeds_only(world, monkeypatch):
    monkeypatch.setattr(polling, "public_url_guard", GUARD)
    active = make_feed_source(world.acme)
    paused = make_feed_source(world.acme, name="Paused", url="https://paused.example/rss")
    Source.objects.filter(id=paused.id).update(is_active=False)
    respx.get(URL).mock(return_value=httpx.Response(200, content=NEWS))
    paused_route = respx.get("https://paused.example/rss").mock(
        return_value=httpx.Response(200, content=NEWS)
    )
    assert sources.poll_all(kind=Source.Kind.RSS) == 3
    assert refreshed(active).items_ingested == 3
    assert paused_route.call_count == 0
