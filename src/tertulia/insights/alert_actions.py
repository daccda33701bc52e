"""Changes to alerts: raising one (with its outbox rows), handling it in the crisis room,
and who hears about alerts (subscriptions, outbound webhooks). Each runs in one
transaction and writes its audit row; deliveries start after the commit."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand, User
from tertulia.insights import alerts
from tertulia.insights.alert_models import (
    Alert,
    AlertEntry,
    AlertSubscription,
    AlertWebhook,
    WebhookDelivery,
)
from tertulia.networks.encryption import encrypt_secret

SYSTEM = Actor.system("alerts")


def payload_of(alert: Alert) -> dict[str, Any]:
    """What a webhook receives: the numbers, the baseline and why, in both languages."""
    found = as_detected(alert)
    return {
        "type": f"alert.{alert.kind}", "alert_id": alert.id,
        "organization": alert.organization.slug, "brand": alert.brand.slug,
        "fired_at": alert.fired_at.isoformat(), "window_min": alert.window_min,
        "observed": alert.observed, "expected": round(alert.expected, 3),
        "total": alert.total, "baseline_share": round(alert.baseline_share, 4),
        "p_value": alert.p_value, "subject": alert.subject,
        "explanation": {"en": found.explain("en"), "es": found.explain("es")},
        "mention_ids": list(alert.evidence),
    }


def as_detected(alert: Alert) -> alerts.Alert:
    """The stored alert as the pure value that explains itself."""
    return alerts.Alert(alert.kind, alert.fired_at, alert.window_min, alert.observed,
                        alert.expected, total=alert.total,
                        baseline_share=alert.baseline_share, p_value=alert.p_value,
                        subject=alert.subject)


@transaction.atomic
def do_raise_alert(brand: Brand, found: alerts.Alert, *, evidence: list[int],
                   now: datetime | None = None) -> Alert:
    """Store what a detector found, queue one webhook delivery per active webhook (outbox:
    sent if and only if this commits), then e-mail and run crisis schedules after commit."""
    now = now or timezone.now()
    alert = Alert.objects.create(
        organization=brand.organization, brand=brand, kind=found.kind, fired_at=found.at,
        window_min=found.window_min, observed=found.observed, expected=found.expected,
        total=found.total, baseline_share=found.baseline_share,
        p_value=found.p_value if found.p_value == found.p_value else 0.0,
        subject=found.subject[:200], evidence=list(evidence),
    )
    AlertEntry.objects.create(alert=alert, kind=AlertEntry.Kind.FIRED, at=now,
                              text=found.explain("en"))
    payload = payload_of(alert)
    for hook in AlertWebhook.objects.filter(brand=brand, is_active=True):
        WebhookDelivery.objects.create(
            webhook=hook, alert=alert, message_id=f"msg_{uuid.uuid4().hex}",
            payload=payload, next_attempt_at=now, created_at=now)
    record(brand.organization, SYSTEM, AuditAction.ALERT_RAISED, obj=alert, brand=brand,
           after={"kind": found.kind, "observed": found.observed,
                  "expected": round(found.expected, 3), "subject": found.subject})

    def deliver() -> None:
        from tertulia.insights.alert_tasks import deliver_alert

        deliver_alert(alert.id)

    transaction.on_commit(deliver)
    return alert


def _entry(alert: Alert, kind: str, actor: Actor, text: str = "") -> None:
    AlertEntry.objects.create(alert=alert, kind=kind, at=timezone.now(), author=actor.user,
                              text=text)


@transaction.atomic
def do_claim_alert(alert: Alert, *, actor: Actor) -> Alert:
    """The actor handles this crisis from now on (taking it over from whoever had it)."""
    alert = Alert.objects.select_for_update().get(id=alert.id)
    before = {"status": alert.status, "handled_by": alert.handled_by_id}
    alert.status = Alert.Status.HANDLING
    alert.handled_by = actor.user
    alert.resolved_at = None
    alert.save(update_fields=["status", "handled_by", "resolved_at"])
    _entry(alert, AlertEntry.Kind.CLAIMED, actor)
    record(alert.organization, actor, AuditAction.ALERT_CLAIMED, obj=alert, brand=alert.brand,
           before=before, after={"status": alert.status, "handled_by": alert.handled_by_id})
    return alert


@transaction.atomic
def do_release_alert(alert: Alert, *, actor: Actor) -> Alert:
    alert = Alert.objects.select_for_update().get(id=alert.id)
    before = {"status": alert.status, "handled_by": alert.handled_by_id}
    alert.status = Alert.Status.OPEN
    alert.handled_by = None
    alert.save(update_fields=["status", "handled_by"])
    _entry(alert, AlertEntry.Kind.RELEASED, actor)
    record(alert.organization, actor, AuditAction.ALERT_RELEASED, obj=alert,
           brand=alert.brand, before=before, after={"status": alert.status})
    return alert


@transaction.atomic
def do_resolve_alert(alert: Alert, *, actor: Actor, note: str = "") -> Alert:
    alert = Alert.objects.select_for_update().get(id=alert.id)
    before = {"status": alert.status}
    alert.status = Alert.Status.RESOLVED
    alert.resolved_at = timezone.now()
    alert.save(update_fields=["status", "resolved_at"])
    _entry(alert, AlertEntry.Kind.RESOLVED, actor, note.strip())
    record(alert.organization, actor, AuditAction.ALERT_RESOLVED, obj=alert,
           brand=alert.brand, before=before, after={"status": alert.status})
    return alert


@transaction.atomic
def do_reopen_alert(alert: Alert, *, actor: Actor) -> Alert:
    alert = Alert.objects.select_for_update().get(id=alert.id)
    before = {"status": alert.status}
    alert.status = Alert.Status.HANDLING if alert.handled_by_id else Alert.Status.OPEN
    alert.resolved_at = None
    alert.save(update_fields=["status", "resolved_at"])
    _entry(alert, AlertEntry.Kind.REOPENED, actor)
    record(alert.organization, actor, AuditAction.ALERT_REOPENED, obj=alert,
           brand=alert.brand, before=before, after={"status": alert.status})
    return alert


NOTE_MAX_CHARS = 4000


@transaction.atomic
def do_add_alert_note(alert: Alert, text: str, *, actor: Actor) -> AlertEntry:
    text = text.strip()
    if not text:
        raise ValueError("empty note")
    if len(text) > NOTE_MAX_CHARS:
        raise ValueError(f"note longer than {NOTE_MAX_CHARS} characters")
    entry = AlertEntry.objects.create(alert=alert, kind=AlertEntry.Kind.NOTE,
                                      at=timezone.now(), author=actor.user, text=text)
    record(alert.organization, actor, AuditAction.ALERT_NOTE_ADDED, obj=alert,
           brand=alert.brand, after={"note": text[:200]})
    return entry


@transaction.atomic
def do_set_alert_subscription(user: User, brand: Brand, mode: str, *, actor: Actor
                              ) -> AlertSubscription:
    if mode not in AlertSubscription.Mode.values:
        raise ValueError(f"unknown e-mail mode {mode!r}")
    sub, _created = AlertSubscription.objects.get_or_create(user=user, brand=brand)
    before = {"mode": sub.mode}
    sub.mode = mode
    if mode == AlertSubscription.Mode.DIGEST and sub.digest_sent_until is None:
        sub.digest_sent_until = timezone.now()
    sub.save()
    record(brand.organization, actor, AuditAction.ALERT_SUBSCRIPTION_SAVED, obj=sub,
           brand=brand, before=before, after={"mode": mode})
    return sub


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@transaction.atomic
def do_add_alert_webhook(brand: Brand, url: str, *, actor: Actor) -> tuple[AlertWebhook, str]:
    """Returns the webhook and its secret, shown once to the person who added it."""
    secret = new_webhook_secret()
    hook = AlertWebhook.objects.create(brand=brand, url=url,
                                       secret_encrypted=encrypt_secret(secret.encode()),
                                       created_by=actor.user, created_at=timezone.now())
    record(brand.organization, actor, AuditAction.ALERT_WEBHOOK_ADDED, obj=hook, brand=brand,
           after={"url": url})
    return hook, secret


@transaction.atomic
def do_remove_alert_webhook(hook: AlertWebhook, *, actor: Actor) -> None:
    brand = hook.brand
    record(brand.organization, actor, AuditAction.ALERT_WEBHOOK_REMOVED, obj=hook,
           brand=brand, before={"url": hook.url})
    hook.delete()
