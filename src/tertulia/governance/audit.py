"""Writing and reading the audit trail. Every action calls `record()` inside its transaction."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from tertulia.governance.audit_chain import HASHED_FIELDS, ChainProblem, link_hash, verify_chain
from tertulia.governance.models import AuditChainHead, AuditEvent, Brand, Organization, User

if TYPE_CHECKING:
    from django.http import HttpRequest


class AuditAction(StrEnum):
    """Every kind of audited change, alphabetized. The audit page and docs list these."""

    ACCOUNT_ADDED = "brand.account_added"
    ACCOUNT_REMOVED = "brand.account_removed"
    AGENCY_GRANTED = "agency.granted"
    AGENCY_REVOKED = "agency.revoked"
    ALERT_CLAIMED = "alert.claimed"
    ALERT_NOTE_ADDED = "alert.note_added"
    ALERT_RAISED = "alert.raised"
    ALERT_RELEASED = "alert.released"
    ALERT_REOPENED = "alert.reopened"
    ALERT_RESOLVED = "alert.resolved"
    ALERT_SUBSCRIPTION_SAVED = "alert.subscription_saved"
    ALERT_WEBHOOK_ADDED = "alert.webhook_added"
    ALERT_WEBHOOK_REMOVED = "alert.webhook_removed"
    API_TOKEN_CREATED = "api_token.created"
    API_TOKEN_REVOKED = "api_token.revoked"
    ARTICLE_DELETED = "kb.article_deleted"
    ARTICLE_PROMOTED = "kb.article_promoted"
    ARTICLE_SAVED = "kb.article_saved"
    AUTHOR_ERASED = "author.erased"
    BRAND_CREATED = "brand.created"
    BRAND_UPDATED = "brand.updated"
    BUSINESS_DATA_IMPORTED = "business_data.imported"
    CASE_CHANGED = "case.changed"
    CASE_HANDOFF = "case.handoff"
    CASE_LINKED = "case.conversation_linked"
    CASE_OPENED = "case.opened"
    CASE_RESOLVED = "case.resolved"
    CASE_UNLINKED = "case.conversation_unlinked"
    COMPETITOR_ADDED = "brand.competitor_added"
    COMPETITOR_REMOVED = "brand.competitor_removed"
    CONVERSATION_HANDOFF = "conversation.handoff"
    CSAT_ANSWERED = "csat.answered"
    CSAT_SENT = "csat.sent"
    CSAT_SETTINGS_SAVED = "csat.settings_saved"
    CUSTOMER_CONSENT_RECORDED = "customer.consent_recorded"
    CUSTOMER_MERGED = "customer.merged"
    CUSTOMER_UNMERGED = "customer.unmerged"
    CUSTOMER_UPDATED = "customer.updated"
    ENGAGEMENT_GUIDELINE_SAVED = "engagement.guideline_saved"
    ENGAGEMENT_RULE_DELETED = "engagement.rule_deleted"
    ENGAGEMENT_RULE_SAVED = "engagement.rule_saved"
    ENGAGEMENT_SETTINGS_SAVED = "engagement.settings_saved"
    ENGAGEMENT_SLA_SAVED = "engagement.sla_saved"
    ENGAGEMENT_TEMPLATE_DELETED = "engagement.template_deleted"
    ENGAGEMENT_TEMPLATE_SAVED = "engagement.template_saved"
    IMPORT_STARTED = "import.started"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_REVOKED = "invitation.revoked"
    INVITATION_SENT = "invitation.sent"
    LEAD_CREATED = "lead.created"
    LEAD_UPDATED = "lead.updated"
    MENTION_CORRECTED = "mention.corrected"
    MENTIONS_PURGED = "mentions.purged"
    MENTIONS_TAGGED = "mentions.tagged"
    ORG_CREATED = "organization.created"
    ORG_UPDATED = "organization.updated"
    PERSON_DEACTIVATED = "person.deactivated"
    PERSON_REACTIVATED = "person.reactivated"
    QUERY_DELETED = "query.deleted"
    QUERY_SAVED = "query.saved"
    REPLY_APPROVED = "reply.approved"
    REPLY_AWAITING_APPROVAL = "reply.awaiting_approval"
    REPLY_QUEUED = "reply.queued"
    REPLY_REJECTED = "reply.rejected"
    REPORT_REQUESTED = "report.requested"
    REPORT_SCHEDULE_DELETED = "report.schedule_deleted"
    REPORT_SCHEDULE_SAVED = "report.schedule_saved"
    REPORT_SENT = "report.sent"
    REPORT_SHARED = "report.shared"
    REPORT_SHARE_REVOKED = "report.share_revoked"
    ROLE_GRANTED = "role.granted"
    ROLE_REVOKED = "role.revoked"
    SAVED_VIEW_DELETED = "saved_view.deleted"
    SAVED_VIEW_SAVED = "saved_view.saved"
    SOURCE_CREATED = "source.created"
    SOURCE_DELETED = "source.deleted"
    SOURCE_PAUSED = "source.paused"
    SOURCE_RESUMED = "source.resumed"
    TEAM_CREATED = "team.created"
    TEAM_DELETED = "team.deleted"
    TEAM_MEMBER_ADDED = "team.member_added"
    TEAM_MEMBER_REMOVED = "team.member_removed"
    TEAM_UPDATED = "team.updated"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something, from where, and for which organization they work."""

    user: User | None
    label: str
    ip: str | None = None
    acting_for: Organization | None = None

    @classmethod
    def of(cls, user: User, *, ip: str | None = None,
           acting_for: Organization | None = None) -> Actor:
        return cls(user=user, label=user.email, ip=ip, acting_for=acting_for)

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(user=None, label=f"system:{label}")

    @classmethod
    def from_request(cls, request: HttpRequest, org: Organization | None = None) -> Actor:
        from tertulia.governance.access import acting_organization

        user = request.user  # type: ignore[assignment]
        acting_for = acting_organization(user, org) if org is not None else None
        return cls.of(user, ip=client_ip(request), acting_for=acting_for)  # type: ignore[arg-type]


def client_ip(request: HttpRequest) -> str | None:
    raw = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The audited fields of a model instance, as JSON-safe values."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        plain = isinstance(value, str | int | float | bool | type(None))
        out[name] = value if plain else str(value)
    return out


def record(
    org: Organization, actor: Actor, action: AuditAction, *, obj: Any = None,
    brand: Brand | None = None, before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the organization's chain. Must run inside the action's transaction,
    so the change and its record commit together or not at all."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic()")
    head = AuditChainHead.objects.select_for_update().filter(organization=org).first()
    if head is None:
        head = AuditChainHead.objects.create(organization=org)
        head = AuditChainHead.objects.select_for_update().get(organization=org)
    event = AuditEvent(
        organization=org,
        seq=head.seq + 1,
        created_at=timezone.now(),
        actor=actor.user,
        actor_label=actor.label[:200],
        acting_for=actor.acting_for if actor.acting_for != org else None,
        action=str(action),
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or "") if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        brand=brand,
        before=before,
        after=after,
        ip=actor.ip,
        prev_hash=head.last_hash,
    )
    event.hash = link_hash(event.prev_hash, _fields(event))
    event.save()
    head.seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["seq", "last_hash"])
    return event


def _fields(event: AuditEvent) -> dict[str, Any]:
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["created_at"] = event.created_at.isoformat()
    return values


def _rows(org: Organization) -> Iterator[dict[str, Any]]:
    columns = ("id", "prev_hash", "hash", *HASHED_FIELDS)
    # Storage order (by primary key), not seq order: a swapped seq must show up.
    for values in AuditEvent.objects.filter(organization=org).order_by("id").values_list(
        *columns
    ).iterator(chunk_size=2000):
        row = dict(zip(columns, values, strict=True))
        row["created_at"] = row["created_at"].isoformat()
        yield row


def verify(org: Organization) -> ChainProblem | None:
    with transaction.atomic():
        head = AuditChainHead.objects.filter(organization=org).first()
        return verify_chain(
            _rows(org),
            head_seq=head.seq if head else 0,
            head_hash=head.last_hash if head and head.seq else None,
        )
