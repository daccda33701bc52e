"""What insights stores: rollups of the mentions (what every dashboard reads) and reports.

Rollups are derived data. They are kept up to date inside each ingest batch's transaction
(`tertulia.insights.rollups`) and can be rebuilt for any range from the mentions, so a row
here is never the only copy of anything.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from tertulia.governance.models import Brand, Organization, SocialAccount, User

# `query_id` of the rows that count a brand's own mentions: distinct mentions matched by any
# of its queries that is not a competitor query. Other rows count one query's matches.
OWN = 0


class Rollup(models.Model):
    """Sums of mentions sharing one bucket and one value of every dimension."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    # Not a foreign key: 0 means the brand's own mentions (see OWN).
    query_id = models.BigIntegerField()
    network = models.CharField(max_length=20)
    language = models.CharField(max_length=8)
    sentiment = models.CharField(max_length=10)
    flag = models.CharField(max_length=10)
    mentions = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class HourlyRollup(Rollup):
    """Per UTC hour: what short periods and alert detectors read."""

    hour = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["brand", "query_id", "hour", "network", "language", "sentiment",
                        "flag"], name="hourly_rollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.brand_id}/{self.query_id} {self.hour:%Y-%m-%d %H}h: {self.mentions}"


class DailyRollup(Rollup):
    """Per day in the brand's time zone (the one in RollupState): what dashboards read."""

    day = models.DateField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["brand", "query_id", "day", "network", "language", "sentiment",
                        "flag"], name="daily_rollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.brand_id}/{self.query_id} {self.day}: {self.mentions}"


class DailyTotal(models.Model):
    """DailyRollup without network and language: at most 15 rows per brand, query and day,
    whatever the volume. Dashboards read it whenever no network or language filter is set."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    query_id = models.BigIntegerField()
    day = models.DateField()
    sentiment = models.CharField(max_length=10)
    flag = models.CharField(max_length=10)
    mentions = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["brand", "query_id", "day", "sentiment", "flag"],
                                    name="daily_total_key")
        ]
        # Covering: a dashboard's sums are read from the index alone, without a table
        # lookup per row (about three times faster on SQLite).
        indexes: ClassVar = [models.Index(
            fields=["brand", "query_id", "day", "sentiment", "flag", "mentions", "likes",
                    "comments", "shares", "views", "reach"], name="daily_total_cover")]

    def __str__(self) -> str:
        return f"{self.brand_id}/{self.query_id} {self.day}: {self.mentions}"


class DaySummary(models.Model):
    """One row per brand, query and local day, with the sentiment and flag counts as columns:
    what the executive dashboard and every unfiltered KPI read. At most one row per day,
    whatever the volume or variety of the mentions (DailyTotal has up to 15)."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    query_id = models.BigIntegerField()
    day = models.DateField()
    mentions = models.BigIntegerField(default=0)
    positive = models.BigIntegerField(default=0)
    neutral = models.BigIntegerField(default=0)
    negative = models.BigIntegerField(default=0)
    red = models.BigIntegerField(default=0)
    yellow = models.BigIntegerField(default=0)
    green = models.BigIntegerField(default=0)
    spam = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["brand", "query_id", "day"], name="day_summary_key")
        ]

    def __str__(self) -> str:
        return f"{self.brand_id}/{self.query_id} {self.day}: {self.mentions}"


class AuthorDay(models.Model):
    """One author's own-brand mentions on one local day: what "top authors" and the
    engagement ladder read. An author who only mentioned competitors that day has a row
    with `mentions` 0."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    author_id = models.BigIntegerField()
    network = models.CharField(max_length=20)
    language = models.CharField(max_length=8)
    mentions = models.BigIntegerField(default=0)
    interactions = models.BigIntegerField(default=0)
    # The largest follower count seen on the author's mentions that day.
    followers = models.BigIntegerField(default=0)
    # Mentions matched only by the brand's competitor queries (not counted in `mentions`):
    # what the engagement ladder reads to tell "unaware" and "interested" authors apart.
    competitor_mentions = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["brand", "day", "author_id", "language"],
                                    name="author_day_key")
        ]
        # "Top authors" walks the brand's largest audiences first and stops after a few
        # authors active in the period: its cost does not grow with the number of authors.
        indexes: ClassVar = [models.Index(fields=["brand", "-followers", "day"],
                                          name="author_day_followers")]

    def __str__(self) -> str:
        return f"{self.brand_id} {self.day} author {self.author_id}: {self.mentions}"


class RollupState(models.Model):
    """How a brand's rollups were built, and whether a repair is owed."""

    brand = models.OneToOneField(Brand, on_delete=models.CASCADE, primary_key=True,
                                 related_name="+")
    # The time zone daily rows were cut in; a brand moved to another zone is rebuilt.
    timezone = models.CharField(max_length=64)
    # Set when an incremental update failed or a change needs the rows recomputed from
    # this instant on; the repair task clears it.
    dirty_since = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollups of brand {self.brand_id}"


class Report(models.Model):
    """A report file asked for on the web page, generated in the background."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being generated")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    template = models.CharField(max_length=20)
    format = models.CharField(max_length=8)
    language = models.CharField(max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    compare = models.CharField(max_length=12)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["brand", "created_at"], name="report_brand")]

    def __str__(self) -> str:
        return f"{self.template}.{self.format} for brand {self.brand_id}"


class BusinessImport(models.Model):
    """One upload (CSV/XLSX) or API call that brought business figures in, with the rows it
    refused. Re-importing the same file replaces the same figures: the figures, not the
    imports, are unique."""

    class Source(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        API = "api", "API"

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=8, choices=Source)
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_saved = models.PositiveIntegerField(default=0)
    figures_saved = models.PositiveIntegerField(default=0)
    # [{"line": 7, "field": "sales", "reason": "…"}, …], the first MAX_ERRORS of them.
    errors = models.JSONField(default=list)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["brand", "created_at"],
                                          name="business_import_brand")]

    def __str__(self) -> str:
        return f"{self.source} import {self.file_name} for brand {self.brand_id}"


class BusinessFigure(models.Model):
    """One daily business number of a brand (sales, NPS, web visits, a campaign's cost…).

    `metric` is a key of `business.KNOWN_METRICS` or a custom slug; `campaign` is "" for the
    whole brand, or the name of the campaign (a query or a tag) the figure belongs to."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=60)
    campaign = models.CharField(max_length=120, blank=True, default="")
    day = models.DateField()
    value = models.FloatField()
    imported = models.ForeignKey(BusinessImport, on_delete=models.SET_NULL, null=True,
                                 related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["brand", "metric", "campaign", "day"],
                                    name="business_figure_key")
        ]

    def __str__(self) -> str:
        return f"{self.brand_id} {self.metric}/{self.campaign or '*'} {self.day}: {self.value}"


class AccountDay(models.Model):
    """An owned account's own activity on one local day of its brand: the posts it
    published (mentions authored by the account), the interactions they drew as last
    reported, and the largest follower count the network reported for it that day."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    followers = models.BigIntegerField(default=0)
    posts = models.BigIntegerField(default=0)
    likes = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "day"], name="account_day_key")
        ]
        indexes: ClassVar = [models.Index(fields=["brand", "day"], name="account_day_brand")]

    def __str__(self) -> str:
        return f"account {self.account_id} {self.day}: {self.posts} posts"


# Alerting and scheduled reports keep their models in their own modules.
from tertulia.insights.alert_models import *  # noqa: E402, F403
from tertulia.insights.schedule_models import *  # noqa: E402, F403
