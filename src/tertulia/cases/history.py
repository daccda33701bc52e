"""A case's timeline read from the database: the case's events and every linked
conversation's history, turned into ``timeline.Entry`` values and merged."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from tertulia.cases import timeline
from tertulia.cases.models import Case, CaseEvent, Department
from tertulia.engagement.models import Conversation, ConversationEvent
from tertulia.governance.models import User

MAX_EVENTS = 2000
_CONV_HANDOFFS = {ConversationEvent.Kind.ASSIGNED, ConversationEvent.Kind.HANDOFF,
                  ConversationEvent.Kind.ESCALATED}
_CASE_HANDOFFS = {CaseEvent.Kind.HANDOFF, CaseEvent.Kind.DEPARTMENT, CaseEvent.Kind.OWNER}


def _department(value: Any) -> str:
    return str(Department(value).label) if value in Department.values else str(value or "")


def _case_detail(e: CaseEvent, names: dict[int, str]) -> str:
    d = e.data
    parts: list[str] = []
    if e.kind == CaseEvent.Kind.HANDOFF:
        parts.append(f"{_department(d.get('from_department'))} → "
                     f"{_department(d.get('to_department'))}")
        if d.get("from_owner") != d.get("to_owner"):
            parts.append(f"{d.get('from_owner') or '—'} → {d.get('to_owner') or '—'}")
        if d.get("channel"):
            parts.append(_("channel: %(channel)s") % {"channel": d["channel"]})
    elif e.kind == CaseEvent.Kind.DEPARTMENT:
        parts.append(f"{_department(d.get('from'))} → {_department(d.get('to'))}")
    elif "from" in d or "to" in d:
        parts.append(f"{d.get('from') or '—'} → {d.get('to') or '—'}")
    if d.get("outcome"):
        parts.append(_("outcome: %(outcome)s") % {"outcome": d["outcome"]})
    if d.get("score"):
        parts.append(_("score: %(score)s/5") % {"score": d["score"]})
    if d.get("reason"):
        parts.append(str(d["reason"]))
    if d.get("context"):
        parts.append(_("context: %(context)s") % {"context": d["context"]})
    return " · ".join(parts)


def _conv_detail(e: ConversationEvent, names: dict[int, str]) -> str:
    d = e.data
    parts: list[str] = []
    if e.kind in (ConversationEvent.Kind.ASSIGNED, ConversationEvent.Kind.HANDOFF):
        who = d.get("assignee", d.get("to"))
        if isinstance(who, int):
            parts.append(_("to %(person)s") % {"person": names.get(who, f"#{who}")})
    elif "from" in d or "to" in d:
        parts.append(f"{d.get('from') or '—'} → {d.get('to') or '—'}")
    for key in ("reason", "channel"):
        if d.get(key):
            parts.append(str(d[key]))
    if d.get("fired"):
        parts.append(", ".join(str(f) for f in d["fired"]))
    return " · ".join(parts)


def case_timeline(case: Case) -> list[timeline.Entry]:
    conversations = {c.id: c for c in Conversation.objects.filter(case_link__case=case)}
    case_events = list(CaseEvent.objects.filter(case=case).select_related("actor")
                       .order_by("created_at", "id")[:MAX_EVENTS])
    conv_events = list(ConversationEvent.objects.filter(conversation_id__in=conversations)
                       .select_related("actor").order_by("created_at", "id")[:MAX_EVENTS])
    ids = {v for e in conv_events for k, v in e.data.items()
           if k in ("assignee", "to") and isinstance(v, int)}
    names = {u.id: u.display_name for u in User.objects.filter(id__in=ids)}
    ours = [timeline.Entry(
        at=e.created_at, source=timeline.CASE, row_id=e.id, kind=e.kind,
        label=str(e.get_kind_display()), actor=e.actor.display_name if e.actor else e.actor_label,
        conversation=e.data.get("conversation"), detail=_case_detail(e, names),
        handoff=e.kind in _CASE_HANDOFFS) for e in case_events]
    theirs = []
    for e in conv_events:
        conv = conversations[e.conversation_id]
        theirs.append(timeline.Entry(
            at=e.created_at, source=timeline.CONVERSATION, row_id=e.id, kind=e.kind,
            label=str(e.get_kind_display()),
            actor=e.actor.display_name if e.actor else e.actor_label, conversation=conv.id,
            channel=f"{conv.network}{' · ' + conv.channel if conv.channel else ''}",
            detail=_conv_detail(e, names), handoff=e.kind in _CONV_HANDOFFS))
    return timeline.merge(ours, theirs)
