"""Alerts leaving the platform: e-mails (each alert, or a daily digest) and outbound
webhooks signed the Standard Webhooks way, retried with backoff for about three days,
only to public addresses, each attempt written to the delivery log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tertulia.governance.access import can
from tertulia.governance.models import User
from tertulia.governance.permissions import Permission
from tertulia.insights.alert_actions import as_detected
from tertulia.insights.alert_models import (
    Alert,
    AlertEntry,
    AlertSubscription,
    WebhookDelivery,
)
from tertulia.listening.models import Mention
from tertulia.networks.encryption import decrypt_secret

log = logging.getLogger(__name__)

# Seconds to wait before each retry: about three days in all, then the delivery fails.
RETRY_S = (5, 300, 1800, 7200, 18000, 36000, 36000, 50400, 72000, 36000)
TIMEOUT_S = 10.0


# --- webhooks ---------------------------------------------------------------------------

def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: "v1," and base64 HMAC-SHA256 of
    "{id}.{timestamp}.{body}" keyed with the secret's bytes (after "whsec_")."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify(secret: str, headers: dict[str, str], body: bytes, *, now: datetime,
           tolerance_s: int = 300) -> bool:
    """What a receiver does (used by the tests and documented for integrators)."""
    try:
        stamp = int(headers["webhook-timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(now.timestamp() - stamp) > tolerance_s:
        return False
    expected = sign(secret, headers.get("webhook-id", ""), stamp, body)
    return any(hmac.compare_digest(expected, s)
               for s in headers.get("webhook-signature", "").split())


def _client() -> httpx.Client:
    from tertulia.networks.safe_http import public_client

    return public_client(timeout=TIMEOUT_S, follow_redirects=False)


def send_due_webhooks(now: datetime | None = None,
                      client_factory: Callable[[], httpx.Client] = _client,
                      limit: int = 100) -> int:
    """Try every delivery that is due; returns how many were delivered."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(WebhookDelivery.objects.select_for_update(skip_locked=True)
                   .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
                   .select_related("webhook")[:limit])
        # Claim them: a second worker skips these until our attempt is over.
        ids = [d.id for d in due]
        WebhookDelivery.objects.filter(id__in=ids).update(
            next_attempt_at=now + timedelta(seconds=TIMEOUT_S * 6))
    sent = 0
    with client_factory() as client:
        for delivery in due:
            sent += _attempt(client, delivery, now)
    return sent


def _attempt(client: httpx.Client, delivery: WebhookDelivery, now: datetime) -> int:
    hook = delivery.webhook
    secret = (decrypt_secret(hook.secret_encrypted) or b"").decode()
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    stamp = int(now.timestamp())
    code: int | None = None
    error = ""
    if not hook.is_active:
        error = "webhook switched off"
    elif not secret:
        error = "webhook secret unreadable (key rotated away?)"
    else:
        try:
            response = client.post(hook.url, content=body, headers={
                "content-type": "application/json", "webhook-id": delivery.message_id,
                "webhook-timestamp": str(stamp),
                "webhook-signature": sign(secret, delivery.message_id, stamp, body),
                "user-agent": "tertulia-webhooks/1"})
            code = response.status_code
            if not 200 <= code < 300:
                error = f"HTTP {code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
    delivery.attempts += 1
    delivery.last_status_code = code
    delivery.last_error = error
    if not error:
        delivery.status = WebhookDelivery.Status.SENT
        delivery.delivered_at = now
        AlertEntry.objects.create(alert_id=delivery.alert_id, kind=AlertEntry.Kind.DELIVERED,
                                  at=now, text=f"webhook {hook.url}")
    elif delivery.attempts > len(RETRY_S) or not hook.is_active:
        delivery.status = WebhookDelivery.Status.FAILED
    else:
        delivery.next_attempt_at = now + timedelta(seconds=RETRY_S[delivery.attempts - 1])
    delivery.save()
    return 0 if error else 1


# --- e-mail -----------------------------------------------------------------------------

def _lang(user: User, fallback: str) -> str:
    lang = getattr(user, "language", "") or fallback
    return "es" if lang.startswith("es") else "en"


def _may_see(user: User, alert: Alert) -> bool:
    return user.is_active and bool(user.email) and can(user, Permission.BRAND_INSIGHTS_VIEW,
                                                       alert.brand)


def _room_url(alert: Alert) -> str:
    from django.urls import reverse

    path = reverse("insights:alert_room", args=[alert.organization.slug, alert.brand.slug,
                                                alert.id])
    return getattr(settings, "TERTULIA_BASE_URL", "").rstrip("/") + path


def _evidence(alert: Alert) -> list[Mention]:
    by_id = Mention.objects.select_related("author").in_bulk(alert.evidence[:5])
    return [by_id[i] for i in alert.evidence[:5] if i in by_id]


def _send(to: str, subject: str, template: str, context: dict[str, Any], lang: str) -> None:
    with translation.override(lang):
        text = render_to_string(f"insights/email/{template}.txt", context)
        html = render_to_string(f"insights/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, None, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def email_alert(alert: Alert) -> int:
    """E-mail an alert to the people subscribed to its brand one alert at a time."""
    subs = AlertSubscription.objects.filter(
        brand=alert.brand, mode=AlertSubscription.Mode.IMMEDIATE).select_related("user")
    sent = 0
    for sub in subs:
        if not _may_see(sub.user, alert):
            continue
        lang = _lang(sub.user, alert.brand.language)
        with translation.override(lang):
            subject = f"[{alert.brand.name}] {alert.get_kind_display()}"
        _send(sub.user.email, subject, "alert", {
            "alert": alert, "why": as_detected(alert).explain(lang),
            "mentions": _evidence(alert), "url": _room_url(alert)}, lang)
        sent += 1
    if sent:
        AlertEntry.objects.create(alert=alert, kind=AlertEntry.Kind.DELIVERED,
                                  at=timezone.now(), text=f"e-mail to {sent} people")
    return sent


def send_digests(now: datetime | None = None) -> int:
    """One e-mail per digest subscriber with the alerts since their last digest."""
    now = now or timezone.now()
    sent = 0
    subs = AlertSubscription.objects.filter(mode=AlertSubscription.Mode.DIGEST).select_related(
        "user", "brand", "brand__organization")
    for sub in subs:
        since = sub.digest_sent_until or now - timedelta(days=1)
        rows = list(Alert.objects.filter(brand=sub.brand, fired_at__gt=since,
                                         fired_at__lte=now).select_related(
            "brand", "organization")[:50])
        visible = [a for a in rows if _may_see(sub.user, a)]
        if visible:
            lang = _lang(sub.user, sub.brand.language)
            with translation.override(lang):
                subject = f"[{sub.brand.name}] " + translation.gettext("Alert digest")
            _send(sub.user.email, subject, "digest", {
                "brand": sub.brand,
                "items": [(a, as_detected(a).explain(lang), _room_url(a)) for a in visible],
            }, lang)
            sent += 1
        AlertSubscription.objects.filter(id=sub.id).update(digest_sent_until=now)
    return sent
