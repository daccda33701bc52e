"""What alerting stores: each brand's detector state, the alerts raised (with the numbers
behind them), the crisis room's timeline, who wants to hear about alerts and how, and
outbound webhooks with their delivery log.

Imported at the end of `insights.models`, so these are models of the insights app.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from tertulia.governance.models import Brand, Organization, User


class WatchState(models.Model):
    """A brand's detectors between two readings: CUSUM scores, the term baseline and the
    last minute read. Rebuilt from the rollups and mentions when missing; never the only
    copy of anything."""

    brand = models.OneToOneField(Brand, on_delete=models.CASCADE, primary_key=True,
                                 related_name="+")
    # The last whole minute (UTC) whose mentions were fed to the detectors.
    read_until = models.DateTimeField(null=True, blank=True)
    baseline = models.JSONField(default=dict)  # per_hour, negative_share, built_at
    detectors = models.JSONField(default=dict)  # Watch.state()
    terms = models.JSONField(default=dict)  # TermBaseline.state(), term_hour
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"alert watch of brand {self.brand_id}"


class Alert(models.Model):
    """One detector firing: what fired, when, its numbers, and how the crisis went."""

    class Kind(models.TextChoices):
        VOLUME_SPIKE = "volume_spike", _("Volume spike")
        NEGATIVE_SURGE = "negative_surge", _("Negative surge")
        TRENDING_TERM = "trending_term", _("Trending term")
        INFLUENCER = "influencer", _("Influencer mention")
        OWNED_ACTIVITY = "owned_activity", _("Unexpected owned-account activity")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        HANDLING = "handling", _("being handled")
        RESOLVED = "resolved", _("resolved")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    fired_at = models.DateTimeField()
    # The minutes since the estimated onset, what was seen and what the baseline expected.
    window_min = models.PositiveIntegerField(default=0)
    observed = models.BigIntegerField(default=0)
    expected = models.FloatField(default=0.0)
    total = models.BigIntegerField(default=0)
    baseline_share = models.FloatField(default=0.0)
    p_value = models.FloatField(default=0.0)
    subject = models.CharField(max_length=200, blank=True)  # term, author handle
    # Mention ids behind it (the top ones by reach), for the crisis room and the message.
    evidence = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    handled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-fired_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["brand", "fired_at"], name="alert_brand")]

    def __str__(self) -> str:
        return f"{self.kind} of brand {self.brand_id} at {self.fired_at:%Y-%m-%d %H:%M}"


class AlertEntry(models.Model):
    """The crisis room's timeline: the alert itself, claims, notes, deliveries, resolution."""

    class Kind(models.TextChoices):
        FIRED = "fired", _("fired")
        CLAIMED = "claimed", _("claimed")
        RELEASED = "released", _("released")
        NOTE = "note", _("note")
        DELIVERED = "delivered", _("delivered")
        RESOLVED = "resolved", _("resolved")
        REOPENED = "reopened", _("reopened")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind)
    at = models.DateTimeField()
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    text = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on alert {self.alert_id}"


class AlertSubscription(models.Model):
    """How one person hears about one brand's alerts by e-mail: each at once, or a daily
    digest. In-app alerts reach everyone who may see the brand's insights."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("each alert at once")
        DIGEST = "digest", _("a daily digest")
        OFF = "off", _("no e-mail")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=10, choices=Mode, default=Mode.IMMEDIATE)
    # Alerts after this instant go into the next digest.
    digest_sent_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["user", "brand"],
                                                         name="alert_subscription_key")]

    def __str__(self) -> str:
        return f"{self.user_id} on brand {self.brand_id}: {self.mode}"


class AlertWebhook(models.Model):
    """An outbound webhook a brand's alerts are POSTed to (Standard Webhooks signature)."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(_("URL"), max_length=500)
    # Fernet-encrypted "whsec_…" secret (networks.encryption), bound to nothing else.
    secret_encrypted = models.TextField()
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One alert to one webhook: the outbox row and its delivery log. Written in the same
    transaction as the alert, so it is sent if and only if the alert exists."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    webhook = models.ForeignKey(AlertWebhook, on_delete=models.CASCADE,
                                related_name="deliveries")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["status", "next_attempt_at"],
                                          name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"alert {self.alert_id} → webhook {self.webhook_id}: {self.status}"
