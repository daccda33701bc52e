"""What listening stores: saved queries, authors, mentions and which queries they matched."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from tertulia.governance.models import Brand, Organization, User


class Query(models.Model):
    """A saved boolean query of a brand. Its text is validated by the query language."""

    class Kind(models.TextChoices):
        BRAND = "brand", _("Brand")
        COMPETITOR = "competitor", _("Competitor")
        CAMPAIGN = "campaign", _("Campaign")
        TOPIC = "topic", _("Topic")
        CRISIS = "crisis", _("Crisis watch")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="queries")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=20, choices=Kind, default=Kind.BRAND)
    text = models.TextField(_("query"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Applying a new or edited query to the mentions already stored runs in the background.
    backfill_total = models.PositiveIntegerField(default=0)
    backfill_done = models.PositiveIntegerField(default=0)
    backfill_finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["brand", "name"]
        verbose_name_plural = "queries"

    def __str__(self) -> str:
        return self.name

    @property
    def backfill_percent(self) -> int:
        if self.backfill_finished_at or not self.backfill_total:
            return 100
        return min(99, int(100 * self.backfill_done / self.backfill_total))


class Author(models.Model):
    # Indexed by the unique (organization, network, …) constraint, which leads with it: a
    # separate index would only slow every insert.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    network = models.CharField(max_length=20)
    handle = models.CharField(max_length=256)
    name = models.CharField(max_length=512, blank=True)
    followers = models.BigIntegerField(null=True)
    verified = models.BooleanField(default=False)
    profile_url = models.URLField(max_length=1000, blank=True)
    location = models.CharField(max_length=512, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "network", "handle"],
                                    name="author_per_network")
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("positive")
    NEUTRAL = "neutral", _("neutral")
    NEGATIVE = "negative", _("negative")


class Flag(models.TextChoices):
    RED = "red", _("red")
    YELLOW = "yellow", _("yellow")
    GREEN = "green", _("green")
    SPAM = "spam", _("spam")
    NONE = "none", _("no flag")


class Mention(models.Model):
    """One post, comment, message, review or article, as brought in and understood."""

    # Indexed by the unique (organization, network, …) constraint, which leads with it: a
    # separate index would only slow every insert.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    network = models.CharField(max_length=20)
    external_id = models.CharField(max_length=256)
    kind = models.CharField(max_length=20)
    thread_id = models.CharField(max_length=256, blank=True)
    parent_id = models.CharField(max_length=256, blank=True)
    channel = models.CharField(max_length=256, blank=True)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="mentions",
                               db_index=False)  # mention_author_time leads with it
    text = models.TextField()
    html = models.TextField(blank=True)
    title = models.CharField(max_length=1000, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    site = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    ingested_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    language = models.CharField(max_length=8)
    country = models.CharField(max_length=3, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment, default=Sentiment.NEUTRAL)
    sentiment_score = models.FloatField(default=0.0)
    flag = models.CharField(max_length=10, choices=Flag, default=Flag.NONE)
    flag_confidence = models.FloatField(default=0.0)
    is_spam = models.BooleanField(default=False)
    spam_score = models.FloatField(default=0.0)
    is_complaint = models.BooleanField(default=False)
    keywords = models.JSONField(default=list)
    # What the text models said, kept when a person corrects sentiment or flag.
    model_sentiment = models.CharField(max_length=10, blank=True)
    model_flag = models.CharField(max_length=10, blank=True)
    likes = models.BigIntegerField(default=0)
    comments = models.BigIntegerField(default=0)
    shares = models.BigIntegerField(default=0)
    views = models.BigIntegerField(default=0)
    author_followers = models.BigIntegerField(null=True)
    raw_ref = models.CharField(max_length=256, blank=True)
    # Set by an upstream delete notice or an erasure request: hidden at once, purged later.
    hidden_at = models.DateTimeField(null=True)
    purge_after = models.DateTimeField(null=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "network", "external_id"],
                                    name="mention_once_per_network")
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "created_at"], name="mention_org_time"),
            models.Index(fields=["author", "created_at"], name="mention_author_time"),
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.external_id}"


class MentionMatch(models.Model):
    """A mention matched a query. Denormalized so a stream page reads one index range."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="matches")
    # Both lead composite indexes below (match_once, match_brand_time): no index of their own.
    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="matches",
                              db_index=False)
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField()
    sentiment = models.CharField(max_length=10)
    network = models.CharField(max_length=20)
    language = models.CharField(max_length=8)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["query", "mention"], name="match_once")
        ]
        indexes: ClassVar = [
            models.Index(fields=["brand", "created_at", "mention"], name="match_brand_time"),
            models.Index(fields=["query", "created_at", "mention"], name="match_query_time"),
            models.Index(fields=["brand", "sentiment", "created_at"], name="match_brand_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.query_id}→{self.mention_id}"


class Source(models.Model):
    """Where items come from for an organization: the demo stream, a feed, a webhook."""

    class Kind(models.TextChoices):
        DEMO = "demo", _("Demo stream")
        RSS = "rss", _("RSS/Atom feed")
        WEBHOOK = "webhook", _("Inbound webhook")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    cursor = models.CharField(max_length=1000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(null=True)
    last_ok_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    items_ingested = models.BigIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class MentionTag(models.Model):
    """A label a person put on a mention, within one brand (bulk tagging in the stream)."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="tags")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    tag = models.CharField(max_length=60)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["mention", "brand", "tag"], name="tag_once")
        ]
        indexes: ClassVar = [models.Index(fields=["brand", "tag"], name="tag_brand")]

    def __str__(self) -> str:
        return self.tag


class Correction(models.Model):
    """A person confirmed or corrected what the text models said of a mention. Exported as
    new training data (`tertulia nlp export-corrections`) and used to measure the models."""

    class Field(models.TextChoices):
        SENTIMENT = "sentiment", _("sentiment")
        FLAG = "flag", _("flag")

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="corrections")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=20, choices=Field)
    model_value = models.CharField(max_length=20)
    old_value = models.CharField(max_length=20)
    new_value = models.CharField(max_length=20)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["brand", "field"], name="correction_brand")]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class ImportJob(models.Model):
    """A file uploaded in the web to import, read in the background with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    file_name = models.CharField(_("file"), max_length=255)
    stored_path = models.CharField(max_length=1000)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    bytes_total = models.BigIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    rows_read = models.BigIntegerField(default=0)
    created = models.BigIntegerField(default=0)
    updated = models.BigIntegerField(default=0)
    unchanged = models.BigIntegerField(default=0)
    errors = models.BigIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.bytes_read / self.bytes_total) if self.bytes_total else 0

    @property
    def report_path(self) -> str:
        return self.stored_path + ".errors.csv"
