"""Background work of alerts and scheduled reports (imported by `insights.tasks`)."""

from __future__ import annotations

from huey import crontab

from tertulia.queue import huey


@huey.periodic_task(crontab(minute="*"))
@huey.lock_task("alert-tick")
def tick_alerts() -> int:
    """Every minute: feed each brand's detectors the minutes since their last reading."""
    from django.utils import timezone

    from tertulia.insights.alert_watch import tick_all

    return tick_all(timezone.now())


@huey.task()
def deliver_alert(alert_id: int) -> int:
    """Right after an alert commits: e-mail its subscribers, try its webhooks, and start
    the brand's crisis report schedules."""
    from tertulia.insights.alert_delivery import email_alert, send_due_webhooks
    from tertulia.insights.alert_models import Alert
    from tertulia.insights.schedule_actions import run_crisis_schedules

    alert = Alert.objects.select_related("brand", "organization").filter(id=alert_id).first()
    if alert is None:
        return 0
    sent = email_alert(alert)
    run_crisis_schedules(alert)
    send_due_webhooks()
    return sent


@huey.periodic_task(crontab(minute="*"))
@huey.lock_task("alert-webhooks")
def retry_alert_webhooks() -> int:
    """Every minute: the webhook deliveries whose retry is due."""
    from tertulia.insights.alert_delivery import send_due_webhooks

    return send_due_webhooks()


@huey.periodic_task(crontab(minute="0", hour="7"))
def send_alert_digests() -> int:
    """Every day at 07:00 UTC: the digest e-mails."""
    from tertulia.insights.alert_delivery import send_digests

    return send_digests()


@huey.periodic_task(crontab(minute="*/10"))
@huey.lock_task("report-schedules")
def run_report_schedules() -> int:
    """Every ten minutes: weekly and monthly report schedules that are due."""
    from tertulia.insights.schedule_actions import run_due_schedules

    return run_due_schedules()


@huey.task()
def send_scheduled_report(report_id: int) -> str:
    """Generate a scheduled report's file, then e-mail it to the schedule's recipients."""
    from tertulia.insights.reports.files import generate
    from tertulia.insights.schedule_actions import email_report

    name = generate(report_id)
    if name:
        email_report(report_id)
    return name
