"""Every change to conversations, replies and a brand's inbox settings.

Each public ``do_<verb>_<noun>()`` owns its transaction and writes the conversation's history
(:class:`ConversationEvent`) inside it; settings changes and replies also write an AuditEvent.
Side effects that leave the process (sending a reply) run after commit. Views, tasks, the
scheduler and the ingest listener call these; nothing else saves engagement models.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from tertulia.engagement import clock
from tertulia.engagement import rules as rules_core
from tertulia.engagement import status as status_core
from tertulia.engagement import templates as templates_core
from tertulia.engagement.brandconf import BrandConf, conf_for, settings_for
from tertulia.engagement.facts import facts_for
from tertulia.engagement.influence import influence_score
from tertulia.engagement.models import (
    AgentActivity,
    Conversation,
    ConversationEvent,
    ConversationItem,
    ConversationStatus,
    ConversationTag,
    Customer,
    CustomerHandle,
    Flag,
    GuidelineEntry,
    Note,
    Notification,
    Priority,
    Queue,
    Reply,
    ReplyTemplate,
    Rule,
    SlaPolicy,
    TeamRouting,
    queue_for,
)
from tertulia.engagement.reply_rules import LIMITS, ReplyProblem, validate_reply
from tertulia.governance.access import can
from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand, Team, TeamMember, User
from tertulia.governance.permissions import Permission as P
from tertulia.listening.models import Author, Mention, MentionMatch, MentionTag

Kind = ConversationEvent.Kind
RULES_ACTOR = Actor.system("rules")
MAX_TAG = 60
ONLINE_S = 15 * 60

log = logging.getLogger(__name__)


class DuplicateReply(ValidationError):
    """Someone already answered the customer's last message; sending again needs a yes."""


class ReplyInvalid(ValidationError):
    def __init__(self, problems: list[ReplyProblem]) -> None:
        self.problems = problems
        super().__init__([p.message for p in problems if p.severity == "error"])


# -- small helpers -----------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


@dataclass
class _Batch:
    events: list[ConversationEvent]
    recipients: dict[tuple[int, str], list[User]]


_batch: ContextVar[_Batch | None] = ContextVar("engagement_batch", default=None)


@contextmanager
def batched() -> Iterator[_Batch]:
    """Within the block, history rows are collected and written in one INSERT at the end, and
    notification recipients are looked up once per (brand, recipient): the scheduler's tick
    escalates thousands of conversations this way. Use inside the caller's transaction."""
    batch = _Batch([], {})
    token = _batch.set(batch)
    try:
        yield batch
        ConversationEvent.objects.bulk_create(batch.events, batch_size=1000)
    finally:
        _batch.reset(token)


def event(conv: Conversation, kind: str, actor: Actor, at: datetime, **data: Any) -> None:
    row = ConversationEvent(conversation=conv, kind=kind, actor=actor.user,
                            actor_label=actor.label[:200], data=data, created_at=at)
    batch = _batch.get()
    if batch is not None:
        batch.events.append(row)
    else:
        row.save()


def _locked(conv: Conversation) -> Conversation:
    """The conversation re-read under a row lock (PostgreSQL) inside the caller's atomic."""
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the customer join.
    return (Conversation.objects.select_for_update(of=("self",))
            .select_related("customer", "brand__organization").get(id=conv.id))


def _save(conv: Conversation, at: datetime) -> None:
    conv.queue = queue_for(conv.status, conv.hidden)
    conv.updated_at = at
    conv.save()


def tags_of(conv: Conversation) -> list[str]:
    return sorted(ConversationTag.objects.filter(conversation=conv).values_list("tag", flat=True))


def _first_name_handles(users: Iterable[User]) -> dict[str, User]:
    out: dict[str, User] = {}
    for user in users:
        out.setdefault(user.email.split("@", 1)[0].casefold(), user)
    return out


def inbox_people(brand: Brand) -> list[User]:
    """Everyone who may work this brand's inbox."""
    org = brand.organization
    candidates = User.objects.filter(is_active=True, memberships__organization=org,
                                     memberships__is_active=True).distinct()
    agency_people = User.objects.filter(
        is_active=True, memberships__organization__grants_received__client=org,
        memberships__is_active=True).distinct()
    people = {u.id: u for u in [*candidates, *agency_people]}
    return [u for u in sorted(people.values(), key=lambda u: u.id)
            if can(u, P.BRAND_INBOX_VIEW, brand)]


def _notify(users: Iterable[User], conv: Conversation, kind: str, text: str,
            at: datetime) -> None:
    seen: set[int] = set()
    rows = []
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        rows.append(Notification(user=user, organization_id=conv.organization_id,
                                 conversation=conv, kind=kind, text=text[:500], created_at=at))
    Notification.objects.bulk_create(rows)


def _team(conv: Conversation, ref: str) -> Team | None:
    ref = ref.removeprefix("team:").strip()
    teams = Team.objects.filter(organization_id=conv.organization_id)
    if ref.isdigit():
        return teams.filter(id=int(ref)).first()
    return teams.filter(name__iexact=ref).first()


def _person(conv: Conversation, ref: str) -> User | None:
    ref = ref.removeprefix("user:").strip()
    users = User.objects.filter(is_active=True)
    user = users.filter(id=int(ref)).first() if ref.isdigit() else users.filter(
        email__iexact=ref).first()
    if user is None or not can(user, P.BRAND_INBOX_VIEW, conv.brand):
        return None
    return user


def _recipients(conv: Conversation, refs: Iterable[str]) -> list[User]:
    out: list[User] = []
    batch = _batch.get()
    for ref in refs:
        key = (conv.brand_id, ref)
        if batch is not None and ref != "assignee" and key in batch.recipients:
            out += batch.recipients[key]
            continue
        found = _resolve_recipient(conv, ref)
        if batch is not None and ref != "assignee":
            batch.recipients[key] = found
        out += found
    return out


def _resolve_recipient(conv: Conversation, ref: str) -> list[User]:
    if ref == "assignee":
        return [conv.assignee] if conv.assignee_id else []  # type: ignore[list-item]
    if ref.startswith("team:"):
        team = _team(conv, ref)
        if team is None:
            return []
        return [m.user for m in TeamMember.objects.filter(team=team).select_related("user")
                if m.user.is_active and can(m.user, P.BRAND_INBOX_VIEW, conv.brand)]
    person = _person(conv, ref)
    return [person] if person is not None else []


# -- customers -------------------------------------------------------------------------------


def customer_for(author: Author, at: datetime) -> Customer:
    """The author's customer, created with the author on first contact."""
    link = CustomerHandle.objects.filter(author=author).select_related("customer").first()
    if link is not None:
        return link.customer
    customer = Customer.objects.create(
        organization_id=author.organization_id, name=author.name or author.handle,
        followers=author.followers or 0, verified=author.verified, first_seen_at=at,
        last_seen_at=at,
        influence=influence_score(followers=author.followers or 0, verified=author.verified),
    )
    CustomerHandle.objects.create(customer=customer, author=author)
    return customer


def _count_message(customer: Customer, mention: Mention, at: datetime) -> None:
    customer.followers = max(customer.followers, mention.author_followers or 0)
    customer.verified = customer.verified or mention.author.verified
    customer.engagement_received += mention.likes + mention.comments + mention.shares
    customer.reach_about_us += mention.views or mention.author_followers or 0
    customer.last_seen_at = max(customer.last_seen_at, at)
    if not customer.language and mention.language:
        customer.language = mention.language
    customer.influence = influence_score(
        followers=customer.followers, engagement_received=customer.engagement_received,
        reach_about_us=customer.reach_about_us, verified=customer.verified)
    customer.save()


# -- threading: a customer's message lands in a conversation -------------------------------


def thread_key(mention: Mention) -> str:
    """Which conversation of a brand an item belongs to: a private thread as a whole, one
    customer under one public thread, or a customer's loose public mentions together."""
    handle = mention.author.handle.casefold()
    if mention.kind == "dm":
        return f"dm:{mention.thread_id or handle}"
    if mention.thread_id:
        return f"thread:{mention.thread_id}:{handle}"
    return f"author:{handle}"


@dataclass
class Threaded:
    conversation: Conversation
    item: ConversationItem
    created: bool
    reopened: bool


def receive_message(mention: Mention, brand: Brand, *, channel: str, now: datetime,
                    actor: Actor = RULES_ACTOR, pulled: bool = False) -> Threaded | None:
    """Thread one customer item into the brand's conversation (creating or reopening it),
    then run the brand's rules on it. Runs inside the caller's transaction; idempotent: an
    item already in a conversation of the brand changes nothing."""
    if ConversationItem.objects.filter(mention=mention, conversation__brand=brand).exists():
        return None
    conf = conf_for(brand.id)
    key = thread_key(mention)
    at = mention.created_at
    conv = (Conversation.objects.select_for_update()
            .filter(brand=brand, network=mention.network, thread_key=key)
            .exclude(status=ConversationStatus.CLOSED).first())
    created = reopened = False
    customer = customer_for(mention.author, at)
    if conv is None:
        conv = Conversation(
            organization_id=brand.organization_id, brand=brand, network=mention.network,
            channel=channel, thread_key=key, kind=mention.kind, customer=customer,
            subject=(mention.title or mention.text)[:300], created_at=now, updated_at=now,
            last_message_at=at, language=mention.language,
        )
        clock.start(conv, at)
        try:
            with transaction.atomic():
                conv.save()
        except IntegrityError:
            # Another process opened it a moment ago (unique per live thread): use that one.
            conv = (Conversation.objects.select_for_update()
                    .filter(brand=brand, network=mention.network, thread_key=key)
                    .exclude(status=ConversationStatus.CLOSED).first())
            if conv is None:
                raise
        else:
            created = True
            event(conv, Kind.CREATED, actor, now, pulled=pulled, channel=channel)
    if not created:
        current = status_core.ConversationStatus(status_core.Status(conv.status),
                                                 conv.snoozed_until)
        outcome = status_core.on_customer_message(current, at)
        if outcome.status.status != current.status:
            effect = status_core.sla_effect(current.status, outcome.status.status)
            clock.apply_effect(conv, effect, at, conf)
            conv.status, conv.snoozed_until = outcome.status.status, None
            reopened = outcome.reopened
            event(conv, Kind.REOPENED if reopened else Kind.STATUS, actor, now,
                  **{"from": str(current.status), "to": str(outcome.status.status)})
    conv.message_count += 1
    conv.customer = conv.customer or customer
    conv.preview = (mention.title or mention.text)[:300]
    if at >= conv.last_message_at or created:
        conv.last_message_at = at
        conv.sentiment = mention.sentiment
        conv.language = mention.language or conv.language
    conv.last_customer_message_at = max(filter(None, [conv.last_customer_message_at, at]))
    if mention.flag and mention.flag != Flag.NONE and not conv.flag_confirmed:
        # The text models suggest; until a person confirms (or a rule decides), the latest
        # suggestion is the flag.
        previous = conv.model_flag
        conv.model_flag, conv.model_flag_confidence = mention.flag, mention.flag_confidence
        if created or conv.flag in (Flag.NONE, previous):
            conv.flag = mention.flag
    _count_message(customer, mention, at)
    _save(conv, now)
    item = ConversationItem.objects.create(conversation=conv, direction="in", mention=mention,
                                           created_at=at)
    if not created:
        event(conv, Kind.MESSAGE, actor, now, item=item.id)
    query_ids = MentionMatch.objects.filter(mention=mention, brand=brand).values_list(
        "query_id", flat=True)
    facts = facts_for(conv, conf=conf, mention=mention, customer=customer, tags=tags_of(conv),
                      query_ids=query_ids)
    evaluation = rules_core.evaluate(conf.ruleset, facts, conf.context(now))
    item.rule_facts, item.evaluated_at = facts, now
    item.rules_fired = evaluation.fired_rule_ids
    item.save(update_fields=["rule_facts", "evaluated_at", "rules_fired"])
    apply_changes(conv, evaluation, conf=conf, now=now, mention=mention)
    clock.sync(conv, now, conf)
    _save(conv, now)
    return Threaded(conv, item, created, reopened)


# -- rules ---------------------------------------------------------------------------------


def apply_changes(conv: Conversation, evaluation: rules_core.Evaluation, *, conf: BrandConf,
                  now: datetime, mention: Mention | None = None,
                  actor: Actor = RULES_ACTOR, extra: dict[str, Any] | None = None) -> None:
    """Apply what the fired rules decided to ``conv`` (not saved: the caller saves).
    ``extra`` is stored on the history row (an ``updated`` run keeps its facts there, so
    the dry run replays it)."""
    if not evaluation.fired:
        return
    changes = evaluation.changes
    event(conv, Kind.RULES, actor, now, fired=evaluation.fired_rule_ids,
          changes=changes.to_dict(), **(extra or {}))
    if changes.flag is not None and changes.flag in Flag.values and changes.flag != conv.flag:
        event(conv, Kind.FLAG, actor, now, **{"from": conv.flag, "to": changes.flag})
        conv.flag = changes.flag
    if changes.priority is not None and changes.priority != conv.priority:
        event(conv, Kind.PRIORITY, actor, now, **{"from": conv.priority, "to": changes.priority})
        conv.priority = changes.priority
    if changes.tags_added or changes.tags_removed:
        _change_tags(conv, changes.tags_added, changes.tags_removed, actor, now)
    if changes.assignment is not None:
        _route(conv, changes.assignment, actor, now)
    if changes.hidden and not conv.hidden:
        conv.hidden = True
        event(conv, Kind.HIDDEN, actor, now, reason=changes.hide_reason or "spam")
        queue_network_hide(conv, actor=actor, at=now)
    for note in changes.notifications:
        text = str(note.get("message") or _("A rule wants you to look at conversation #%(n)s")
                   % {"n": conv.number})
        _notify(_recipients(conv, note.get("to", [])), conv, "rule", text, now)
    for escalation in changes.escalations:
        to = str(escalation.get("to", ""))
        reason = str(escalation.get("reason", ""))
        event(conv, Kind.ESCALATED, actor, now, to=to, reason=reason)
        _notify(_recipients(conv, [to]), conv, "escalation",
                _("Escalated: conversation #%(n)s. %(reason)s") % {"n": conv.number,
                                                                  "reason": reason}, now)
    if changes.acknowledge_template_id and mention is not None:
        _auto_acknowledge(conv, changes.acknowledge_template_id, now)


def _route(conv: Conversation, assignment: rules_core.Assignment, actor: Actor,
           at: datetime) -> None:
    before = (conv.assignee_id, conv.team_id)
    if assignment.strategy == "direct":
        person = _person(conv, assignment.person or "")
        if person is not None:
            conv.assignee = person
        if assignment.team:
            conv.team = _team(conv, assignment.team) or conv.team
    else:
        team = _team(conv, assignment.team or "")
        if team is None:
            return
        conv.team = team
        members = [m.user for m in TeamMember.objects.filter(team=team).select_related("user")
                   .order_by("user_id") if m.user.is_active]
        candidates = [str(u.id) for u in members if can(u, P.BRAND_INBOX_VIEW, conv.brand)]
        online = online_ids(candidates, at)
        if assignment.strategy == "round_robin":
            routing, _created = TeamRouting.objects.select_for_update().get_or_create(team=team)
            chosen = rules_core.round_robin(
                candidates, str(routing.last_assigned_id) if routing.last_assigned_id else None,
                online)
            if chosen is not None:
                routing.last_assigned_id = int(chosen)
                routing.save()
        else:
            counts = dict(Conversation.objects.filter(
                assignee_id__in=[int(c) for c in candidates], queue=Queue.OPEN,
            ).values("assignee_id").annotate(n=Count("id")).values_list("assignee_id", "n"))
            chosen = rules_core.least_busy(
                candidates, {str(k): v for k, v in counts.items()}, online)
        if chosen is not None:
            conv.assignee_id = int(chosen)
    if (conv.assignee_id, conv.team_id) != before:
        event(conv, Kind.ASSIGNED, actor, at, assignee=conv.assignee_id, team=conv.team_id,
              strategy=assignment.strategy)
        if conv.assignee_id and conv.assignee_id != before[0]:
            _notify([User.objects.get(id=conv.assignee_id)], conv, "assigned",
                    _("Conversation #%(n)s was assigned to you") % {"n": conv.number}, at)


def online_ids(candidates: Sequence[str], at: datetime) -> set[str]:
    since = at - timedelta(seconds=ONLINE_S)
    return {str(i) for i in AgentActivity.objects.filter(
        user_id__in=[int(c) for c in candidates], last_seen_at__gte=since,
    ).values_list("user_id", flat=True)}


def note_activity(user: User, at: datetime | None = None) -> None:
    """The person is working in the inbox now (used for "online" by routing)."""
    at = _now(at)
    try:
        updated = AgentActivity.objects.filter(user=user).update(last_seen_at=at)
        if not updated:
            AgentActivity.objects.get_or_create(user=user, defaults={"last_seen_at": at})
    except OperationalError:
        # A busy embedded database (a long background write) must not cost the person
        # their page; the next page view records the activity.
        log.warning("could not record inbox activity of %s: database busy", user.pk)


def _change_tags(conv: Conversation, add: Sequence[str], remove: Sequence[str], actor: Actor,
                 at: datetime) -> None:
    add = [t.strip()[:MAX_TAG] for t in add if t.strip()]
    remove = [t.strip() for t in remove if t.strip()]
    if remove:
        ConversationTag.objects.filter(conversation=conv, tag__in=remove).delete()
    if add:
        ConversationTag.objects.bulk_create(
            [ConversationTag(conversation=conv, organization_id=conv.organization_id, tag=t)
             for t in add], ignore_conflicts=True)
    event(conv, Kind.TAGS, actor, at, added=list(add), removed=list(remove))


def _case_number(conv: Conversation) -> str:
    """The number of the case the conversation belongs to (``tertulia.cases``, through its
    reverse link), else the conversation's own."""
    link = getattr(conv, "case_link", None) if conv.pk else None
    return link.case.label if link is not None else conv.number


def template_values(conv: Conversation, agent: str) -> dict[str, str]:
    customer = conv.customer
    handle = ""
    if conv.customer_id:
        author = Author.objects.filter(customer_link__customer_id=conv.customer_id).first()
        handle = "@" + author.handle if author else ""
    brand = conv.brand
    return {
        "agent_name": agent, "brand_name": brand.name, "case_number": _case_number(conv),
        "customer_handle": handle,
        "customer_name": (customer.name if customer else "") or handle,
        "link": brand.website, "survey_link": "",
    }


def _auto_acknowledge(conv: Conversation, key: str, at: datetime) -> None:
    rows = ReplyTemplate.objects.filter(brand_id=conv.brand_id, key=key)
    candidates = [templates_core.ReplyTemplate(str(t.id), t.language, t.body) for t in rows]
    try:
        chosen = templates_core.select_template(
            candidates, flag=None, language=conv.language or None,
            fallback_language=conv.brand.language)
        text = templates_core.render(chosen.body, template_values(conv, conv.brand.name))
    except templates_core.TemplateError as error:
        event(conv, Kind.RULES, RULES_ACTOR, at, acknowledge_skipped=key, reason=str(error))
        return
    _queue_reply(conv, text, actor=RULES_ACTOR, at=at, automatic=True, template_key=key)


# -- status, snooze, assignment, flag, priority, tags ---------------------------------------


def _move(conv: Conversation, to: str, *, at: datetime, actor: Actor,
          until: datetime | None = None) -> None:
    current = status_core.ConversationStatus(status_core.Status(conv.status), conv.snoozed_until)
    if to == status_core.Status.SNOOZED:
        if until is None:
            raise ValidationError(_("Say until when to snooze."))
        new = status_core.snooze(current, until=until, at=at)
    else:
        new = status_core.transition(current, to, at=at)
    clock.apply_effect(conv, status_core.sla_effect(current.status, new.status), at)
    conv.status, conv.snoozed_until = str(new.status), new.snoozed_until
    if new.status is status_core.Status.CLOSED:
        conv.closed_at = at
    kind = Kind.SNOOZED if new.status is status_core.Status.SNOOZED else Kind.STATUS
    data: dict[str, Any] = {"from": str(current.status), "to": str(new.status)}
    if until is not None:
        data["until"] = until.isoformat()
    event(conv, kind, actor, at, **data)


def _touch(conv: Conversation, at: datetime, actor: Actor) -> None:
    """A person acted on a new conversation: it is open now."""
    if conv.status == ConversationStatus.NEW:
        _move(conv, ConversationStatus.OPEN, at=at, actor=actor)


@transaction.atomic
def do_change_status(conv: Conversation, to: str, *, actor: Actor,
                     until: datetime | None = None, now: datetime | None = None) -> Conversation:
    """Move the conversation (``status.py`` decides what is allowed; the clock follows)."""
    at = _now(now)
    conv = _locked(conv)
    if to not in ConversationStatus.values:
        raise ValidationError(_("%(value)s is not a status.") % {"value": to})
    if to == conv.status and to != ConversationStatus.SNOOZED:
        return conv
    try:
        _move(conv, to, at=at, actor=actor, until=until)
    except status_core.InvalidTransition as error:
        raise ValidationError(_("A %(from)s conversation cannot become %(to)s.") % {
            "from": ConversationStatus(conv.status).label, "to": ConversationStatus(to).label,
        }) from error
    run_update_rules(conv, actor=actor, at=at, what="status")
    clock.sync(conv, at)
    _save(conv, at)
    return conv


@transaction.atomic
def do_assign(conv: Conversation, assignee: User | None, *, actor: Actor,
              team: Team | None = None, now: datetime | None = None) -> Conversation:
    at = _now(now)
    conv = _locked(conv)
    if assignee is not None and not can(assignee, P.BRAND_INBOX_VIEW, conv.brand):
        raise ValidationError(_("%(person)s cannot see this brand's inbox.") % {
            "person": assignee})
    if team is not None and team.organization_id != conv.organization_id:
        raise ValidationError(_("That team is not in this organization."))
    before = (conv.assignee_id, conv.team_id)
    conv.assignee = assignee
    if team is not None:
        conv.team = team
    if (conv.assignee_id, conv.team_id) == before:
        return conv
    event(conv, Kind.ASSIGNED, actor, at, assignee=conv.assignee_id, team=conv.team_id,
          previous=before[0])
    if before[0] and conv.assignee_id and before[0] != conv.assignee_id:
        event(conv, Kind.HANDOFF, actor, at, **{"from": before[0], "to": conv.assignee_id})
    if assignee is not None and assignee.id != (actor.user.id if actor.user else None):
        _notify([assignee], conv, "assigned",
                _("Conversation #%(n)s was assigned to you") % {"n": conv.number}, at)
    _touch(conv, at, actor)
    run_update_rules(conv, actor=actor, at=at, what="assignee")
    clock.sync(conv, at)
    _save(conv, at)
    return conv


@transaction.atomic
def do_set_flag(conv: Conversation, flag: str, *, actor: Actor,
                now: datetime | None = None) -> Conversation:
    """A person confirms (same value) or changes the flag; the model's suggestion is kept,
    and the correction feeds the text models' training data."""
    at = _now(now)
    conv = _locked(conv)
    if flag not in Flag.values:
        raise ValidationError(_("%(value)s is not a flag.") % {"value": flag})
    before = conv.flag
    conv.flag, conv.flag_confirmed = flag, True
    event(conv, Kind.FLAG, actor, at, **{"from": before, "to": flag, "confirmed": True,
                                         "suggested": conv.model_flag})
    last = (ConversationItem.objects.filter(conversation=conv, direction="in")
            .exclude(mention=None).select_related("mention").order_by("-created_at").first())
    if last is not None and flag != Flag.NOTE and actor.user is not None:
        from tertulia.listening.actions import do_correct_mention

        do_correct_mention(last.mention, conv.brand, "flag", flag, actor=actor)
    if flag == Flag.SPAM and not conv.hidden:
        conv.hidden = True
        event(conv, Kind.HIDDEN, actor, at, reason="spam")
        queue_network_hide(conv, actor=actor, at=at)
    elif before == Flag.SPAM and flag != Flag.SPAM and conv.hidden:
        conv.hidden = False
    _touch(conv, at, actor)
    if flag != before:
        run_update_rules(conv, actor=actor, at=at, what="flag")
    clock.sync(conv, at)
    _save(conv, at)
    return conv


@transaction.atomic
def do_set_priority(conv: Conversation, priority: str, *, actor: Actor,
                    now: datetime | None = None) -> Conversation:
    at = _now(now)
    conv = _locked(conv)
    if priority not in Priority.values:
        raise ValidationError(_("%(value)s is not a priority.") % {"value": priority})
    if priority == conv.priority:
        return conv
    event(conv, Kind.PRIORITY, actor, at, **{"from": conv.priority, "to": priority})
    conv.priority = priority
    run_update_rules(conv, actor=actor, at=at, what="priority")
    clock.sync(conv, at)
    _save(conv, at)
    return conv


@transaction.atomic
def do_tag(conv: Conversation, *, actor: Actor, add: Sequence[str] = (),
           remove: Sequence[str] = (), now: datetime | None = None) -> Conversation:
    at = _now(now)
    conv = _locked(conv)
    if not any(t.strip() for t in [*add, *remove]):
        raise ValidationError(_("Write a tag."))
    _change_tags(conv, add, remove, actor, at)
    run_update_rules(conv, actor=actor, at=at, what="tags")
    _save(conv, at)
    return conv


_MENTION_RE = re.compile(r"(?<![\w@])@([\w.+-]+)")


@transaction.atomic
def do_add_note(conv: Conversation, body: str, *, actor: Actor,
                now: datetime | None = None) -> Note:
    """An internal note; ``@name`` (the part of a colleague's e-mail before the @) notifies
    them, if they may see this brand's inbox."""
    at = _now(now)
    body = body.strip()
    if not body:
        raise ValidationError(_("Write the note."))
    conv = _locked(conv)
    note = Note.objects.create(conversation=conv, author=actor.user, body=body[:10_000],
                               created_at=at)
    names = {m.casefold().rstrip(".") for m in _MENTION_RE.findall(body)}
    people = _first_name_handles(inbox_people(conv.brand)) if names else {}
    mentioned = [people[n] for n in sorted(names) if n in people]
    note.mentioned.set(mentioned)
    event(conv, Kind.NOTE, actor, at, note=note.id, mentioned=[u.id for u in mentioned])
    who = actor.user.display_name if actor.user else actor.label
    _notify([u for u in mentioned if u != actor.user], conv, "mention",
            _("%(who)s mentioned you on conversation #%(n)s") % {"who": who, "n": conv.number},
            at)
    _save(conv, at)
    return note


# -- replies -------------------------------------------------------------------------------


def check_reply(conv: Conversation, text: str, *, private: bool) -> list[ReplyProblem]:
    """The per-network checks of ``reply_rules``; networks it does not know only need text."""
    if not private and conv.network in LIMITS:
        return validate_reply(conv.network, text)
    if not text.strip():
        return [ReplyProblem("empty", "error", _("The reply is empty; write some text."))]
    return []


def answered_already(conv: Conversation) -> Reply | None:
    """A reply (not failed) written after the customer's last message, if there is one."""
    last_in = conv.last_customer_message_at
    replies = Reply.objects.filter(conversation=conv, is_automatic=False).exclude(
        state__in=[Reply.State.FAILED, Reply.State.REJECTED])
    if last_in is not None:
        replies = replies.filter(created_at__gte=last_in)
    return replies.order_by("-created_at").first()


def _queue_reply(conv: Conversation, text: str, *, actor: Actor, at: datetime,
                 private: bool = False, automatic: bool = False,
                 template_key: str = "", channel: str = "", to_address: str = "") -> Reply:
    """Write the reply to the outbox; it is sent after commit, unless the person's replies
    on this brand wait for an approver (then it is held as ``awaiting``)."""
    last_in = (ConversationItem.objects.filter(conversation=conv, direction="in")
               .exclude(mention=None).order_by("-created_at").first())
    awaiting = not automatic and reply_needs_approval(actor, conv.brand)
    reply = Reply.objects.create(
        organization_id=conv.organization_id, brand_id=conv.brand_id, conversation=conv,
        in_reply_to_id=last_in.mention_id if last_in else None, text=text, private=private,
        idempotency_key=uuid.uuid4().hex, template_key=template_key, is_automatic=automatic,
        created_by=actor.user, created_by_label=actor.label[:200], created_at=at,
        channel=channel, to_address=to_address[:320],
        state=Reply.State.AWAITING if awaiting else Reply.State.QUEUED,
    )
    ConversationItem.objects.create(conversation=conv, direction="out", reply=reply,
                                    created_at=at)
    conv.last_message_at = max(conv.last_message_at, at)
    conv.preview = text[:300]
    conv.message_count += 1
    if awaiting:
        event(conv, Kind.REPLY_AWAITING, actor, at, reply=reply.id, private=private,
              channel=channel)
        record(conv.brand.organization, actor, AuditAction.REPLY_AWAITING_APPROVAL, obj=reply,
               brand=conv.brand, after={"conversation": conv.id, "private": private,
                                        "channel": channel, "chars": len(text)})
        approvers = [u for u in inbox_people(conv.brand)
                     if u != actor.user and can(u, P.BRAND_INBOX_APPROVE, conv.brand)]
        _notify(approvers, conv, "approval",
                _("A reply on conversation #%(n)s is waiting for your approval")
                % {"n": conv.number}, at)
        return reply
    event(conv, Kind.REPLY_QUEUED, actor, at, reply=reply.id, private=private,
          automatic=automatic, channel=channel)
    record(conv.brand.organization, actor, AuditAction.REPLY_QUEUED, obj=reply,
           brand=conv.brand, after={"conversation": conv.id, "private": private,
                                    "automatic": automatic, "chars": len(text),
                                    "channel": channel})
    from tertulia.engagement.tasks import deliver_reply

    transaction.on_commit(lambda: deliver_reply(reply.id))
    return reply


@transaction.atomic
def do_queue_reply(conv: Conversation, text: str, *, actor: Actor, private: bool = False,
                   confirm_duplicate: bool = False, template_key: str = "",
                   then: str = "", now: datetime | None = None) -> Reply:
    """Check the reply for its network, write it to the outbox and send it after commit.

    Raises :class:`ReplyInvalid` with the network's problems, or :class:`DuplicateReply` when
    the customer's last message was already answered and ``confirm_duplicate`` is not set.
    ``then`` optionally moves the conversation afterwards (``pending`` or ``resolved``).
    """
    at = _now(now)
    conv = _locked(conv)
    text = text.strip()
    problems = check_reply(conv, text, private=private)
    if any(p.severity == "error" for p in problems):
        raise ReplyInvalid(problems)
    earlier = answered_already(conv)
    if earlier is not None and not confirm_duplicate:
        raise DuplicateReply(_("%(who)s already answered this message at %(at)s. Send yours too?")
                             % {"who": earlier.created_by_label,
                                "at": timezone.localtime(earlier.created_at).strftime("%H:%M")})
    reply = _queue_reply(conv, text, actor=actor, at=at, private=private,
                         template_key=template_key)
    _touch(conv, at, actor)
    # A held reply has not reached the customer: the conversation does not move on yet.
    if (then in (ConversationStatus.PENDING, ConversationStatus.RESOLVED)
            and then != conv.status and reply.state != Reply.State.AWAITING):
        _move(conv, then, at=at, actor=actor)
    clock.sync(conv, at)
    _save(conv, at)
    return reply


# -- pulling a public mention into the inbox -----------------------------------------------


@transaction.atomic
def do_pull_into_inbox(mention: Mention, brand: Brand, *, actor: Actor,
                       now: datetime | None = None) -> Conversation:
    """A person brings a public mention found by listening into the brand's inbox."""
    at = _now(now)
    threaded = receive_message(mention, brand, channel="", now=at, actor=actor, pulled=True)
    if threaded is None:
        item = ConversationItem.objects.filter(mention=mention, conversation__brand=brand).first()
        assert item is not None
        return item.conversation
    tags = MentionTag.objects.filter(mention=mention, brand=brand).values_list("tag", flat=True)
    if tags:
        _change_tags(threaded.conversation, list(tags), [], actor, at)
    return threaded.conversation


# -- bulk ------------------------------------------------------------------------------------

BULK_ACTIONS = ("assign", "flag", "close", "resolve", "tag", "open")


def do_bulk(conversations: Sequence[Conversation], action: str, value: str, *, actor: Actor,
            assignee: User | None = None) -> int:
    """One action on many conversations; each one in its own transaction, so one refusal
    (a closed conversation cannot be resolved) does not undo the others. Returns how many
    changed."""
    if action not in BULK_ACTIONS:
        raise ValidationError(_("Unknown bulk action."))
    done = 0
    for conv in conversations:
        try:
            if action == "assign":
                do_assign(conv, assignee, actor=actor)
            elif action == "flag":
                do_set_flag(conv, value, actor=actor)
            elif action in ("close", "resolve", "open"):
                target = {"close": ConversationStatus.CLOSED, "resolve":
                          ConversationStatus.RESOLVED, "open": ConversationStatus.OPEN}[action]
                do_change_status(conv, target, actor=actor)
            elif action == "tag":
                do_tag(conv, add=[value], actor=actor)
        except ValidationError:
            continue
        done += 1
    return done


# -- a brand's settings: rules, SLA policies, hours, guideline, templates -------------------


def _bump(brand: Brand) -> None:
    settings = settings_for(brand)
    settings.rules_version += 1
    settings.save()


@transaction.atomic
def do_save_rule(brand: Brand, data: dict[str, Any], *, actor: Actor,
                 rule: Rule | None = None) -> Rule:
    """Validate the rule JSON with the pure engine and store it (new, or over ``rule``)."""
    try:
        valid = rules_core.validate_rule(data)
    except rules_core.RuleValidationError as error:
        raise ValidationError([str(p) for p in error.problems]) from error
    clash = Rule.objects.filter(brand=brand, key=valid.id)
    if rule is not None:
        clash = clash.exclude(id=rule.id)
    if clash.exists():
        raise ValidationError(_("Another rule already has the id %(id)s.") % {"id": valid.id})
    before = rule.as_dict() if rule is not None else None
    rule = rule or Rule(brand=brand)
    plain = valid.to_dict()
    rule.key, rule.name, rule.order = valid.id, valid.name[:120], valid.order
    rule.enabled, rule.stop_processing = valid.enabled, valid.stop_processing
    rule.conditions, rule.actions = plain["conditions"], plain["actions"]
    rule.save()
    _bump(brand)
    record(brand.organization, actor, AuditAction.ENGAGEMENT_RULE_SAVED, obj=rule, brand=brand,
           before=before, after=rule.as_dict())
    return rule


@transaction.atomic
def do_delete_rule(rule: Rule, *, actor: Actor) -> None:
    brand = rule.brand
    before = rule.as_dict()
    rule.delete()
    _bump(brand)
    record(brand.organization, actor, AuditAction.ENGAGEMENT_RULE_DELETED, brand=brand,
           before=before)


@transaction.atomic
def do_save_sla_policy(brand: Brand, priority: str, *, first_response_s: int, resolution_s: int,
                       warn_before_s: int, actor: Actor) -> SlaPolicy:
    if priority not in Priority.values:
        raise ValidationError(_("%(value)s is not a priority.") % {"value": priority})
    if first_response_s <= 0 or resolution_s <= 0:
        raise ValidationError(_("Targets must be more than zero minutes."))
    if warn_before_s >= min(first_response_s, resolution_s):
        raise ValidationError(_("The warning must come before the shortest target."))
    policy, _created = SlaPolicy.objects.update_or_create(
        brand=brand, priority=priority,
        defaults={"first_response_s": first_response_s, "resolution_s": resolution_s,
                  "warn_before_s": warn_before_s})
    _bump(brand)
    record(brand.organization, actor, AuditAction.ENGAGEMENT_SLA_SAVED, obj=policy, brand=brand,
           after={"priority": priority, "first_response_s": first_response_s,
                  "resolution_s": resolution_s, "warn_before_s": warn_before_s})
    return policy


@transaction.atomic
def do_delete_sla_policy(brand: Brand, priority: str, *, actor: Actor) -> None:
    SlaPolicy.objects.filter(brand=brand, priority=priority).delete()
    _bump(brand)
    record(brand.organization, actor, AuditAction.ENGAGEMENT_SLA_SAVED, brand=brand,
           after={"priority": priority, "deleted": True})


@transaction.atomic
def do_save_inbox_settings(brand: Brand, *, business_hours: dict[str, list[str]],
                           holidays: list[str], vip_handles: list[str], actor: Actor) -> None:
    from tertulia.engagement.calendar import BusinessCalendar, CalendarError

    try:
        BusinessCalendar(brand.timezone, business_hours)
    except CalendarError as error:
        raise ValidationError(str(error)) from error
    settings = settings_for(brand)
    before = {"business_hours": settings.business_hours, "holidays": settings.holidays,
              "vip_handles": settings.vip_handles}
    settings.business_hours, settings.holidays = business_hours, holidays
    settings.vip_handles = vip_handles
    settings.rules_version += 1
    settings.save()
    record(brand.organization, actor, AuditAction.ENGAGEMENT_SETTINGS_SAVED, brand=brand,
           before=before, after={"business_hours": business_hours, "holidays": holidays,
                                 "vip_handles": vip_handles})


@transaction.atomic
def do_save_guideline(brand: Brand, flag: str, *, meaning: str, expected_action: str,
                      team: Team | None, actor: Actor) -> GuidelineEntry:
    if flag not in Flag.values:
        raise ValidationError(_("%(value)s is not a flag.") % {"value": flag})
    entry, _created = GuidelineEntry.objects.update_or_create(
        brand=brand, flag=flag,
        defaults={"meaning": meaning.strip(), "expected_action": expected_action.strip(),
                  "team": team})
    record(brand.organization, actor, AuditAction.ENGAGEMENT_GUIDELINE_SAVED, obj=entry,
           brand=brand, after={"flag": flag, "meaning": entry.meaning,
                               "expected_action": entry.expected_action,
                               "team": team.id if team else None})
    return entry


@transaction.atomic
def do_save_template(brand: Brand, *, key: str, name: str, flag: str, language: str, body: str,
                     actor: Actor, template: ReplyTemplate | None = None) -> ReplyTemplate:
    try:
        templates_core.template_variables(body)
    except templates_core.TemplateError as error:
        raise ValidationError(str(error)) from error
    if flag and flag not in Flag.values:
        raise ValidationError(_("%(value)s is not a flag.") % {"value": flag})
    clash = ReplyTemplate.objects.filter(brand=brand, key=key, language=language)
    if template is not None:
        clash = clash.exclude(id=template.id)
    if clash.exists():
        raise ValidationError(_("There is already a template %(key)s in %(language)s.")
                              % {"key": key, "language": language})
    template = template or ReplyTemplate(brand=brand)
    template.key, template.name, template.flag = key, name, flag
    template.language, template.body = language, body
    template.save()
    record(brand.organization, actor, AuditAction.ENGAGEMENT_TEMPLATE_SAVED, obj=template,
           brand=brand, after={"key": key, "flag": flag, "language": language, "body": body})
    return template


@transaction.atomic
def do_delete_template(template: ReplyTemplate, *, actor: Actor) -> None:
    brand = template.brand
    before = {"key": template.key, "language": template.language, "body": template.body}
    template.delete()
    record(brand.organization, actor, AuditAction.ENGAGEMENT_TEMPLATE_DELETED, brand=brand,
           before=before)


# -- reply approval ----------------------------------------------------------------------------


def reply_needs_approval(actor: Actor, brand: Brand) -> bool:
    """Whether this person's replies on ``brand`` wait for an approver (``approval.py``)."""
    user = actor.user
    if user is None:
        return False
    from tertulia.engagement.approval import ApprovalPolicy, needs_approval
    from tertulia.governance.access import snapshot_for

    settings = settings_for(brand)
    if not settings.replies_need_approval:
        return False
    snap = snapshot_for(user)
    org_id = brand.organization_id
    roles = {str(r) for r in snap.org_roles.get(org_id, ())}
    roles |= {str(r) for r in snap.brand_roles.get(brand.id, ())}
    grants = [g for g in snap.agency_grants
              if g.client_org_id == org_id and brand.id in g.brand_ids]
    roles |= {str(g.role) for g in grants}
    policy = ApprovalPolicy(True, frozenset(str(r) for r in settings.approval_roles or ()))
    return needs_approval(policy, roles=roles, via_agency=bool(grants),
                          may_approve=can(user, P.BRAND_INBOX_APPROVE, brand))


def _held(reply: Reply) -> Reply:
    reply = (Reply.objects.select_for_update(of=("self",))
             .select_related("conversation", "brand__organization").get(id=reply.id))
    if reply.state != Reply.State.AWAITING:
        raise ValidationError(_("This reply is no longer waiting for approval (it is %(state)s).")
                              % {"state": Reply.State(reply.state).label})
    return reply


@transaction.atomic
def do_approve_reply(reply: Reply, *, actor: Actor, now: datetime | None = None) -> Reply:
    """An approver lets a held reply go: it enters the outbox (sent after commit, at most
    once, like any reply) and its author is told."""
    at = _now(now)
    reply = _held(reply)
    if actor.user is not None and reply.created_by_id == actor.user.id:
        raise ValidationError(_("Someone else must approve your own reply."))
    reply.state, reply.decided_by, reply.decided_at = Reply.State.QUEUED, actor.user, at
    reply.save(update_fields=["state", "decided_by", "decided_at"])
    conv = _locked(reply.conversation)
    event(conv, Kind.REPLY_APPROVED, actor, at, reply=reply.id)
    record(reply.brand.organization, actor, AuditAction.REPLY_APPROVED, obj=reply,
           brand=reply.brand, after={"conversation": conv.id, "state": reply.state})
    if reply.created_by is not None:
        _notify([reply.created_by], conv, "approved",
                _("Your reply on conversation #%(n)s was approved and is being sent")
                % {"n": conv.number}, at)
    from tertulia.engagement.tasks import deliver_reply

    transaction.on_commit(lambda: deliver_reply(reply.id))
    _save(conv, at)
    return reply


@transaction.atomic
def do_reject_reply(reply: Reply, reason: str, *, actor: Actor,
                    now: datetime | None = None) -> Reply:
    """An approver refuses a held reply, saying why; nothing is sent and its author is told."""
    at = _now(now)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the reply is rejected, so its author can fix it."))
    reply = _held(reply)
    reply.state, reply.decided_by, reply.decided_at = Reply.State.REJECTED, actor.user, at
    reply.rejection_reason = reason[:2000]
    reply.save(update_fields=["state", "decided_by", "decided_at", "rejection_reason"])
    conv = _locked(reply.conversation)
    event(conv, Kind.REPLY_REJECTED, actor, at, reply=reply.id, reason=reason[:300])
    record(reply.brand.organization, actor, AuditAction.REPLY_REJECTED, obj=reply,
           brand=reply.brand, after={"conversation": conv.id, "reason": reason[:2000]})
    if reply.created_by is not None:
        _notify([reply.created_by], conv, "rejected",
                _("Your reply on conversation #%(n)s was rejected: %(reason)s")
                % {"n": conv.number, "reason": reason}, at)
    _save(conv, at)
    return reply


# -- moving a public conversation to a private channel ----------------------------------------

HANDOFF_CHANNELS = ("dm", "email", "phone", "sms")
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 ().-]{5,30}$")


@transaction.atomic
def do_move_to_private(conv: Conversation, channel: str, *, actor: Actor, text: str = "",
                       email: str = "", phone: str = "", notes: str = "",
                       now: datetime | None = None) -> Reply | None:
    """Continue a conversation in private: a direct message on the network or an e-mail
    (both through the outbox, so approval and at-most-once apply), or a phone call / SMS
    handled outside tertulia, recorded with its number and notes. Every handoff is a
    ``handoff`` event with its context and an audit row."""
    at = _now(now)
    if channel not in HANDOFF_CHANNELS:
        raise ValidationError(_("%(value)s is not a private channel.") % {"value": channel})
    conv = _locked(conv)
    text, notes = text.strip(), notes.strip()
    reply = None
    context: dict[str, Any] = {"channel": channel, "from_kind": conv.kind or "",
                               "last_message": conv.preview[:200]}
    if channel == "dm":
        if conv.kind == "dm":
            raise ValidationError(_("This conversation is already private."))
        problems = check_reply(conv, text, private=True)
        if any(p.severity == "error" for p in problems):
            raise ReplyInvalid(problems)
        reply = _queue_reply(conv, text, actor=actor, at=at, private=True)
    elif channel == "email":
        from django.core.validators import validate_email

        address = email.strip() or (conv.customer.email if conv.customer else "")
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(_("“%(value)s” is not an e-mail address; write the "
                                    "customer's address.") % {"value": address}) from None
        if not text:
            raise ValidationError(_("Write the e-mail."))
        reply = _queue_reply(conv, text, actor=actor, at=at, private=True, channel="email",
                             to_address=address)
        context["address"] = address
    else:
        if not _PHONE_RE.match(phone.strip()):
            raise ValidationError(_("“%(value)s” is not a phone number; write it with its "
                                    "country code, e.g. +34 600 000 000.") % {"value": phone})
        context.update(phone=phone.strip(), notes=notes[:2000])
    if reply is not None:
        context["reply"] = reply.id
    event(conv, Kind.HANDOFF, actor, at, **context)
    record(conv.brand.organization, actor, AuditAction.CONVERSATION_HANDOFF, obj=conv,
           brand=conv.brand, after=context)
    _touch(conv, at, actor)
    clock.sync(conv, at)
    _save(conv, at)
    return reply


# -- saved views -------------------------------------------------------------------------------


@transaction.atomic
def do_save_view(org: Any, owner: User, *, name: str, base_view: str,
                 filters: dict[str, str], shared: bool, brand: Brand | None,
                 actor: Actor) -> Any:
    """Name the inbox's current filters (private, or shared with the organization's team)."""
    from tertulia.engagement.inbox import VIEWS
    from tertulia.engagement.models import SavedView

    name = name.strip()[:80]
    if not name:
        raise ValidationError(_("Name the view."))
    if base_view not in VIEWS:
        raise ValidationError(_("%(value)s is not an inbox view.") % {"value": base_view})
    view, _created = SavedView.objects.update_or_create(
        organization=org, owner=owner, name=name,
        defaults={"base_view": base_view, "filters": filters, "shared": shared, "brand": brand,
                  "created_at": timezone.now()})
    record(org, actor, AuditAction.SAVED_VIEW_SAVED, obj=view, brand=brand,
           after={"name": name, "shared": shared, "view": base_view, "filters": filters})
    return view


@transaction.atomic
def do_delete_view(view: Any, *, actor: Actor) -> None:
    before = {"name": view.name, "shared": view.shared, "filters": view.filters}
    org = view.organization
    view.delete()
    record(org, actor, AuditAction.SAVED_VIEW_DELETED, before=before)


# -- rules on changes made by a person ----------------------------------------------------------

_updating: ContextVar[bool] = ContextVar("engagement_updating", default=False)


def run_update_rules(conv: Conversation, *, actor: Actor, at: datetime,
                     what: str) -> rules_core.Evaluation | None:
    """After a person changed ``conv`` (flag, tags, status, assignee, priority), run the
    brand's rules with ``event`` = ``updated``; ``conv`` is changed, not saved.

    Loop guard: what these rules change is applied directly, never through the ``do_*``
    actions, so it does not trigger another run; and a run never starts inside another one.
    Changes by rules, the scheduler or the system (no person) do not run them either.
    """
    if actor.user is None or _updating.get():
        return None
    token = _updating.set(True)
    try:
        conf = conf_for(conv.brand_id)
        if not conf.ruleset.entries:
            return None
        last = (ConversationItem.objects.filter(conversation=conv, direction="in")
                .exclude(mention=None).select_related("mention__author")
                .order_by("-created_at").first())
        mention = last.mention if last is not None else None
        query_ids = (MentionMatch.objects.filter(mention=mention, brand_id=conv.brand_id)
                     .values_list("query_id", flat=True)) if mention is not None else []
        facts = facts_for(conv, conf=conf, event="updated", mention=mention,
                          tags=tags_of(conv), query_ids=query_ids)
        evaluation = rules_core.evaluate(conf.ruleset, facts, conf.context(at))
        if evaluation.fired:
            apply_changes(conv, evaluation, conf=conf, now=at,
                          extra={"event": "updated", "after": what, "by": actor.label,
                                 "facts": facts,
                                 "evaluated_at": at.isoformat()})
        return evaluation
    finally:
        _updating.reset(token)


# -- spam hidden on the network -----------------------------------------------------------------

HIDEABLE_KINDS = ("comment", "reply")


def queue_network_hide(conv: Conversation, *, actor: Actor, at: datetime) -> list[int]:
    """The conversation is spam: ask the network to hide the customer's comments on our
    posts, where the network allows it, through the durable outbox (one row per item, written
    before any call; sent after commit). Returns the ids of the rows queued."""
    from tertulia.engagement.models import NetworkModeration
    from tertulia.engagement.outbox import can_hide

    items = list(ConversationItem.objects.filter(
        conversation=conv, direction="in", mention__kind__in=HIDEABLE_KINDS,
    ).select_related("mention"))
    if not items:
        return []
    if not can_hide(conv):
        event(conv, Kind.NETWORK_HIDE_FAILED, actor, at,
              reason=str(_("%(network)s does not let us hide items") % {"network": conv.network}))
        return []
    done = set(NetworkModeration.objects.filter(
        mention_id__in=[i.mention_id for i in items], action="hide",
    ).values_list("mention_id", flat=True))
    rows = [NetworkModeration(organization_id=conv.organization_id, conversation=conv,
                              mention=i.mention, action="hide", idempotency_key=uuid.uuid4().hex,
                              created_by_label=actor.label[:200], created_at=at)
            for i in items if i.mention_id not in done]
    if not rows:
        return []
    NetworkModeration.objects.bulk_create(rows)
    ids = list(NetworkModeration.objects.filter(
        conversation=conv, state=NetworkModeration.State.QUEUED,
        idempotency_key__in=[r.idempotency_key for r in rows]).values_list("id", flat=True))
    event(conv, Kind.NETWORK_HIDE, actor, at, items=[r.mention_id for r in rows])
    from tertulia.engagement.tasks import hide_on_network

    for mod_id in ids:
        transaction.on_commit(lambda mod_id=mod_id: hide_on_network(mod_id))
    return ids


@transaction.atomic
def do_save_approval_settings(brand: Brand, *, enabled: bool, roles: Sequence[str],
                              reply_to_email: str, actor: Actor) -> None:
    from tertulia.engagement.approval import AGENCY
    from tertulia.governance.permissions import Role

    allowed = {str(r) for r in Role} | {AGENCY}
    unknown = sorted(set(roles) - allowed)
    if unknown:
        raise ValidationError(_("Unknown roles: %(roles)s.") % {"roles": ", ".join(unknown)})
    settings = settings_for(brand)
    before = {"replies_need_approval": settings.replies_need_approval,
              "approval_roles": settings.approval_roles,
              "reply_to_email": settings.reply_to_email}
    settings.replies_need_approval = enabled
    settings.approval_roles = sorted(set(roles))
    settings.reply_to_email = reply_to_email.strip()
    settings.save()
    record(brand.organization, actor, AuditAction.ENGAGEMENT_SETTINGS_SAVED, brand=brand,
           before=before, after={"replies_need_approval": enabled,
                                 "approval_roles": settings.approval_roles,
                                 "reply_to_email": settings.reply_to_email})
