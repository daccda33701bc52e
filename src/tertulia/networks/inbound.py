"""Generic inbound webhooks: store a verified delivery once, then process it off the request.

``receive`` runs in the request, after the signature was verified: it stores the raw body
under the unique (endpoint, event id) and enqueues processing after commit, so the sender
gets its answer fast and a redelivery is recognized. ``process_event`` runs in the queue:
each item is validated on its own, so a bad item is reported in the event's ``error`` and
the good ones are still ingested.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tertulia.listening.models import Source
from tertulia.listening.pipeline import ingest
from tertulia.listening.retention import hide_deleted
from tertulia.networks.items import ItemValidationError, NetworkItem, item_from_dict
from tertulia.networks.models import WebhookEndpoint, WebhookEvent
from tertulia.networks.webhooks import PayloadInvalid, parse_generic

__all__ = ["process_event", "receive", "sweep_pending"]

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 10_000
# A delivery still pending after this long lost its queued job (a restart, a lost Redis
# message): the sweeper processes it.
STUCK_AFTER = timedelta(minutes=2)


def receive(endpoint: WebhookEndpoint, event_id: str, raw_body: bytes, *,
            clock: Callable[[], datetime] = timezone.now) -> tuple[WebhookEvent, bool]:
    """Store a verified delivery; ``(event, False)`` when this event id was already stored."""
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                endpoint=endpoint, event_id=event_id, received_at=clock(), raw_body=raw_body,
            )
            transaction.on_commit(lambda: _enqueue(event.pk))
    except IntegrityError:
        existing = WebhookEvent.objects.get(endpoint=endpoint, event_id=event_id)
        return existing, False
    return event, True


def _enqueue(event_pk: int) -> None:
    from tertulia.networks.tasks import process_webhook_event

    process_webhook_event(event_pk)


def process_event(event_pk: int, *, clock: Callable[[], datetime] = timezone.now) -> None:
    """Validate and ingest one stored event. Runs at most once per event: an event that is no
    longer pending (processed, failed, or taken by a concurrent worker) is left alone."""
    with transaction.atomic():
        event = (
            WebhookEvent.objects.select_for_update()
            .select_related("endpoint__source__organization")
            .filter(id=event_pk, status=WebhookEvent.Status.PENDING)
            .first()
        )
        if event is None:
            return
        now = clock()
        source = event.endpoint.source
        items, deleted, errors, received = _items(bytes(event.raw_body))
        created = len(ingest(source.organization, items, now=now).created) if items else 0
        if deleted:
            hide_deleted(source.organization, deleted, now=now)
        failed = bool(errors) and not items and not deleted
        event.status = WebhookEvent.Status.FAILED if failed else WebhookEvent.Status.PROCESSED
        event.error = "\n".join(errors)[:MAX_ERROR_CHARS]
        event.items_received = received
        event.items_ingested = created
        event.processed_at = now
        event.save()
        changes = {
            "last_run_at": now,
            "items_ingested": F("items_ingested") + created,
            "last_error": event.error[:2000],
        }
        if failed:
            changes["consecutive_failures"] = F("consecutive_failures") + 1
        else:
            changes["last_ok_at"] = now
            changes["consecutive_failures"] = 0
        Source.objects.filter(id=source.id).update(**changes)
    if errors:
        log.info("webhook event %s of source %s: %s", event.event_id, source.id, event.error)


def _items(
    raw_body: bytes,
) -> tuple[list[NetworkItem], list[tuple[str, str]], list[str], int]:
    """The valid items, the delete notices, one message per rejected item, and how many
    items were sent."""
    try:
        parsed = parse_generic(raw_body)
    except PayloadInvalid as error:  # checked on receipt; only a changed limit gets here
        return [], [], [str(error)], 0
    dicts = parsed.items
    items, errors = [], []
    for index, data in enumerate(dicts):
        try:
            items.append(item_from_dict(data))
        except ItemValidationError as error:
            errors.append(f"items[{index}]: {error}")
    return items, parsed.deleted, errors, len(dicts)


def sweep_pending(*, clock: Callable[[], datetime] = timezone.now, limit: int = 500) -> int:
    """Process deliveries left pending past ``STUCK_AFTER``; returns how many were taken.
    Safe beside the queue: ``process_event`` takes each event at most once."""
    stuck = list(
        WebhookEvent.objects.filter(status=WebhookEvent.Status.PENDING,
                                    received_at__lt=clock() - STUCK_AFTER)
        .order_by("received_at").values_list("id", flat=True)[:limit]
    )
    for event_pk in stuck:
        try:
            process_event(event_pk, clock=clock)
        except Exception:  # one broken event must not stop the others
            log.exception("webhook event %s could not be processed", event_pk)
    return len(stuck)
