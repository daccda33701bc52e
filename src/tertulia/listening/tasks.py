"""Background work of listening, run by the embedded (or Redis) Huey consumer."""

from __future__ import annotations

from huey import crontab

from tertulia.queue import huey


@huey.periodic_task(crontab(minute="*"))
@huey.lock_task("poll-sources")
def poll_sources() -> int:
    """Every minute: bring every polled source up to date."""
    from tertulia.listening.sources import poll_all

    return poll_all()


@huey.task()
def backfill_query(query_id: int) -> int:
    """Apply a saved query to the mentions stored before it existed or changed."""
    from tertulia.listening.backfill import backfill
    from tertulia.listening.models import Query

    query = Query.objects.select_related("brand").filter(id=query_id).first()
    return backfill(query) if query is not None else 0


@huey.periodic_task(crontab(minute="17"))
@huey.lock_task("purge-mentions")
def purge_mentions() -> int:
    """Every hour: delete mentions deleted upstream, erased, or past retention."""
    from tertulia.listening.retention import purge

    return sum(purge().values())


@huey.task()
def run_import_job(job_id: int) -> None:
    """Read an uploaded import file in the background (see ``web_import``)."""
    from tertulia.listening.web_import import run

    run(job_id)
