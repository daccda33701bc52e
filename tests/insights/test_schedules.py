"""Scheduled reports: the calendar, saving schedules (audited, bad addresses named), due
schedules generating and e-mailing their file to people without an account, crisis
schedules, the archive, and expiring shared links opened without signing in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tertulia.governance.audit import Actor
from tertulia.governance.models import AuditEvent
from tertulia.insights import alerts
from tertulia.insights.alert_actions import do_raise_alert
from tertulia.insights.models import Report
from tertulia.insights.schedule_actions import (
    ShareProblem,
    do_revoke_report_share,
    do_save_report_schedule,
    do_share_report,
    next_run,
    parse_recipients,
    period_for,
    resolve_share,
    run_crisis_schedules,
    run_due_schedules,
    share_token,
)
from tertulia.insights.schedule_models import ReportDispatch, ReportSchedule
from tests.conftest import World


def test_weekly_runs_on_monday_at_seven_local_and_monthly_on_the_first() -> None:
    wednesday = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    assert next_run("weekly", wednesday, "Europe/Madrid") == datetime(2026, 11, 23, 6, 0,
                                                                     tzinfo=UTC)
    monday_early = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    assert next_run("weekly", monday_early, "Europe/Madrid") == datetime(
        2026, 11, 23, 6, 0, tzinfo=UTC), "later the same Monday"
    assert next_run("monthly", wednesday, "America/Mexico_City") == datetime(
        2026, 12, 1, 13, 0, tzinfo=UTC)
    assert next_run("crisis", wednesday, "UTC") is None


def test_periods_are_the_last_full_week_or_month() -> None:
    monday = date(2026, 11, 23)
    assert (period_for("weekly", monday).start, period_for("weekly", monday).end) == (
        date(2026, 11, 16), date(2026, 11, 22))
    march = period_for("monthly", date(2026, 3, 1))
    assert (march.start, march.end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_for("crisis", monday).days == 7


def test_recipients_are_checked_one_by_one() -> None:
    assert parse_recipients("a@x.es; B@y.com\nb@y.com, ") == ["a@x.es", "B@y.com"]
    with pytest.raises(ValueError, match="“nope” is not an e-mail address"):
        parse_recipients("a@x.es, nope")
    with pytest.raises(ValueError, match="at least one"):
        parse_recipients(" , ")


def _schedule(world: World, cadence: str = "weekly", fmt: str = "xlsx") -> ReportSchedule:
    return do_save_report_schedule(
        world.a1, name="Semanal", template="weekly", fmt=fmt, language="es", cadence=cadence,
        recipients="jefa@cliente.example, prensa@cliente.example",
        actor=Actor.of(world.person("analyst")),
        now=datetime(2026, 11, 18, 12, 0, tzinfo=UTC))


@pytest.mark.django_db
def test_a_due_schedule_generates_and_emails_its_file(world: World) -> None:
    schedule = _schedule(world)
    assert AuditEvent.objects.filter(action="report.schedule_saved").exists()
    due = schedule.next_run_at
    assert run_due_schedules(due - timedelta(minutes=1)) == 0
    with_commit = run_due_schedules(due + timedelta(minutes=1))
    assert with_commit == 1
    schedule.refresh_from_db()
    assert schedule.next_run_at == due + timedelta(days=7), "moved on: never twice"
    assert run_due_schedules(due + timedelta(minutes=2)) == 0
    report = Report.objects.get(brand=world.a1)
    assert (report.template, report.format, report.language) == ("weekly", "xlsx", "es")
    assert (report.period_start, report.period_end) == (date(2026, 11, 16), date(2026, 11, 22))
    # The queue runs immediately in tests, but only once the transaction commits.
    from tertulia.insights.alert_tasks import send_scheduled_report

    send_scheduled_report(report.id)
    report.refresh_from_db()
    assert report.status == "done"
    message = mail.outbox[-1]
    assert message.bcc == ["jefa@cliente.example", "prensa@cliente.example"]
    # Spanish once the lead merges the msgids of /tmp/i18n/alerts.json; the figures either way.
    assert message.subject.startswith("Acme One:")
    assert "2026-11-16" in message.body and "2026-11-22" in message.body
    name, content, mime = message.attachments[0]
    assert name == report.file_name and content[:2] == b"PK" and "spreadsheet" in mime
    dispatch = ReportDispatch.objects.get(report=report)
    assert dispatch.emailed_at is not None and dispatch.schedule == schedule
    assert AuditEvent.objects.filter(action="report.sent").exists()


@pytest.mark.django_db
def test_crisis_schedules_run_on_an_alert_at_most_every_six_hours(world: World) -> None:
    _schedule(world, cadence="crisis")
    now = timezone.now()
    found = alerts.Alert("negative_surge", now, 10, 30, 8.0, total=40, baseline_share=0.2)
    alert = do_raise_alert(world.a1, found, evidence=[], now=now)
    assert run_crisis_schedules(alert, now) == 1
    assert run_crisis_schedules(alert, now + timedelta(hours=1)) == 0
    assert run_crisis_schedules(alert, now + timedelta(hours=7)) == 1


@pytest.mark.django_db
def test_schedule_page_saves_and_names_a_bad_address(world: World, client: Client) -> None:
    client.force_login(world.person("analyst"))
    url = f"/o/{world.acme.slug}/b/{world.a1.slug}/reports/schedules/"
    form = {"name": "Mensual", "template": "pr", "format": "pdf", "language": "en",
            "cadence": "monthly", "recipients": "ok@x.example, not-an-address"}
    bad = client.post(url, form)
    assert bad.status_code == 400 and "not-an-address" in bad.content.decode()
    assert not ReportSchedule.objects.exists()
    form["recipients"] = "ok@x.example"
    assert client.post(url, form).status_code == 302
    page = client.get(url).content.decode()
    assert "Mensual" in page and "ok@x.example" in page
    schedule = ReportSchedule.objects.get()
    assert client.post(url + f"{schedule.id}/delete/").status_code == 302
    assert not ReportSchedule.objects.exists()
    assert AuditEvent.objects.filter(action="report.schedule_deleted").exists()


def _done_report(world: World, tmp_data: object = None) -> Report:
    from tertulia.insights.reports.files import path_of

    report = Report.objects.create(
        organization=world.acme, brand=world.a1, template="pr", format="pdf", language="en",
        period_start="2026-11-01", period_end="2026-11-07", compare="previous",
        status=Report.Status.DONE, file_name="share-test.pdf", created_at=timezone.now())
    path_of(report).parent.mkdir(parents=True, exist_ok=True)
    path_of(report).write_bytes(b"%PDF-1.7 shared")
    return report


@pytest.mark.django_db
def test_a_shared_link_works_without_an_account_until_it_expires(
        world: World, client: Client) -> None:
    report = _done_report(world)
    owner = world.person("owner")
    share, token = do_share_report(report, days=3, actor=Actor.of(owner))
    assert AuditEvent.objects.filter(action="report.shared").exists()
    page = client.get(f"/shared/reports/{token}/")  # anonymous
    assert page.status_code == 200 and "Download" in page.content.decode()
    file = client.get(f"/shared/reports/{token}/?download=1")
    assert b"".join(file.streaming_content) == b"%PDF-1.7 shared"
    share.refresh_from_db()
    assert share.downloads == 1
    with pytest.raises(ShareProblem, match="expired"):
        resolve_share(token, now=timezone.now() + timedelta(days=3, seconds=1))
    share.expires_at = timezone.now() - timedelta(seconds=1)
    share.save()
    gone = client.get(f"/shared/reports/{token}/?download=1")
    assert gone.status_code == 410 and "This link has expired" in gone.content.decode()


@pytest.mark.django_db
def test_revoked_forged_and_foreign_links_give_nothing(world: World, client: Client) -> None:
    report = _done_report(world)
    share, token = do_share_report(report, days=3, actor=Actor.of(world.person("owner")))
    do_revoke_report_share(share, actor=Actor.of(world.person("owner")))
    revoked = client.get(f"/shared/reports/{token}/")
    assert revoked.status_code == 410 and "withdrawn" in revoked.content.decode()
    forged = client.get(f"/shared/reports/{token[:-2]}xx/")
    assert forged.status_code == 404 and "not valid" in forged.content.decode()
    with pytest.raises(ValueError, match="1 to 90 days"):
        do_share_report(report, days=365, actor=Actor.of(world.person("owner")))
    share.revoked_at = None
    share.save()
    assert resolve_share(share_token(share)) == share


@pytest.mark.django_db
def test_share_button_on_the_reports_page(world: World, client: Client) -> None:
    report = _done_report(world)
    client.force_login(world.person("analyst"))
    base = f"/o/{world.acme.slug}/b/{world.a1.slug}/reports/"
    assert "Share link" in client.get(base).content.decode()
    response = client.post(f"{base}{report.id}/share/", {"days": "7"}, follow=True)
    assert "/shared/reports/" in response.content.decode()
    bad = client.post(f"{base}{report.id}/share/", {"days": "abc"}, follow=True)
    assert "“abc” is not that" in bad.content.decode()
