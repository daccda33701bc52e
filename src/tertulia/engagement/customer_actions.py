"""Every change to customer records: contact data, consent, merging and undoing a merge.

Kept beside ``actions.py`` (conversations and replies) so each file stays about one thing;
the same rules hold: one transaction per action, an AuditEvent inside it, and conversation
history rows for what a conversation's readers should see.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tertulia.engagement.influence import influence_score
from tertulia.engagement.models import (
    ConsentChannel,
    Conversation,
    ConversationEvent,
    Customer,
    CustomerConsent,
    CustomerHandle,
    CustomerMerge,
)
from tertulia.governance.audit import Actor, AuditAction, record

# Contact fields a person edits; the merge fills the target's blanks from them.
CONTACT_FIELDS = ("name", "email", "phone", "website", "company", "language", "segment",
                  "crm_id")
LIST_FIELDS = ("tags", "bio_links")
STAT_FIELDS = ("is_vip", "followers", "verified", "engagement_received", "reach_about_us",
               "influence", "first_seen_at", "last_seen_at")
MERGE_FIELDS = CONTACT_FIELDS + LIST_FIELDS + STAT_FIELDS


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _snapshot(customer: Customer, fields: tuple[str, ...] = MERGE_FIELDS) -> dict[str, Any]:
    return {f: _plain(getattr(customer, f)) for f in fields}


def _restore(customer: Customer, field: str, value: Any) -> None:
    if field in ("first_seen_at", "last_seen_at") and isinstance(value, str):
        value = datetime.fromisoformat(value)
    setattr(customer, field, value)


def _live(customer: Customer) -> Customer:
    customer = Customer.objects.select_for_update().get(id=customer.id)
    if customer.merged_into_id is not None:
        raise ValidationError(_("This customer was merged into another record; edit that one, "
                                "or undo the merge first."))
    return customer


@transaction.atomic
def do_update_customer(customer: Customer, data: dict[str, Any], *, actor: Actor) -> Customer:
    """Contact data a person edits (``CONTACT_FIELDS``, ``tags``, ``bio_links``, ``is_vip``)."""
    customer = _live(customer)
    editable = (*CONTACT_FIELDS, *LIST_FIELDS, "is_vip")
    unknown = sorted(set(data) - set(editable))
    if unknown:
        raise ValidationError(_("Unknown customer fields: %(fields)s.")
                              % {"fields": ", ".join(unknown)})
    before = _snapshot(customer, editable)
    for field, value in data.items():
        if field in LIST_FIELDS:
            value = list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
        setattr(customer, field, value)
    customer.full_clean(exclude=["organization", "merged_into", "first_seen_at",
                                 "last_seen_at"])
    after = _snapshot(customer, editable)
    changed = {f for f in editable if before[f] != after[f]}
    if not changed:
        return customer
    customer.save()
    record(customer.organization, actor, AuditAction.CUSTOMER_UPDATED, obj=customer,
           before={f: before[f] for f in sorted(changed)},
           after={f: after[f] for f in sorted(changed)})
    return customer


@transaction.atomic
def do_record_consent(customer: Customer, channel: str, *, granted: bool, given_at: datetime,
                      source: str, actor: Actor, now: datetime | None = None
                      ) -> CustomerConsent:
    """A customer gave or withdrew consent for a channel; the newest statement is in force,
    older ones stay as the record of what was said when."""
    customer = _live(customer)
    if channel not in ConsentChannel.values:
        raise ValidationError(_("%(value)s is not a consent channel.") % {"value": channel})
    source = source.strip()
    if not source:
        raise ValidationError(_("Say where the consent came from (a form, a message, a call)."))
    now = now or timezone.now()
    if given_at > now:
        raise ValidationError(_("The consent date is in the future."))
    consent = CustomerConsent.objects.create(
        organization_id=customer.organization_id, customer=customer, channel=channel,
        granted=granted, given_at=given_at, source=source[:200], recorded_by=actor.user,
        recorded_by_label=actor.label[:200], created_at=now)
    record(customer.organization, actor, AuditAction.CUSTOMER_CONSENT_RECORDED, obj=customer,
           after={"channel": channel, "granted": granted, "given_at": given_at.isoformat(),
                  "source": consent.source})
    return consent


def consent_state(customer: Customer) -> dict[str, CustomerConsent]:
    """The statement in force per channel (the newest by date, then by record)."""
    state: dict[str, CustomerConsent] = {}
    for row in CustomerConsent.objects.filter(customer=customer).order_by("given_at", "id"):
        state[row.channel] = row
    return state


def _history(conversation_ids: list[int], kind: str, actor: Actor, at: datetime,
             **data: Any) -> None:
    ConversationEvent.objects.bulk_create([
        ConversationEvent(conversation_id=cid, kind=kind, actor=actor.user,
                          actor_label=actor.label[:200], data=data, created_at=at)
        for cid in conversation_ids], batch_size=1000)


@transaction.atomic
def do_merge_customers(target: Customer, source: Customer, *, actor: Actor,
                       reasons: list[str] | None = None,
                       now: datetime | None = None) -> CustomerMerge:
    """Merge ``source`` into ``target``: the source's handles, conversations and consents
    move to the target, the target's empty contact fields are filled from the source and its
    figures combined. What moved is listed by id on the :class:`CustomerMerge`, so
    :func:`do_unmerge_customers` restores it exactly."""
    at = now or timezone.now()
    if target.id == source.id:
        raise ValidationError(_("A customer cannot be merged into itself."))
    if target.organization_id != source.organization_id:
        raise ValidationError(_("Both customers must belong to the same organization."))
    first, second = sorted([target, source], key=lambda c: c.id)
    first, second = _live(first), _live(second)
    target, source = (first, second) if first.id == target.id else (second, first)
    before = _snapshot(target)
    for field in CONTACT_FIELDS:
        if not getattr(target, field) and getattr(source, field):
            setattr(target, field, getattr(source, field))
    for field in LIST_FIELDS:
        setattr(target, field, list(dict.fromkeys([*getattr(target, field),
                                                   *getattr(source, field)])))
    target.is_vip = target.is_vip or source.is_vip
    target.verified = target.verified or source.verified
    target.followers = max(target.followers, source.followers)
    target.engagement_received += source.engagement_received
    target.reach_about_us += source.reach_about_us
    target.first_seen_at = min(target.first_seen_at, source.first_seen_at)
    target.last_seen_at = max(target.last_seen_at, source.last_seen_at)
    target.influence = influence_score(
        followers=target.followers, engagement_received=target.engagement_received,
        reach_about_us=target.reach_about_us, verified=target.verified)
    target.save()
    handle_ids = sorted(CustomerHandle.objects.filter(customer=source)
                        .values_list("id", flat=True))
    conversation_ids = sorted(Conversation.objects.filter(customer=source)
                              .values_list("id", flat=True))
    consent_ids = sorted(CustomerConsent.objects.filter(customer=source)
                         .values_list("id", flat=True))
    CustomerHandle.objects.filter(id__in=handle_ids).update(customer=target)
    Conversation.objects.filter(id__in=conversation_ids).update(customer=target)
    CustomerConsent.objects.filter(id__in=consent_ids).update(customer=target)
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    merge = CustomerMerge.objects.create(
        organization_id=target.organization_id, target=target, source=source,
        reasons=list(reasons or []), handle_ids=handle_ids, conversation_ids=conversation_ids,
        consent_ids=consent_ids, target_before=before, target_after=_snapshot(target),
        merged_by=actor.user, merged_by_label=actor.label[:200], merged_at=at)
    _history(conversation_ids, ConversationEvent.Kind.CUSTOMER_MERGED, actor, at,
             source=source.id, target=target.id, merge=merge.id)
    record(target.organization, actor, AuditAction.CUSTOMER_MERGED, obj=target,
           before={"source": source.id, "target": before},
           after={"merge": merge.id, "handles": handle_ids, "conversations": conversation_ids,
                  "consents": consent_ids, "reasons": merge.reasons})
    return merge


@transaction.atomic
def do_unmerge_customers(merge: CustomerMerge, *, actor: Actor,
                         now: datetime | None = None) -> Customer:
    """Undo a merge: the handles, conversations and consents that moved go back to the
    source (and conversations its handles started since), the target's fields the merge set
    return to what they were unless a person changed them since. Returns the source."""
    at = now or timezone.now()
    merge = CustomerMerge.objects.select_for_update().get(id=merge.id)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was already undone."))
    target = Customer.objects.select_for_update().get(id=merge.target_id)
    source = Customer.objects.select_for_update().get(id=merge.source_id)
    if target.merged_into_id is not None:
        raise ValidationError(_("“%(name)s” was merged again since; undo that merge first.")
                              % {"name": target})
    handle_ids = list(CustomerHandle.objects.filter(id__in=merge.handle_ids, customer=target)
                      .values_list("id", flat=True))
    author_ids = list(CustomerHandle.objects.filter(id__in=handle_ids)
                      .values_list("author_id", flat=True))
    # Conversations the source's handles started while merged belong to the source too:
    # those where they wrote and none of the target's own handles did.
    own_authors = CustomerHandle.objects.filter(customer=target).exclude(
        id__in=handle_ids).values("author_id")
    later = (Conversation.objects.filter(customer=target,
                                         items__mention__author_id__in=author_ids)
             .exclude(items__mention__author_id__in=own_authors).values_list("id", flat=True))
    conversation_ids = sorted({*Conversation.objects.filter(
        id__in=merge.conversation_ids, customer=target).values_list("id", flat=True), *later})
    CustomerHandle.objects.filter(id__in=handle_ids).update(customer=source)
    Conversation.objects.filter(id__in=conversation_ids).update(customer=source)
    CustomerConsent.objects.filter(id__in=merge.consent_ids, customer=target).update(
        customer=source)
    current = _snapshot(target)
    restored = []
    for field, value in merge.target_before.items():
        if current.get(field) == merge.target_after.get(field) and value != current.get(field):
            _restore(target, field, value)
            restored.append(field)
    target.save()
    source.merged_into = None
    source.save(update_fields=["merged_into"])
    merge.undone_at, merge.undone_by_label = at, actor.label[:200]
    merge.save(update_fields=["undone_at", "undone_by_label"])
    _history(conversation_ids, ConversationEvent.Kind.CUSTOMER_MERGED, actor, at,
             undone=True, source=source.id, target=target.id, merge=merge.id)
    record(target.organization, actor, AuditAction.CUSTOMER_UNMERGED, obj=target,
           before={"merge": merge.id},
           after={"source": source.id, "handles": handle_ids,
                  "conversations": conversation_ids, "restored": sorted(restored)})
    return source
