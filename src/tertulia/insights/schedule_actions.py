"""Scheduled reports: saving schedules, running the due ones (weekly, monthly, on a crisis),
e-mailing the files to any address, and sharing a file through an expiring signed link."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand
from tertulia.insights.metrics import Compare, Period
from tertulia.insights.models import Report
from tertulia.insights.reports import FORMATS, TEMPLATES
from tertulia.insights.schedule_models import ReportDispatch, ReportSchedule, ReportShare

log = logging.getLogger(__name__)

SEND_AT = time(7, 0)  # local time of the brand
MAX_RECIPIENTS = 50
SHARE_SALT = "tertulia.insights.report-share"
SHARE_MAX_DAYS = 90
SYSTEM = Actor.system("report-schedules")


# --- pure calendar ----------------------------------------------------------------------

def next_run(cadence: str, after: datetime, tz: str) -> datetime | None:
    """The next instant (UTC) a schedule runs after `after`: Mondays or the 1st of the
    month at 07:00 in the brand's time zone; crisis schedules run on alerts only."""
    zone = ZoneInfo(tz)
    local = after.astimezone(zone)
    if cadence == ReportSchedule.Cadence.WEEKLY:
        day = local.date() + timedelta(days=(7 - local.weekday()) % 7)
        at = datetime.combine(day, SEND_AT, tzinfo=zone)
        if at <= local:
            at = datetime.combine(day + timedelta(days=7), SEND_AT, tzinfo=zone)
        return at.astimezone(after.tzinfo)
    if cadence == ReportSchedule.Cadence.MONTHLY:
        first = local.date().replace(day=1)
        at = datetime.combine(first, SEND_AT, tzinfo=zone)
        if at <= local:
            nxt = (first + timedelta(days=32)).replace(day=1)
            at = datetime.combine(nxt, SEND_AT, tzinfo=zone)
        return at.astimezone(after.tzinfo)
    return None


def period_for(cadence: str, today: date) -> Period:
    """Weekly: the last full week (Monday to Sunday); monthly: the previous calendar month;
    crisis: the last seven days, today included."""
    if cadence == ReportSchedule.Cadence.WEEKLY:
        monday = today - timedelta(days=today.weekday() + 7)
        return Period(monday, monday + timedelta(days=6))
    if cadence == ReportSchedule.Cadence.MONTHLY:
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    return Period(today - timedelta(days=6), today)


def parse_recipients(raw: str) -> list[str]:
    """Comma/semicolon/newline-separated addresses; a bad one is named in the error."""
    parts = [p.strip() for p in raw.replace(";", ",").replace("\n", ",").split(",")]
    out: list[str] = []
    for address in parts:
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValueError(f"“{address}” is not an e-mail address") from None
        if address.lower() not in (a.lower() for a in out):
            out.append(address)
    if not out:
        raise ValueError("at least one e-mail address is needed")
    if len(out) > MAX_RECIPIENTS:
        raise ValueError(f"at most {MAX_RECIPIENTS} addresses")
    return out


# --- schedules --------------------------------------------------------------------------

@transaction.atomic
def do_save_report_schedule(brand: Brand, *, name: str, template: str, fmt: str,
                            language: str, cadence: str, recipients: str, actor: Actor,
                            schedule: ReportSchedule | None = None,
                            now: datetime | None = None) -> ReportSchedule:
    if template not in TEMPLATES or fmt not in FORMATS or language not in ("es", "en"):
        raise ValueError("unknown report template, format or language")
    if cadence not in ReportSchedule.Cadence.values:
        raise ValueError(f"unknown cadence {cadence!r}")
    addresses = parse_recipients(recipients)
    now = now or timezone.now()
    before = None
    if schedule is None:
        schedule = ReportSchedule(brand=brand, created_by=actor.user, created_at=now)
    else:
        before = {"template": schedule.template, "format": schedule.format,
                  "cadence": schedule.cadence, "recipients": schedule.recipients}
    schedule.name = name.strip()[:120] or template
    schedule.template, schedule.format, schedule.language = template, fmt, language
    schedule.cadence = cadence
    schedule.recipients = ", ".join(addresses)
    schedule.next_run_at = next_run(cadence, now, brand.timezone)
    schedule.save()
    record(brand.organization, actor, AuditAction.REPORT_SCHEDULE_SAVED, obj=schedule,
           brand=brand, before=before,
           after={"template": template, "format": fmt, "language": language,
                  "cadence": cadence, "recipients": schedule.recipients})
    return schedule


@transaction.atomic
def do_delete_report_schedule(schedule: ReportSchedule, *, actor: Actor) -> None:
    brand = schedule.brand
    record(brand.organization, actor, AuditAction.REPORT_SCHEDULE_DELETED, obj=schedule,
           brand=brand, before={"name": schedule.name, "recipients": schedule.recipients})
    schedule.delete()


def _start(schedule: ReportSchedule, now: datetime) -> Report:
    """Record the run's report (audited as sent by the system) and generate it after
    commit; the e-mail goes once the file exists."""
    from tertulia.insights.forms import today_in

    brand = schedule.brand
    period = period_for(schedule.cadence, today_in(brand.timezone, now))
    report = Report.objects.create(
        organization=brand.organization, brand=brand, template=schedule.template,
        format=schedule.format, language=schedule.language, period_start=period.start,
        period_end=period.end, compare=Compare.PREVIOUS.value,
        requested_by=schedule.created_by, created_at=now)
    ReportDispatch.objects.create(report=report, schedule=schedule,
                                  recipients=schedule.recipients)
    record(brand.organization, SYSTEM, AuditAction.REPORT_SENT, obj=report, brand=brand,
           after={"schedule": schedule.id, "recipients": schedule.recipients,
                  "period": [period.start.isoformat(), period.end.isoformat()]})

    def generate() -> None:
        from tertulia.insights.alert_tasks import send_scheduled_report

        send_scheduled_report(report.id)

    transaction.on_commit(generate)
    return report


def run_due_schedules(now: datetime | None = None) -> int:
    """Start every weekly or monthly schedule whose time has come; each moves on to its
    next run in the same transaction, so a schedule never runs twice for one date."""
    now = now or timezone.now()
    started = 0
    due = ReportSchedule.objects.filter(is_active=True, next_run_at__lte=now).select_related(
        "brand", "brand__organization", "created_by")
    for schedule in due:
        with transaction.atomic():
            claimed = ReportSchedule.objects.filter(
                id=schedule.id, next_run_at=schedule.next_run_at).update(
                next_run_at=next_run(schedule.cadence, now, schedule.brand.timezone))
            if claimed:
                _start(schedule, now)
                started += 1
    return started


CRISIS_MIN_GAP = timedelta(hours=6)


def run_crisis_schedules(alert: object, now: datetime | None = None) -> int:
    """The brand's "on a crisis" schedules, at most once every six hours each."""
    now = now or timezone.now()
    brand_id = getattr(alert, "brand_id", None)
    started = 0
    for schedule in ReportSchedule.objects.filter(
            brand_id=brand_id, is_active=True,
            cadence=ReportSchedule.Cadence.CRISIS).select_related(
            "brand", "brand__organization", "created_by"):
        recent = ReportDispatch.objects.filter(schedule=schedule,
                                               report__created_at__gte=now - CRISIS_MIN_GAP)
        if recent.exists():
            continue
        with transaction.atomic():
            _start(schedule, now)
        started += 1
    return started


def email_report(report_id: int) -> int:
    """Send a scheduled report's file to its recipients (with or without an account)."""
    from tertulia.insights.reports.files import path_of
    from tertulia.insights.reports.render import CONTENT_TYPES

    dispatch = ReportDispatch.objects.select_related("report", "report__brand").filter(
        report_id=report_id).first()
    if dispatch is None or dispatch.emailed_at is not None:
        return 0
    report = dispatch.report
    path = path_of(report)
    addresses = [a.strip() for a in dispatch.recipients.split(",") if a.strip()]
    try:
        with translation.override(report.language):
            subject = translation.gettext("%(brand)s: your scheduled report") % {
                "brand": report.brand.name}
            body = render_to_string("insights/email/scheduled_report.txt",
                                    {"report": report, "brand": report.brand})
        message = EmailMessage(subject, body, None, [], bcc=addresses)
        message.attach(report.file_name, path.read_bytes(), CONTENT_TYPES[report.format])
        message.send()
    except Exception as error:  # the archive shows it; the file stays downloadable
        log.exception("e-mailing report %s failed", report_id)
        ReportDispatch.objects.filter(report_id=report_id).update(error=str(error)[:300])
        return 0
    ReportDispatch.objects.filter(report_id=report_id).update(emailed_at=timezone.now(),
                                                              error="")
    return len(addresses)


# --- expiring links ---------------------------------------------------------------------

def share_token(share: ReportShare) -> str:
    return signing.dumps({"s": share.id, "r": share.report_id}, salt=SHARE_SALT)


class ShareProblem(Exception):
    """Why a shared link does not give its file: "invalid", "expired" or "revoked"."""


def resolve_share(token: str, now: datetime | None = None) -> ReportShare:
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        raise ShareProblem("invalid") from None
    share = ReportShare.objects.select_related("report", "report__brand").filter(
        id=data.get("s"), report_id=data.get("r")).first()
    if share is None or share.report.status != Report.Status.DONE:
        raise ShareProblem("invalid")
    if share.revoked_at is not None:
        raise ShareProblem("revoked")
    if share.expires_at <= now:
        raise ShareProblem("expired")
    return share


@transaction.atomic
def do_share_report(report: Report, *, days: int, actor: Actor,
                    now: datetime | None = None) -> tuple[ReportShare, str]:
    if report.status != Report.Status.DONE:
        raise ValueError("only a finished report can be shared")
    if not 1 <= days <= SHARE_MAX_DAYS:
        raise ValueError(f"a link lasts 1 to {SHARE_MAX_DAYS} days")
    now = now or timezone.now()
    share = ReportShare.objects.create(report=report, expires_at=now + timedelta(days=days),
                                       created_by=actor.user, created_at=now)
    record(report.organization, actor, AuditAction.REPORT_SHARED, obj=report,
           brand=report.brand, after={"share": share.id,
                                      "expires_at": share.expires_at.isoformat()})
    return share, share_token(share)


@transaction.atomic
def do_revoke_report_share(share: ReportShare, *, actor: Actor) -> None:
    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])
    report = share.report
    record(report.organization, actor, AuditAction.REPORT_SHARE_REVOKED, obj=report,
           brand=report.brand, after={"share": share.id})
