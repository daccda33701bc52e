"""Deletions upstream, erasure requests and retention: hide at once, purge on schedule.

A network's delete notice or a person's erasure request hides the mentions concerned in
the same transaction (every screen, export, search and API read filters hidden mentions
out) and sets when they are purged. The purge job deletes what is due, and what is older
than the organization's retention, in small batches; the full-text entry, matches, tags
and corrections go with each mention.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Organization
from tertulia.listening.models import Author, Mention
from tertulia.listening.signals import mentions_hidden

# Hidden at once; deleted within a day (X asks for deleted posts to go within 24 hours).
DELETED_UPSTREAM_GRACE = timedelta(hours=1)
PURGE_BATCH = 1000


def hide_deleted(org: Organization, keys: Iterable[tuple[str, str]], *,
                 now: datetime | None = None) -> int:
    """Hide the mentions a network says were deleted, (network, external id) each; returns
    how many were visible. Unknown ids are ignored: the item may never have reached us."""
    now = now or timezone.now()
    by_network: dict[str, list[str]] = {}
    for network, external_id in keys:
        by_network.setdefault(network, []).append(external_id)
    hidden: list[int] = []
    with transaction.atomic():
        for network, ids in by_network.items():
            for start in range(0, len(ids), 500):
                found = list(Mention.objects.filter(
                    organization=org, network=network, external_id__in=ids[start:start + 500],
                    hidden_at=None,
                ).values_list("id", flat=True))
                Mention.objects.filter(id__in=found).update(
                    hidden_at=now, purge_after=now + DELETED_UPSTREAM_GRACE)
                hidden += found
        if hidden:
            mentions_hidden.send(sender=Mention, mention_ids=hidden)
    return len(hidden)


@transaction.atomic
def do_erase_author(org: Organization, network: str, handle: str, *, actor: Actor,
                    now: datetime | None = None) -> int:
    """A person asked to be forgotten: hide every mention of theirs now, purge them at the
    next run, and strip the author record of anything that identifies them. Returns the
    number of mentions hidden. Their later posts are stored again only if collected anew."""
    now = now or timezone.now()
    author = Author.objects.select_for_update().filter(
        organization=org, network=network, handle=handle).first()
    if author is None:
        raise Author.DoesNotExist(f"No author @{handle} on {network} in this organization.")
    ids = list(Mention.objects.filter(author=author, hidden_at=None).values_list("id", flat=True))
    count = Mention.objects.filter(author=author).update(
        hidden_at=now, purge_after=now, text="", html="", title="", url="")
    if ids:
        mentions_hidden.send(sender=Mention, mention_ids=ids)
    pseudonym = "erased-" + hashlib.sha256(f"{org.id}:{network}:{handle}".encode()).hexdigest()[:12]
    author.handle, author.name, author.profile_url, author.location = pseudonym, "", "", ""
    author.followers = None
    author.save(update_fields=["handle", "name", "profile_url", "location", "followers"])
    # The audit says what happened without keeping who it was.
    record(org, actor, AuditAction.AUTHOR_ERASED, obj=author,
           after={"network": network, "author": pseudonym, "mentions": count})
    return count


def purge(now: datetime | None = None, *, batch: int = PURGE_BATCH) -> dict[int, int]:
    """Delete mentions due for purge and those past their organization's retention.
    Returns mentions deleted per organization id; each organization's purge is audited."""
    now = now or timezone.now()
    retention = dict(
        Organization.objects.exclude(mention_retention_days=None)
        .values_list("id", "mention_retention_days")
    )
    due = Q(purge_after__lte=now)
    for org_id, days in retention.items():
        due |= Q(organization_id=org_id, created_at__lt=now - timedelta(days=days))
    deleted: dict[int, int] = {}
    while True:
        with transaction.atomic():
            rows = list(Mention.objects.filter(due).values_list("id", "organization_id")[:batch])
            if not rows:
                break
            Mention.objects.filter(id__in=[r[0] for r in rows]).delete()
        for _id, org_id in rows:
            deleted[org_id] = deleted.get(org_id, 0) + 1
    if deleted:
        actor = Actor.system("retention")
        for org in Organization.objects.filter(id__in=deleted):
            with transaction.atomic():
                record(org, actor, AuditAction.MENTIONS_PURGED,
                       after={"mentions": deleted[org.id],
                              "retention_days": retention.get(org.id)})
    return deleted
