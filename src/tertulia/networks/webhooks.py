"""Generic inbound webhook: signature check on the raw body and event parsing.

The sender signs the exact request body with HMAC-SHA256 and a secret shared with this
source, and sends the hex digest in a header (``X-Tertulia-Signature: sha256=<hex>``; the
bare hex is accepted too). We verify before parsing anything, fail closed when the source
has no secret, and compare in constant time.

Body format (JSON, UTF-8)::

    {"id": "evt_123", "items": [{...item...}, ...]}     # or "item": {...} for one
    {"id": "evt_124", "deleted": [{"network": "x", "external_id": "1"}, ...]}

Items use the same fields as ``item_from_dict`` (flat or nested); ``deleted`` lists items
removed on their network (hidden at once, purged on schedule). An event may carry both.
``id`` is the sender's event id; the view stores the raw event under the unique (source,
event id), so a redelivered event is recognized. When the sender gives no id, the id is the
SHA-256 of the body, which makes byte-identical redeliveries idempotent too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_ITEMS",
    "SIGNATURE_HEADER",
    "GenericEvent",
    "PayloadInvalid",
    "SecretMissing",
    "SignatureInvalid",
    "WebhookError",
    "parse_generic",
    "parse_generic_event",
    "sign",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Tertulia-Signature"
MAX_BODY_BYTES = 1_048_576
MAX_ITEMS = 500
_EVENT_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,200}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")


class WebhookError(Exception):
    """Base of webhook errors; ``status`` is the HTTP status the view should answer."""

    status = 400


class SecretMissing(WebhookError):
    """The source has no secret configured: nothing is accepted until it has one."""

    status = 403


class SignatureInvalid(WebhookError):
    """The signature header is absent, malformed or does not match the body."""

    status = 401


class PayloadInvalid(WebhookError):
    """The body is not an event we understand; the message says what is wrong."""

    status = 400


def sign(secret: bytes, raw_body: bytes) -> str:
    """The header value a sender puts on ``raw_body``: ``sha256=<hex digest>``."""
    return "sha256=" + hmac.new(secret, raw_body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes | None, raw_body: bytes, header_value: str | None) -> None:
    """Return if ``header_value`` signs ``raw_body`` with ``secret``; raise otherwise.

    Raises ``SecretMissing`` when ``secret`` is None or empty (fail closed), and
    ``SignatureInvalid`` when the header is missing, malformed or wrong.
    """
    if not secret:
        raise SecretMissing("this webhook source has no secret configured; set one first")
    if not header_value:
        raise SignatureInvalid(f"missing signature header {SIGNATURE_HEADER}")
    value = header_value.strip()
    if value[:7].lower() == "sha256=":
        value = value[7:]
    value = value.strip().lower()
    if not _HEX.match(value):
        raise SignatureInvalid("signature must be sha256=<64 hex digits>")
    expected = hmac.new(secret, raw_body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), value.encode("ascii")):
        raise SignatureInvalid("signature does not match the body")


@dataclass(frozen=True)
class GenericEvent:
    id: str
    items: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[tuple[str, str]] = field(default_factory=list)


def parse_generic_event(raw_body: bytes) -> tuple[str, list[dict[str, Any]]]:
    """``(event_id, item dicts)`` of a generic event body; raises ``PayloadInvalid``."""
    event = parse_generic(raw_body)
    return event.id, event.items


def parse_generic(raw_body: bytes) -> GenericEvent:
    """The event id, item dicts and delete notices of a generic event body; raises
    ``PayloadInvalid``.

    Item dicts are not validated here: the asynchronous processor turns each into a
    ``NetworkItem`` with ``item_from_dict`` and reports bad ones individually, so one bad
    item does not lose the others.
    """
    if len(raw_body) > MAX_BODY_BYTES:
        raise PayloadInvalid(f"body is {len(raw_body)} bytes; the limit is {MAX_BODY_BYTES}")
    try:
        text = raw_body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PayloadInvalid(f"body is not UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise PayloadInvalid("body nests too deeply") from None
    except ValueError as exc:
        raise PayloadInvalid(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadInvalid("body must be a JSON object with 'items' (or 'item')")
    event_id = data.get("id", data.get("event_id"))
    if event_id is None:
        event_id = "sha256:" + hashlib.sha256(raw_body).hexdigest()
    elif isinstance(event_id, int) and not isinstance(event_id, bool):
        event_id = str(event_id)
    elif not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
        raise PayloadInvalid("id must be 1–200 characters of letters, digits, '.', '_', ':' or '-'")
    if "items" in data:
        items = data["items"]
        if not isinstance(items, list):
            raise PayloadInvalid("items must be a list of objects")
    elif "item" in data:
        items = [data["item"]]
    elif "deleted" in data:
        items = []
    else:
        raise PayloadInvalid("body has neither 'items', 'item' nor 'deleted'")
    if len(items) > MAX_ITEMS:
        raise PayloadInvalid(f"{len(items)} items; the limit is {MAX_ITEMS} per event")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise PayloadInvalid(f"items[{index}] must be an object")
    return GenericEvent(event_id, items, _deleted(data.get("deleted", [])))


def _deleted(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        raise PayloadInvalid("deleted must be a list of {network, external_id} objects")
    if len(value) > MAX_ITEMS:
        raise PayloadInvalid(f"{len(value)} delete notices; the limit is {MAX_ITEMS} per event")
    out = []
    for index, notice in enumerate(value):
        if not isinstance(notice, dict):
            raise PayloadInvalid(f"deleted[{index}] must be an object")
        network, external_id = notice.get("network"), notice.get("external_id")
        if isinstance(external_id, int) and not isinstance(external_id, bool):
            external_id = str(external_id)
        if not (isinstance(network, str) and 0 < len(network) <= 20):
            raise PayloadInvalid(f"deleted[{index}].network must be a network name")
        if not (isinstance(external_id, str) and 0 < len(external_id) <= 256):
            raise PayloadInvalid(f"deleted[{index}].external_id must be 1–256 characters")
        out.append((network.lower(), external_id))
    return out
