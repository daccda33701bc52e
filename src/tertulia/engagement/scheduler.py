"""The scheduler's tick: SLA deadlines that came due, snoozes that ended, and the outbox's
stragglers.

SLA deadlines are rows (:class:`SlaDeadline`). A tick claims the due, unclaimed ones —
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent ticks split the work;
SQLite has one writer, so its IMMEDIATE transaction serializes ticks — and, **in the same
transaction**, marks each conversation at risk or breached, writes its history and runs the
brand's escalation rules (``event`` = ``sla_warning`` / ``sla_breach``). The claim and its
effects commit together or not at all: a crash mid-tick leaves the rows unclaimed for the next
tick (nothing lost), and a committed claim is never claimed again (nothing doubled).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tertulia.engagement import actions, clock
from tertulia.engagement import rules as rules_core
from tertulia.engagement.brandconf import conf_for
from tertulia.engagement.facts import facts_for
from tertulia.engagement.models import (
    Conversation,
    ConversationEvent,
    ConversationStatus,
    ConversationTag,
    Reply,
    SlaDeadline,
    SlaState,
    queue_for,
)
from tertulia.engagement.status import Status
from tertulia.governance.audit import Actor

SLA_ACTOR = Actor.system("sla")
# What escalation rules may change on a conversation (besides tags, stored apart).
RICH_FIELDS = ["flag", "priority", "assignee_id", "team_id", "hidden", "queue", "updated_at",
               *clock.SLA_FIELDS]
BATCH = 5_000
_RANK = {SlaState.NONE: 0, SlaState.OK: 1, SlaState.PAUSED: 1, SlaState.MET: 1,
         SlaState.WARNING: 2, SlaState.BREACHED: 3}


@dataclass
class TickResult:
    claimed: int = 0
    warnings: int = 0
    breaches: int = 0
    escalated: int = 0
    woke: int = 0
    replies: int = 0
    conversation_ids: list[int] = field(default_factory=list)


def claim_due(now: datetime, limit: int = BATCH) -> list[SlaDeadline]:
    """Claim up to ``limit`` due rows; must run inside the caller's transaction. A row
    claimed by anyone else (now or before) is not returned."""
    due = (SlaDeadline.objects.filter(claimed_at=None, due_at__lte=now)
           .order_by("due_at", "id").select_for_update(skip_locked=True))
    ids = list(due.values_list("id", flat=True)[:limit])
    if not ids:
        return []
    # The conditional UPDATE is the claim itself: on any database a row already claimed
    # (claimed_at set) is not counted again.
    SlaDeadline.objects.filter(id__in=ids, claimed_at=None).update(claimed_at=now)
    return list(SlaDeadline.objects.filter(id__in=ids, claimed_at=now).order_by("due_at", "id"))


@transaction.atomic
def escalate_due(now: datetime | None = None, *, limit: int = BATCH) -> TickResult:
    """One batch of due SLA deadlines: claim, mark, record, escalate — in one transaction."""
    now = now or timezone.now()
    result = TickResult()
    rows = claim_due(now, limit)
    result.claimed = len(rows)
    if not rows:
        return result
    by_conv: dict[int, list[SlaDeadline]] = defaultdict(list)
    for row in rows:
        by_conv[row.conversation_id].append(row)
    conversations = Conversation.objects.select_related("customer", "brand").in_bulk(
        list(by_conv))
    tags: dict[int, list[str]] = defaultdict(list)
    for conv_id, tag in ConversationTag.objects.filter(
            conversation_id__in=list(by_conv)).values_list("conversation_id", "tag"):
        tags[conv_id].append(tag)
    events: list[ConversationEvent] = []
    plain: list[Conversation] = []
    rich: list[Conversation] = []
    confs: dict[int, Any] = {}
    with actions.batched():
        for conv_id, due in by_conv.items():
            conv = conversations.get(conv_id)
            if conv is None:
                continue
            conf = confs.get(conv.brand_id) or confs.setdefault(conv.brand_id,
                                                                 conf_for(conv.brand_id))
            outcome = _escalate_one(conv, due, conf, tags.get(conv.id, ()), now, result, events)
            if outcome == "plain":
                plain.append(conv)
            elif outcome == "rich":
                rich.append(conv)
        if rich:
            # The rules may have changed priorities, so targets: new deadlines, in bulk.
            marked = {c.id: c.sla_state for c in rich}
            clock.sync_many(rich, now, confs)
            for conv in rich:
                if _RANK.get(marked[conv.id], 0) > _RANK.get(conv.sla_state, 0):
                    conv.sla_state = marked[conv.id]  # a breach stays a breach
                conv.queue = queue_for(conv.status, conv.hidden)
                conv.updated_at = now
            # One small UPDATE each: Django's bulk_update compiles a CASE per field and row,
            # which costs far more than these statements.
            for conv in rich:
                Conversation.objects.filter(id=conv.id).update(
                    **{f: getattr(conv, f) for f in RICH_FIELDS})
    ConversationEvent.objects.bulk_create(events, batch_size=1000)
    by_state: dict[str, list[int]] = defaultdict(list)
    for conv in plain:
        by_state[conv.sla_state].append(conv.id)
    for state, ids in by_state.items():
        for lo in range(0, len(ids), 900):
            Conversation.objects.filter(id__in=ids[lo:lo + 900]).update(sla_state=state)
    return result


def _escalate_one(conv: Conversation, due: list[SlaDeadline], conf: Any, tags: Any,
                  now: datetime, result: TickResult, events: list[ConversationEvent]) -> str:
    """Mark one conversation for its due rows and run the escalation rules (not saved).
    ``"plain"``: only ``sla_state`` changed; ``"rich"``: rules changed it too; ``""``: no row
    applied (the clock moved on)."""
    fired_any = escalated = False
    for row in due:
        if row.cycle != conv.sla_cycle or conv.sla_running_since is None:
            continue  # a clock that moved on (paused, resolved, new cycle) since
        breach = row.kind == "breach"
        state = SlaState.BREACHED if breach else SlaState.WARNING
        if _RANK[state] > _RANK.get(conv.sla_state, 0):
            conv.sla_state = state
        kind = ConversationEvent.Kind.SLA_BREACH if breach else (
            ConversationEvent.Kind.SLA_WARNING)
        events.append(ConversationEvent(
            conversation=conv, kind=kind, actor=None, actor_label=SLA_ACTOR.label,
            data={"target": row.target, "due_at": row.due_at.isoformat(), "cycle": row.cycle},
            created_at=now))
        result.breaches += breach
        result.warnings += not breach
        fired_any = True
        facts = facts_for(conv, conf=conf, event="sla_breach" if breach else "sla_warning",
                          tags=tags)
        evaluation = rules_core.evaluate(conf.ruleset, facts, conf.context(now))
        if evaluation.fired:
            # Rarer and rich (reassign, notify, new priority): the full path.
            actions.apply_changes(conv, evaluation, conf=conf, now=now, actor=SLA_ACTOR)
            escalated = True
    if not fired_any:
        return ""
    result.conversation_ids.append(conv.id)
    if not escalated:
        return "plain"
    result.escalated += 1
    return "rich"


@transaction.atomic
def wake_snoozed(now: datetime | None = None, *, limit: int = 1000) -> int:
    """Snoozed conversations whose time came are open again (``status.wake_if_due``)."""
    now = now or timezone.now()
    due = list(Conversation.objects.select_for_update(skip_locked=True).filter(
        status=ConversationStatus.SNOOZED, snoozed_until__lte=now)[:limit])
    for conv in due:
        actions.event(conv, ConversationEvent.Kind.WOKE, SLA_ACTOR, now,
                      until=conv.snoozed_until.isoformat() if conv.snoozed_until else None)
        conv.status, conv.snoozed_until = Status.OPEN, None
        conv.updated_at = now
        conv.queue = queue_for(conv.status, conv.hidden)
        conv.save()
    return len(due)


def resend_queued(now: datetime | None = None) -> int:
    """Replies still ``queued`` a while after they were written (their task was lost, or the
    network was unavailable): try them again. They were never sent, so this is safe."""
    from tertulia.engagement.outbox import deliver

    now = now or timezone.now()
    ids = list(Reply.objects.filter(state=Reply.State.QUEUED,
                                    created_at__lt=now - timedelta(minutes=1))
               .values_list("id", flat=True)[:200])
    for reply_id in ids:
        deliver(reply_id)
    return len(ids)


def tick(now: datetime | None = None) -> TickResult:
    """What the periodic task runs every minute."""
    from tertulia.engagement.outbox import reconcile_stuck

    now = now or timezone.now()
    total = TickResult()
    while True:
        batch = escalate_due(now)
        total.claimed += batch.claimed
        total.warnings += batch.warnings
        total.breaches += batch.breaches
        total.escalated += batch.escalated
        if batch.claimed < BATCH:
            break
    total.woke = wake_snoozed(now)
    reconcile_stuck(now)
    total.replies = resend_queued(now)
    from tertulia.engagement.outbox import moderation_stragglers

    moderation_stragglers(now)
    return total
