import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tertulia.networks.items import ItemValidationError, item_from_dict
from tertulia.networks.webhooks import (
    PayloadInvalid,
    SecretMissing,
    SignatureInvalid,
    WebhookError,
    parse_generic_event,
    sign,
    verify_signature,
)

SECRET = b"s3cret-shared-with-the-sender"
BODY = json.dumps(
    {
        "id": "evt_0001",
        "items": [
            {
                "network": "forum",
                "external_id": "f-1",
                "author_handle": "ana",
                "created_at": "2024-05-14T08:00:00Z",
                "text": "¿Café Aurora abre el domingo?",
            },
            {
                "network": "forum",
                "external_id": "f-2",
                "author_handle": "",
                "created_at": "2024-05-14T08:01:00Z",
                "text": "bad item",
            },
        ],
    }
).encode()


def test_valid_signature_passes_in_both_forms():
    header = sign(SECRET, BODY)
    verify_signature(SECRET, BODY, header)
    verify_signature(SECRET, BODY, header.removeprefix("sha256=").upper())


def test_fails_closed_without_a_secret():
    for secret in (None, b""):
        with pytest.raises(SecretMissing):
            verify_signature(secret, BODY, sign(SECRET, BODY))


@pytest.mark.parametrize(
    "header", [None, "", "sha256=", "sha1=abc", "sha256=" + "0" * 64, "zz" * 32]
)
def test_bad_signatures_are_refused(header):
    with pytest.raises(SignatureInvalid):
        verify_signature(SECRET, BODY, header)


def test_one_changed_byte_breaks_the_signature():
    header = sign(SECRET, BODY)
    with pytest.raises(SignatureInvalid, match="does not match"):
        verify_signature(SECRET, BODY + b" ", header)


def test_event_parsing_keeps_good_items_apart_from_bad():
    event_id, items = parse_generic_event(BODY)
    assert event_id == "evt_0001"
    assert item_from_dict(items[0]).external_id == "f-1"
    with pytest.raises(ItemValidationError, match="author"):
        item_from_dict(items[1])


def test_event_without_id_gets_a_body_hash():
    body = b'{"item": {"text": "x"}}'
    event_id, items = parse_generic_event(body)
    assert event_id.startswith("sha256:") and len(items) == 1
    assert parse_generic_event(body)[0] == event_id


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[]", "JSON object"),
        (b'{"id": "bad id with spaces", "items": []}', "id must be"),
        (b'{"items": {"a": 1}}', "list of objects"),
        (b'{"items": [1]}', r"items\[0\] must be an object"),
        (b'{"id": "e1"}', "neither"),
        (b"[" * 100_000, "nests too deeply"),
    ],
)
def test_malformed_payloads_get_a_precise_message(body, message):
    with pytest.raises(PayloadInvalid, match=message):
        parse_generic_event(body)


@given(st.binary(max_size=300))
def test_any_body_raises_only_webhook_errors(body):
    with contextlib.suppress(WebhookError):
        parse_generic_event(body)
