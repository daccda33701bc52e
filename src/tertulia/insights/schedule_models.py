"""What scheduled reports store: the schedules, who each generated file was sent to, and
the expiring links that share a file with people who have no account.

Imported at the end of `insights.models`, so these are models of the insights app.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from tertulia.governance.models import Brand, User


class ReportSchedule(models.Model):
    """A report generated and e-mailed on its own: every week, every month, or when an
    alert of the brand fires (a crisis)."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("every week (Monday, last 7 days)")
        MONTHLY = "monthly", _("every month (1st, previous month)")
        CRISIS = "crisis", _("when an alert fires (last 7 days)")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    template = models.CharField(_("template"), max_length=20)
    format = models.CharField(_("format"), max_length=8)
    language = models.CharField(_("language"), max_length=8)
    cadence = models.CharField(_("when"), max_length=10, choices=Cadence)
    # Comma-separated e-mail addresses; people without an account are welcome.
    recipients = models.TextField(_("send to"))
    is_active = models.BooleanField(_("active"), default=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["name", "id"]
        indexes: ClassVar = [models.Index(fields=["is_active", "next_run_at"],
                                          name="report_schedule_due")]

    def __str__(self) -> str:
        return self.name

    def recipient_list(self) -> list[str]:
        return [a.strip() for a in self.recipients.split(",") if a.strip()]


class ReportDispatch(models.Model):
    """A report file made by a schedule and whom it went to (the archive's "sent" column)."""

    report = models.OneToOneField("insights.Report", on_delete=models.CASCADE,
                                  primary_key=True, related_name="dispatch")
    schedule = models.ForeignKey(ReportSchedule, on_delete=models.SET_NULL, null=True,
                                 related_name="dispatches")
    recipients = models.TextField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"report {self.report_id} to {self.recipients}"


class ReportShare(models.Model):
    """An expiring public link to one report file. The URL carries a signed token naming
    this row; the row says until when it works and lets it be revoked."""

    report = models.ForeignKey("insights.Report", on_delete=models.CASCADE,
                               related_name="shares")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField()
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"share of report {self.report_id} until {self.expires_at:%Y-%m-%d}"
