"""What insights stores: rollups of the mentions (what every dashboard reads) and reports.

Rollups are derived data. They are kept up to date inside each ingest batch's transaction
(`tertulia.insights.rollups`) and can be rebuilt for any range from the mentions, so a row
here is never the only copy of anything.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from tertulia.governance.models import Brand, Organization, User

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


class AuthorDay(models.Model):
    """One author's own-brand mentions on one local day: what "top authors" reads."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    author_id = models.BigIntegerField()
    network = models.CharField(max_length=20)
    language = models.CharField(max_length=8)
    mentions = models.BigIntegerField(default=0)
    interactions = models.BigIntegerField(default=0)
    # The largest follower count seen on the author's mentions that day.
    followers = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["brand", "day", "author_id", "language"],
                                    name="author_day_key")
        ]

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
