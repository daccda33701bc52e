"""Background work of the connectors, run by the queue consumer."""

from __future__ import annotations

from tertulia.queue import huey


@huey.task(retries=3, retry_delay=30)
def process_webhook_event(event_pk: int) -> None:
    """Validate and ingest one stored webhook delivery (enqueued after it committed)."""
    from tertulia.networks.inbound import process_event

    process_event(event_pk)
