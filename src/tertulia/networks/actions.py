"""Every change a person makes to an organization's sources, each with its audit row.

Each ``do_<verb>_<noun>()`` owns its transaction and records the change inside it. The
webhook secret is returned to the caller (to show once) and never written to the audit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Organization
from tertulia.listening.models import Source
from tertulia.networks.models import FeedState, WebhookEndpoint, new_webhook_secret

# Filled in by polling and delivery, never by a person: not validated on creation.
_RUNTIME_FIELDS = ("cursor", "last_run_at", "last_ok_at", "last_error")


def _snapshot(source: Source) -> dict[str, object]:
    return {"kind": source.kind, "name": source.name, "url": source.url,
            "is_active": source.is_active}


@transaction.atomic
def do_create_feed_source(org: Organization, name: str, url: str, *, actor: Actor) -> Source:
    """An RSS/Atom source; it is fetched on the next polling round."""
    source = Source(organization=org, kind=Source.Kind.RSS, name=name, url=url)
    source.full_clean(exclude=_RUNTIME_FIELDS)
    source.save()
    FeedState.objects.create(source=source)
    record(org, actor, AuditAction.SOURCE_CREATED, obj=source, after=_snapshot(source))
    return source


@transaction.atomic
def do_create_webhook_source(org: Organization, name: str, *,
                             actor: Actor) -> tuple[Source, WebhookEndpoint, bytes]:
    """An inbound-webhook source with a fresh token and secret. The secret is returned so
    the caller can show it once; only its encrypted form is stored."""
    source = Source(organization=org, kind=Source.Kind.WEBHOOK, name=name)
    source.full_clean(exclude=_RUNTIME_FIELDS)
    source.save()
    secret = new_webhook_secret()
    endpoint = WebhookEndpoint(source=source)
    endpoint.set_secret(secret)
    endpoint.save()
    record(org, actor, AuditAction.SOURCE_CREATED, obj=source, after=_snapshot(source))
    return source, endpoint, secret


@transaction.atomic
def do_rotate_webhook_secret(endpoint: WebhookEndpoint, *, actor: Actor) -> bytes:
    """A new secret replaces the old one at once: deliveries signed with the old one fail."""
    secret = new_webhook_secret()
    endpoint.set_secret(secret)
    endpoint.rotated_at = timezone.now()
    endpoint.save(update_fields=["secret_encrypted", "rotated_at"])
    source = endpoint.source
    record(source.organization, actor, AuditAction.WEBHOOK_SECRET_ROTATED, obj=source,
           after={"name": source.name})
    return secret


@transaction.atomic
def do_pause_source(source: Source, *, actor: Actor) -> None:
    if not source.is_active:
        return
    source.is_active = False
    source.save(update_fields=["is_active"])
    record(source.organization, actor, AuditAction.SOURCE_PAUSED, obj=source,
           before={"is_active": True}, after={"is_active": False})


@transaction.atomic
def do_resume_source(source: Source, *, actor: Actor) -> None:
    if source.is_active:
        return
    source.is_active = True
    source.save(update_fields=["is_active"])
    FeedState.objects.filter(source=source).update(next_poll_at=None)  # poll on the next round
    record(source.organization, actor, AuditAction.SOURCE_RESUMED, obj=source,
           before={"is_active": False}, after={"is_active": True})


@transaction.atomic
def do_delete_source(source: Source, *, actor: Actor) -> None:
    """Delete the source and its state and stored webhook events; mentions it brought in
    stay (they belong to the organization, not to the source)."""
    record(source.organization, actor, AuditAction.SOURCE_DELETED, obj=source,
           before={**_snapshot(source), "items_ingested": source.items_ingested})
    source.delete()
