"""What the connectors remember between runs: feed state, webhook endpoints and events.

Everything hangs off a ``listening.Source``; deleting the source deletes its state.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from tertulia.listening.models import Source
from tertulia.networks.encryption import decrypt_secret, encrypt_secret
from tertulia.networks.rss.health import FeedHealth

TOKEN_BYTES = 24
SECRET_BYTES = 32


def new_webhook_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_webhook_secret() -> bytes:
    """A fresh HMAC secret, as the printable bytes the sender configures."""
    return secrets.token_urlsafe(SECRET_BYTES).encode("ascii")


class FeedState(models.Model):
    """Conditional-GET validators and health of one RSS/Atom source (mirrors ``FeedHealth``)."""

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="feed_state")
    etag = models.CharField(max_length=1000, blank=True)
    last_modified = models.CharField(max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(null=True)
    last_success_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)
    last_status = models.PositiveSmallIntegerField(null=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    entries_last_fetch = models.PositiveIntegerField(default=0)
    malformed = models.TextField(blank=True)
    next_poll_at = models.DateTimeField(null=True, db_index=True)

    def __str__(self) -> str:
        return f"feed state of {self.source_id}"

    def health(self) -> FeedHealth:
        return FeedHealth(
            url=self.source.url,
            last_attempt_at=self.last_attempt_at,
            last_success_at=self.last_success_at,
            last_error=self.last_error or None,
            last_status=self.last_status,
            consecutive_failures=self.consecutive_failures,
            next_poll_at=self.next_poll_at,
            etag=self.etag or None,
            modified=self.last_modified or None,
            entries_last_fetch=self.entries_last_fetch,
            malformed=self.malformed or None,
        )

    def apply(self, health: FeedHealth) -> None:
        """Copy ``health`` into the columns (the caller saves)."""
        self.last_attempt_at = health.last_attempt_at
        self.last_success_at = health.last_success_at
        self.last_error = health.last_error or ""
        self.last_status = health.last_status
        self.consecutive_failures = health.consecutive_failures
        self.next_poll_at = health.next_poll_at
        self.etag = (health.etag or "")[:1000]
        self.last_modified = (health.modified or "")[:200]
        self.entries_last_fetch = health.entries_last_fetch
        self.malformed = (health.malformed or "")[:2000]


class WebhookEndpoint(models.Model):
    """The receiving end of an inbound-webhook source: ``/hooks/<token>/``.

    The token only routes the request; authenticity comes from the HMAC secret, which is
    stored encrypted (see ``encryption.py``) and shown to a person once, when it is made.
    """

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="webhook")
    token = models.CharField(max_length=64, unique=True, default=new_webhook_token)
    secret_encrypted = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"webhook of {self.source_id}"

    def secret(self) -> bytes | None:
        return decrypt_secret(self.secret_encrypted)

    def set_secret(self, secret: bytes) -> None:
        self.secret_encrypted = encrypt_secret(secret)


class WebhookEvent(models.Model):
    """One delivery, stored raw before it is processed, once per (endpoint, event id)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        PROCESSED = "processed", _("processed")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE,
                                 related_name="events")
    event_id = models.CharField(max_length=200)
    received_at = models.DateTimeField()
    raw_body = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    error = models.TextField(blank=True)
    items_received = models.PositiveIntegerField(default=0)
    items_ingested = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once")
        ]
        indexes: ClassVar = [
            models.Index(fields=["endpoint", "received_at"], name="webhook_event_time"),
            models.Index(fields=["status", "received_at"], name="webhook_event_pending"),
        ]

    def __str__(self) -> str:
        return self.event_id
