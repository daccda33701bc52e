"""Background work of the connectors, run by the queue consumer."""

from __future__ import annotations

from huey import crontab

from tertulia.queue import huey


@huey.task(retries=3, retry_delay=30)
def process_webhook_event(event_pk: int) -> None:
    """Validate and ingest one stored webhook delivery (enqueued after it committed)."""
    from tertulia.networks.inbound import process_event

    process_event(event_pk)


@huey.periodic_task(crontab(minute="*/5"))
@huey.lock_task("sweep-webhook-events")
def sweep_webhook_events() -> int:
    """Every five minutes: process deliveries whose queued job was lost."""
    from tertulia.networks.inbound import sweep_pending

    return sweep_pending()
