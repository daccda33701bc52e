"""Fetch one feed over HTTP with conditional GET, and parse it with feedparser.

Conditional GET: we send back the ``ETag`` as ``If-None-Match`` and the ``Last-Modified``
value as ``If-Modified-Since``; a ``304 Not Modified`` means nothing new and costs the
publisher almost nothing. Both validators are stored per feed by the caller.

``fetch_feed`` never raises for network trouble: the outcome, good or bad, is a
``FeedFetch`` whose ``error`` is one of the connector errors, so feed health can be
updated from every attempt in one place.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import feedparser
import httpx

from ..protocol import ConnectorError, RateLimited, Rejected, Unavailable
from ..ratelimit import _retry_after

__all__ = ["DEFAULT_TIMEOUT", "MAX_FEED_BYTES", "USER_AGENT", "FeedFetch", "fetch_feed"]

USER_AGENT = "tertulia/0.1 (self-hosted social listening; feed reader)"
MAX_FEED_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class FeedFetch:
    """The outcome of one fetch of one feed.

    ``status`` is the HTTP status (None when no response came). ``etag`` and ``modified``
    are the validators to send next time (the previous ones are kept on 304 or error).
    ``entries`` are feedparser entries (map them with ``rss.mapping``); ``feed`` is the
    feed's own metadata (title, link, language). ``moved_to`` is set after a permanent
    redirect, so the stored URL can be updated.
    """

    url: str
    status: int | None
    etag: str | None
    modified: str | None
    entries: tuple[Mapping[str, Any], ...] = ()
    error: ConnectorError | None = None
    feed: Mapping[str, Any] = field(default_factory=dict)
    moved_to: str | None = None
    malformed: str | None = None  # feedparser's complaint about a feed it still read

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        return self.error is None


def fetch_feed(
    client: httpx.Client,
    url: str,
    *,
    clock: Callable[[], datetime],
    etag: str | None = None,
    modified: str | None = None,
    max_bytes: int = MAX_FEED_BYTES,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    check_url: Callable[[str], None] | None = None,
) -> FeedFetch:
    """GET ``url`` conditionally and parse it; never raises for network or feed errors.

    ``check_url`` may refuse a URL (raise ``Rejected``) before any request, e.g. an SSRF
    guard that refuses private addresses; it is called again for each redirect target.
    """

    def failed(error: ConnectorError, status: int | None = None) -> FeedFetch:
        return FeedFetch(url=url, status=status, etag=etag, modified=modified, error=error)

    headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    current = url
    moved_to: str | None = None
    still_permanent = True
    try:
        # Redirects are followed by hand so that every hop passes ``check_url``.
        for _hop in range(MAX_REDIRECTS + 1):
            if check_url is not None:
                check_url(current)
            request = client.build_request("GET", current, headers=headers, timeout=timeout)
            response = client.send(request, stream=True, follow_redirects=False)
            try:
                status = response.status_code
                location = response.headers.get("location")
                if response.is_redirect and location:
                    current = str(request.url.join(location))
                    if status in (301, 308) and still_permanent:
                        moved_to = current
                    else:
                        still_permanent = False
                    continue
                if status == 304:
                    return FeedFetch(
                        url=url,
                        status=304,
                        etag=response.headers.get("etag", etag),
                        modified=response.headers.get("last-modified", modified),
                        moved_to=moved_to,
                    )
                error = _status_error(status, response.headers, clock)
                if error is not None:
                    return failed(error, status)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        too_big = Rejected(f"feed is larger than {max_bytes} bytes", status=status)
                        return failed(too_big, status)
                content_type = response.headers.get("content-type", "")
                new_etag = response.headers.get("etag")
                new_modified = response.headers.get("last-modified")
                break
            finally:
                response.close()
        else:
            return failed(Rejected(f"more than {MAX_REDIRECTS} redirects"))
    except Rejected as exc:
        return failed(exc)
    except httpx.TimeoutException:
        return failed(Unavailable(f"timed out fetching {url}"))
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return failed(Rejected(f"not a fetchable URL: {exc}"))
    except httpx.HTTPError as exc:
        return failed(Unavailable(f"could not fetch {url}: {exc.__class__.__name__}: {exc}"))

    # A stream, never bytes or str: feedparser treats a string as a URL or a file name.
    parsed = feedparser.parse(
        io.BytesIO(bytes(body)),
        response_headers={"content-location": current, "content-type": content_type},
    )
    malformed = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    feed_meta = dict(parsed.get("feed") or {})
    if malformed and not parsed.entries and not feed_meta.get("title"):
        return failed(Rejected(f"not an RSS or Atom feed: {malformed}", status=status), status)
    return FeedFetch(
        url=url,
        status=status,
        etag=new_etag or etag,
        modified=new_modified or modified,
        entries=tuple(parsed.entries),
        feed=feed_meta,
        moved_to=moved_to,
        malformed=malformed,
    )


def _status_error(
    status: int, headers: httpx.Headers, clock: Callable[[], datetime]
) -> ConnectorError | None:
    if 200 <= status < 300:
        return None
    if status in (429, 503):
        now = clock()
        retry = headers.get("retry-after")
        until = _retry_after(retry, now) if retry else None
        if status == 429 or until is not None:
            return RateLimited(until or now + timedelta(minutes=15))
    if status in (404, 410):
        word = "gone" if status == 410 else "not found"
        return Rejected(f"feed {word}", status=status)
    if status in (401, 403):
        return Rejected("the feed refuses access", status=status)
    if status >= 500:
        return Unavailable(f"feed server error (HTTP {status})")
    return Rejected("unexpected answer from the feed", status=status)
