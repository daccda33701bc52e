import json

import pytest

from tertulia.listening.models import Mention, Source
from tertulia.networks import actions
from tertulia.networks.models import WebhookEndpoint, WebhookEvent
from tertulia.networks.webhooks import MAX_BODY_BYTES, SIGNATURE_HEADER, sign

from .conftest import SYSTEM


def item(external_id, text="Love the new espresso blend", **fields):
    return {"network": "other", "id": external_id, "author_handle": "ana", "text": text,
            "created_at": "2024-05-14T10:00:00Z", **fields}


def body(event_id="evt_1", items=None):
    items = items if items is not None else [item("w-1"), item("w-2", "Queue was too long")]
    return json.dumps({"id": event_id, "items": items}).encode()


def deliver(client, endpoint, raw, secret=None, *, signature=None):
    headers = {}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    elif secret is not None:
        headers[SIGNATURE_HEADER] = sign(secret, raw)
    return client.post(f"/hooks/{endpoint.token}/", data=raw, content_type="application/json",
                       headers=headers)


def mentions(org):
    return Mention.objects.filter(organization=org)


def test_a_signed_event_is_accepted_then_its_items_ingested(
    client, webhook, django_capture_on_commit_callbacks
):
    source, endpoint, secret = webhook
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, endpoint, body(), secret)
    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "id": "evt_1"}
    assert sorted(mentions(source.organization).values_list("external_id", flat=True)) == [
        "w-1", "w-2"]
    event = WebhookEvent.objects.get(endpoint=endpoint)
    assert event.status == WebhookEvent.Status.PROCESSED and event.error == ""
    assert (event.items_received, event.items_ingested) == (2, 2)
    source.refresh_from_db()
    assert source.items_ingested == 2 and source.last_ok_at is not None


def test_the_event_is_stored_raw_before_processing(client, webhook):
    source, endpoint, secret = webhook
    raw = body()
    assert deliver(client, endpoint, raw, secret).status_code == 202
    event = WebhookEvent.objects.get(endpoint=endpoint)
    assert bytes(event.raw_body) == raw and event.status == WebhookEvent.Status.PENDING
    assert not mentions(source.organization).exists()


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "nonsense"])
def test_a_bad_or_missing_signature_is_401_and_stores_nothing(client, webhook, signature):
    source, endpoint, _secret = webhook
    raw = body()
    response = deliver(client, endpoint, raw, signature=signature) if signature else \
        deliver(client, endpoint, raw)
    assert response.status_code == 401
    assert not WebhookEvent.objects.exists() and not mentions(source.organization).exists()


def test_a_body_signed_with_another_secret_is_refused(client, webhook):
    _source, endpoint, secret = webhook
    assert deliver(client, endpoint, body(), secret + b"x").status_code == 401


def test_without_a_secret_every_delivery_is_refused(client, webhook):
    _source, endpoint, secret = webhook
    WebhookEndpoint.objects.filter(id=endpoint.id).update(secret_encrypted="")
    response = deliver(client, endpoint, body(), secret)
    assert response.status_code == 403 and "no secret" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_a_redelivery_is_a_duplicate_and_nothing_is_doubled(
    client, webhook, django_capture_on_commit_callbacks
):
    source, endpoint, secret = webhook
    raw = body()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, endpoint, raw, secret).status_code == 202
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = deliver(client, endpoint, raw, secret)
    assert response.status_code == 200
    assert response.json() == {"status": "duplicate", "id": "evt_1"}
    assert callbacks == []
    assert WebhookEvent.objects.count() == 1 and mentions(source.organization).count() == 2
    source.refresh_from_db()
    assert source.items_ingested == 2


def test_malformed_json_is_400(client, webhook):
    _source, endpoint, secret = webhook
    response = deliver(client, endpoint, b'{"id": "e1", "items": [', secret)
    assert response.status_code == 400 and "not JSON" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_an_oversized_body_is_413(client, webhook):
    _source, endpoint, secret = webhook
    raw = b" " * (MAX_BODY_BYTES + 1)
    assert deliver(client, endpoint, raw, secret).status_code == 413
    assert not WebhookEvent.objects.exists()


def test_a_bad_item_is_reported_and_the_good_ones_kept(
    client, webhook, django_capture_on_commit_callbacks
):
    source, endpoint, secret = webhook
    raw = body(items=[item("w-1"), {"network": "other", "id": "w-bad", "text": "no author",
                                    "created_at": "yesterday"}, item("w-3")])
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, endpoint, raw, secret).status_code == 202
    assert sorted(mentions(source.organization).values_list("external_id", flat=True)) == [
        "w-1", "w-3"]
    event = WebhookEvent.objects.get(endpoint=endpoint)
    assert event.status == WebhookEvent.Status.PROCESSED
    assert event.error.startswith("items[1]:") and "created_at" in event.error
    assert (event.items_received, event.items_ingested) == (3, 2)
    source.refresh_from_db()
    assert source.last_error == event.error


def test_an_event_with_only_bad_items_fails(client, webhook, django_capture_on_commit_callbacks):
    source, endpoint, secret = webhook
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, endpoint, body(items=[{"text": "nothing else"}]), secret)
    event = WebhookEvent.objects.get(endpoint=endpoint)
    assert event.status == WebhookEvent.Status.FAILED
    source.refresh_from_db()
    assert source.consecutive_failures == 1


def test_unknown_token_is_404_and_only_post_is_allowed(client, webhook):
    _source, endpoint, _secret = webhook
    assert client.post("/hooks/not-a-token/", data=b"{}",
                       content_type="application/json").status_code == 404
    assert client.get(f"/hooks/{endpoint.token}/").status_code == 405


def test_a_paused_source_refuses_signed_deliveries(client, webhook):
    source, endpoint, secret = webhook
    actions.do_pause_source(source, actor=SYSTEM)
    response = deliver(client, endpoint, body(), secret)
    assert response.status_code == 403 and "paused" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_the_secret_is_stored_encrypted(webhook):
    _source, endpoint, secret = webhook
    stored = WebhookEndpoint.objects.get(id=endpoint.id)
    assert secret.decode() not in stored.secret_encrypted
    assert stored.secret() == secret


def test_after_rotation_only_the_new_secret_signs(client, webhook):
    _source, endpoint, old = webhook
    new = actions.do_rotate_webhook_secret(endpoint, actor=SYSTEM)
    assert new != old
    assert deliver(client, endpoint, body("e-old"), old).status_code == 401
    assert deliver(client, endpoint, body("e-new"), new).status_code == 202


def test_processing_runs_once_per_event(client, webhook, django_capture_on_commit_callbacks):
    from tertulia.networks.inbound import process_event

    source, endpoint, secret = webhook
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, endpoint, body(), secret)
    event = WebhookEvent.objects.get(endpoint=endpoint)
    process_event(event.id)
    assert Source.objects.get(id=source.id).items_ingested == 2


def test_a_delivery_whose_job_was_lost_is_swept_up_once(client, webhook):
    from datetime import timedelta

    from django.utils import timezone

    from tertulia.networks.inbound import STUCK_AFTER, sweep_pending

    source, endpoint, secret = webhook
    assert deliver(client, endpoint, body(), secret).status_code == 202  # job never runs
    assert sweep_pending() == 0  # too fresh: the queue may still take it
    later = timezone.now() + STUCK_AFTER + timedelta(seconds=1)
    assert sweep_pending(clock=lambda: later) == 1
    assert mentions(source.organization).count() == 2
    assert sweep_pending(clock=lambda: later) == 0
