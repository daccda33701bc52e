"""Background work of insights, run by the embedded (or Redis) Huey consumer."""

from __future__ import annotations

from datetime import date

from huey import crontab

from tertulia.queue import huey


@huey.periodic_task(crontab(minute="*/10"))
@huey.lock_task("repair-rollups")
def repair_rollups_periodically() -> int:
    """Every ten minutes: rebuild the rollups of brands owed a repair."""
    from tertulia.insights.rollups import repair_dirty

    return repair_dirty()


@huey.task()
@huey.lock_task("repair-rollups")
def repair_rollups() -> int:
    """Right after a change that owes a repair (a query re-applied, a time zone moved)."""
    from tertulia.insights.rollups import repair_dirty

    return repair_dirty()


@huey.task()
def rebuild_rollups(org_id: int, start: str | None = None, end: str | None = None) -> int:
    """Rebuild an organization's rollups for local days `start`..`end` (ISO dates)."""
    from tertulia.governance.models import Organization
    from tertulia.insights.rollups import rebuild_rollups as rebuild

    org = Organization.objects.filter(id=org_id).first()
    if org is None:
        return 0
    summary = rebuild(org, date.fromisoformat(start) if start else None,
                      date.fromisoformat(end) if end else None)
    return summary.mentions


@huey.task()
def generate_report(report_id: int) -> str:
    """Write a requested report file under <data dir>/reports/ and record how it went."""
    from tertulia.insights.reports.files import generate

    return generate(report_id)


from tertulia.insights import alert_tasks  # noqa: E402, F401  (alerts and report schedules)
