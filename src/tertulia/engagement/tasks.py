"""Background work of the inbox, run by the embedded (or Redis) Huey consumer."""

from __future__ import annotations

from huey import crontab

from tertulia.queue import huey


@huey.periodic_task(crontab(minute="*"))
@huey.lock_task("engagement-tick")
def sla_tick() -> dict[str, int]:
    """Every minute: SLA warnings and breaches due, snoozes ended, outbox stragglers."""
    from tertulia.engagement.scheduler import tick

    result = tick()
    return {"claimed": result.claimed, "warnings": result.warnings,
            "breaches": result.breaches, "woke": result.woke}


@huey.task()
def deliver_reply(reply_id: int) -> str:
    """Send one queued reply (at most once; see ``outbox.deliver``)."""
    from tertulia.engagement.outbox import deliver

    return deliver(reply_id)


@huey.task()
def hide_on_network(moderation_id: int) -> str:
    """Hide one spam item on its network (at most once; see ``outbox.deliver_moderation``)."""
    from tertulia.engagement.outbox import deliver_moderation

    return deliver_moderation(moderation_id)


@huey.task(retries=3, retry_delay=30)
def thread_batch(org_id: int, mention_ids: list[int]) -> int:
    """Thread mentions whose listener failed right after ingest (idempotent)."""
    from tertulia.engagement.inbound import thread_mentions

    return len(thread_mentions(org_id, mention_ids))
