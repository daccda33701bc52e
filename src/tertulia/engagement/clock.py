"""A conversation's SLA clock in the database: status moves applied to the clock, and the
deadline rows the scheduler claims kept in step with it.

The arithmetic is :mod:`tertulia.engagement.sla`'s; this module only reads and writes columns.
Callers save the conversation themselves (they usually change other fields too).
"""

from __future__ import annotations

from datetime import datetime

from tertulia.engagement import sla as sla_core
from tertulia.engagement.brandconf import BrandConf, conf_for
from tertulia.engagement.models import Conversation, SlaDeadline, SlaState
from tertulia.engagement.status import SlaEffect

SLA_FIELDS = [
    "sla_started_at", "sla_elapsed_s", "sla_running_since", "sla_paused_since",
    "first_response_at", "sla_first_response_business_s", "resolved_at",
    "sla_resolution_business_s", "sla_cycle", "sla_state", "sla_target", "sla_warn_at",
    "sla_due_at",
]


def _last_instant(clock: sla_core.SlaClock) -> datetime:
    return clock.running_since or clock.paused_since or clock.resolved_at or clock.started_at


def not_before(clock: sla_core.SlaClock, at: datetime) -> datetime:
    """Clock events must arrive in time order; an item stamped earlier than the clock's last
    move (a late delivery) counts from that move."""
    return max(at, _last_instant(clock))


def start(conv: Conversation, at: datetime) -> None:
    conv.set_clock(sla_core.start(at))


def apply_effect(conv: Conversation, effect: SlaEffect, at: datetime,
                 conf: BrandConf | None = None) -> None:
    """Move the clock as a status change requires (see ``status.sla_effect``)."""
    clock = conv.clock()
    if clock is None or effect is SlaEffect.NONE:
        return
    conf = conf or conf_for(conv.brand_id)
    policy = conf.clock_policy(conv.priority)
    at = not_before(clock, at)
    if effect is SlaEffect.PAUSE and clock.running_since is not None:
        clock = sla_core.pause(clock, policy, at)
    elif effect is SlaEffect.RESUME and clock.paused_since is not None:
        clock = sla_core.resume(clock, at)
    elif effect is SlaEffect.RESOLVE and clock.resolved_at is None:
        clock = sla_core.resolve(clock, policy, at)
    elif effect is SlaEffect.REOPEN and clock.resolved_at is not None:
        clock = sla_core.reopen(clock, at)
    conv.set_clock(clock)


def meet_first_response(conv: Conversation, at: datetime, conf: BrandConf | None = None) -> None:
    clock = conv.clock()
    if clock is None:
        return
    conf = conf or conf_for(conv.brand_id)
    conv.set_clock(sla_core.meet_first_response(clock, conf.clock_policy(conv.priority),
                                                not_before(clock, at)))


def _plan(conv: Conversation, now: datetime, conf: BrandConf) -> dict[str, sla_core.SlaDeadline]:
    """Set the clock's state and times on ``conv``; return the deadline rows it needs."""
    clock = conv.clock()
    policy = conf.policy(conv.priority)
    if clock is None or policy is None:
        conv.sla_state = SlaState.NONE
        conv.sla_target, conv.sla_warn_at, conv.sla_due_at = "", None, None
        return {}
    times = sla_core.sla_times(clock, policy)
    conv.sla_target = str(times.target) if times else ""
    conv.sla_warn_at = times.warn_at if times else None
    conv.sla_due_at = times.due_at if times else None
    # A network's clock may run ahead of ours: never ask about a time before the clock's
    # last move.
    conv.sla_state = str(sla_core.state(clock, policy, not_before(clock, now)))
    return {row.key: row for row in sla_core.deadline_rows(clock, policy)}


def sync(conv: Conversation, now: datetime, conf: BrandConf | None = None) -> None:
    """Recompute the clock's state and times, and make the deadline rows match them.

    Unclaimed rows are moved or deleted; claimed rows (already escalated) are never touched,
    and their keys carry the cycle, so nothing fires twice. ``conv`` must have a primary key.
    """
    sync_many([conv], now, {conv.brand_id: conf or conf_for(conv.brand_id)})


def sync_many(convs: list[Conversation], now: datetime,
              confs: dict[int, BrandConf] | None = None) -> None:
    """:func:`sync` for many conversations in a handful of queries (the scheduler's tick)."""
    if not convs:
        return
    confs = confs if confs is not None else {}
    wanted: dict[int, dict[str, sla_core.SlaDeadline]] = {}
    for conv in convs:
        conf = confs.get(conv.brand_id) or confs.setdefault(conv.brand_id,
                                                            conf_for(conv.brand_id))
        wanted[conv.id] = _plan(conv, now, conf)
    existing: dict[int, dict[str, SlaDeadline]] = {}
    for d in SlaDeadline.objects.filter(conversation_id__in=list(wanted)):
        existing.setdefault(d.conversation_id, {})[d.key] = d
    stale, moved, new = [], [], []
    for conv_id, rows in wanted.items():
        have = existing.get(conv_id, {})
        stale += [d.id for key, d in have.items() if d.claimed_at is None and key not in rows]
        for key, row in rows.items():
            old = have.get(key)
            if old is None:
                new.append(SlaDeadline(conversation_id=conv_id, key=key, target=str(row.target),
                                       kind=str(row.kind), cycle=row.cycle, due_at=row.at))
            elif old.claimed_at is None and old.due_at != row.at:
                old.due_at = row.at
                moved.append(old)
    if stale:
        SlaDeadline.objects.filter(id__in=stale, claimed_at=None).delete()
    for row in moved:  # claimed rows were left out above, and stay out
        SlaDeadline.objects.filter(id=row.id, claimed_at=None).update(due_at=row.due_at)
    if new:
        SlaDeadline.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
