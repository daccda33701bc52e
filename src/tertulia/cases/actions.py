"""Every change to cases, leads, articles and satisfaction surveys.

Each public ``do_<verb>_<noun>()`` owns its transaction, writes the case's history
(:class:`CaseEvent`) where there is a case, and an AuditEvent. The survey message leaves
through the inbox's durable outbox (``engagement.actions.do_queue_reply``), so it is sent if
and only if the resolution committed.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from tertulia.cases import surveys
from tertulia.cases.models import (
    Article,
    Case,
    CaseConversation,
    CaseCounter,
    CaseEvent,
    CaseStatus,
    CaseType,
    Department,
    Lead,
    LeadStage,
    Outcome,
    Survey,
    SurveySettings,
)
from tertulia.engagement.models import (
    Conversation,
    ConversationItem,
    Flag,
    Priority,
)
from tertulia.governance.access import can
from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand, Organization, User
from tertulia.governance.permissions import Permission as P
from tertulia.listening.models import MentionMatch

Kind = CaseEvent.Kind
CUSTOMER_ACTOR = Actor.system("customer")
SURVEY_ACTOR = Actor.system("csat")
MAX_TAGS = 20
UNSET: Any = object()
log = logging.getLogger(__name__)

# What a conversation's flag says about the case it becomes.
FLAG_DEPARTMENT = {Flag.GREEN: Department.SALES, Flag.YELLOW: Department.SERVICE,
                   Flag.RED: Department.PR, Flag.NOTE: Department.MARKETING}
FLAG_TYPE = {Flag.GREEN: CaseType.OPPORTUNITY, Flag.YELLOW: CaseType.COMPLAINT,
             Flag.RED: CaseType.INCIDENT, Flag.NOTE: CaseType.FEEDBACK}
HANDOFF_CHANNELS = ("", "phone", "sms", "email", "dm", "in_person")


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _event(case: Case, kind: str, actor: Actor, at: datetime, **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor.user,
                                    actor_label=actor.label[:200], data=data, created_at=at)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("brand__organization").get(id=case.id)


def _snapshot(case: Case) -> dict[str, Any]:
    return {"title": case.title, "type": case.type, "department": case.department,
            "priority": case.priority, "status": case.status, "outcome": case.outcome,
            "owner": case.owner_id}


def _person_label(user: User | None) -> str:
    return user.display_name if user is not None else ""


# -- numbering -------------------------------------------------------------------------------


def next_number(org: Organization) -> int:
    """The organization's next case number, inside the caller's transaction.

    The counter row is created once (a second creator's insert is ignored), then bumped by one
    UPDATE: on PostgreSQL the row lock makes a concurrent bump wait for this transaction and
    re-read the committed value; on SQLite the write lock serializes whole transactions. The
    unique (organization, number) constraint is the last guard either way.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the case's transaction")
    CaseCounter.objects.bulk_create([CaseCounter(organization=org, last_number=0)],
                                    ignore_conflicts=True)
    CaseCounter.objects.filter(organization=org).update(last_number=F("last_number") + 1)
    return CaseCounter.objects.filter(organization=org).values_list("last_number",
                                                                    flat=True).get()


# -- cases -----------------------------------------------------------------------------------


def case_of(conv: Conversation) -> Case | None:
    link = CaseConversation.objects.filter(conversation=conv).select_related("case").first()
    return link.case if link else None


def _check_owner(brand: Brand, owner: User | None) -> None:
    if owner is not None and not can(owner, P.BRAND_CASES_VIEW, brand):
        raise ValidationError(_("%(person)s cannot see this brand's cases.") % {"person": owner})


def _choice(value: str, choices: Any, what: str) -> str:
    if value not in choices.values:
        raise ValidationError(_("%(value)s is not a valid %(what)s.") % {"value": value,
                                                                         "what": what})
    return value


@transaction.atomic
def do_open_case(conv: Conversation, *, actor: Actor, title: str = "", type: str = "",
                 department: str = "", priority: str = "", owner: User | None = None,
                 now: datetime | None = None) -> Case:
    """Make ``conv`` a case. Department, type and priority default to what the conversation's
    flag and priority say; the owner to its assignee, else to the person making it."""
    at = _now(now)
    conv = Conversation.objects.select_for_update(of=("self",)).select_related(
        "brand__organization", "assignee").get(id=conv.id)
    existing = case_of(conv)
    if existing is not None:
        raise ValidationError(_("This conversation already belongs to case %(case)s.")
                              % {"case": existing.label})
    brand = conv.brand
    if owner is None:
        # The person the conversation is assigned to, else whoever makes the case.
        owner = next((u for u in (conv.assignee, actor.user)
                      if u is not None and can(u, P.BRAND_CASES_VIEW, brand)), None)
    _check_owner(brand, owner)
    case = Case.objects.create(
        organization_id=conv.organization_id, brand=brand,
        number=next_number(brand.organization),
        title=(title.strip() or conv.subject or conv.preview or _("Conversation on %(network)s")
               % {"network": conv.network})[:300],
        type=_choice(type, CaseType, _("type")) if type else FLAG_TYPE.get(
            conv.flag, CaseType.QUESTION),
        department=_choice(department, Department, _("department")) if department
        else FLAG_DEPARTMENT.get(conv.flag, Department.SERVICE),
        priority=_choice(priority, Priority, _("priority")) if priority else conv.priority,
        customer_id=conv.customer_id, owner=owner, created_by=actor.user, created_at=at,
        updated_at=at,
    )
    CaseConversation.objects.create(case=case, conversation=conv, linked_by=actor.user,
                                    linked_at=at)
    _event(case, Kind.CREATED, actor, at, conversation=conv.id, network=conv.network,
           channel=conv.channel, department=case.department, owner=_person_label(owner))
    record(brand.organization, actor, AuditAction.CASE_OPENED, obj=case, brand=brand,
           after={**_snapshot(case), "number": case.number, "conversation": conv.id})
    return case


@transaction.atomic
def do_link_conversation(case: Case, conv: Conversation, *, actor: Actor,
                         now: datetime | None = None) -> CaseConversation:
    """Add a conversation of the same brand (any network or channel) to the case."""
    at = _now(now)
    case = _locked(case)
    if conv.brand_id != case.brand_id:
        raise ValidationError(_("Only conversations of %(brand)s can join this case.")
                              % {"brand": case.brand.name})
    current = CaseConversation.objects.filter(conversation=conv).select_related("case").first()
    if current is not None:
        if current.case_id == case.id:
            return current
        raise ValidationError(_("Conversation #%(n)s already belongs to case %(case)s.")
                              % {"n": conv.number, "case": current.case.label})
    link = CaseConversation.objects.create(case=case, conversation=conv, linked_by=actor.user,
                                           linked_at=at)
    if case.customer_id is None and conv.customer_id:
        case.customer_id = conv.customer_id
    case.updated_at = at
    case.save()
    _event(case, Kind.LINKED, actor, at, conversation=conv.id, network=conv.network,
           channel=conv.channel)
    record(case.brand.organization, actor, AuditAction.CASE_LINKED, obj=case, brand=case.brand,
           after={"conversation": conv.id, "network": conv.network})
    return link


@transaction.atomic
def do_unlink_conversation(case: Case, conv: Conversation, *, actor: Actor,
                           now: datetime | None = None) -> None:
    at = _now(now)
    case = _locked(case)
    link = CaseConversation.objects.filter(case=case, conversation=conv).first()
    if link is None:
        raise ValidationError(_("That conversation is not in this case."))
    if case.links.count() == 1:
        raise ValidationError(_("A case keeps at least one conversation."))
    link.delete()
    case.updated_at = at
    case.save()
    _event(case, Kind.UNLINKED, actor, at, conversation=conv.id, network=conv.network)
    record(case.brand.organization, actor, AuditAction.CASE_UNLINKED, obj=case,
           brand=case.brand, before={"conversation": conv.id})


@transaction.atomic
def do_update_case(case: Case, *, actor: Actor, title: str | None = None,
                   type: str | None = None, department: str | None = None,
                   priority: str | None = None, owner: Any = UNSET, context: str = "",
                   now: datetime | None = None) -> Case:
    """Change what is given; a new department or owner is a handoff, with ``context``."""
    at = _now(now)
    case = _locked(case)
    before = _snapshot(case)
    if title is not None:
        title = title.strip()[:300]
        if not title:
            raise ValidationError(_("A case needs a title."))
        if title != case.title:
            _event(case, Kind.TITLE, actor, at, **{"from": case.title, "to": title})
            case.title = title
    if type is not None and type != case.type:
        _event(case, Kind.TYPE, actor, at, **{"from": case.type,
                                              "to": _choice(type, CaseType, _("type"))})
        case.type = type
    if priority is not None and priority != case.priority:
        _event(case, Kind.PRIORITY, actor, at, **{"from": case.priority,
                                                  "to": _choice(priority, Priority,
                                                                _("priority"))})
        case.priority = priority
    if department is not None and department != case.department:
        _choice(department, Department, _("department"))
        _event(case, Kind.DEPARTMENT, actor, at, context=context.strip()[:2000],
               **{"from": case.department, "to": department})
        case.department = department
    if owner is not UNSET and owner != case.owner:
        _check_owner(case.brand, owner)
        _event(case, Kind.OWNER, actor, at, context=context.strip()[:2000],
               **{"from": _person_label(case.owner), "to": _person_label(owner)})
        case.owner = owner
    after = _snapshot(case)
    if after != before:
        case.updated_at = at
        case.save()
        record(case.brand.organization, actor, AuditAction.CASE_CHANGED, obj=case,
               brand=case.brand, before=before, after=after)
    return case


@transaction.atomic
def do_handoff_case(case: Case, *, actor: Actor, context: str, department: str | None = None,
                    owner: Any = UNSET, channel: str = "",
                    now: datetime | None = None) -> Case:
    """Hand the case to another department, person or channel (a phone call, an SMS, an
    e-mail), saying why and what the next person needs to know."""
    at = _now(now)
    context = context.strip()
    if not context:
        raise ValidationError(_("Say what the next person needs to know (context)."))
    if channel not in HANDOFF_CHANNELS:
        raise ValidationError(_("%(value)s is not a channel to hand off to.") % {
            "value": channel})
    case = _locked(case)
    if department is not None:
        _choice(department, Department, _("department"))
    if owner is not UNSET:
        _check_owner(case.brand, owner)
    before = _snapshot(case)
    data: dict[str, Any] = {"context": context[:2000], "channel": channel,
                            "from_department": case.department,
                            "from_owner": _person_label(case.owner)}
    if department is not None:
        case.department = department
    if owner is not UNSET:
        case.owner = owner
    data.update(to_department=case.department, to_owner=_person_label(case.owner))
    case.updated_at = at
    case.save()
    _event(case, Kind.HANDOFF, actor, at, **data)
    record(case.brand.organization, actor, AuditAction.CASE_HANDOFF, obj=case, brand=case.brand,
           before=before, after={**_snapshot(case), "channel": channel, "context": context})
    return case


# (from, to) moves a case may make; closed is final.
_MOVES = {
    (CaseStatus.OPEN, CaseStatus.PENDING), (CaseStatus.PENDING, CaseStatus.OPEN),
    (CaseStatus.OPEN, CaseStatus.RESOLVED), (CaseStatus.PENDING, CaseStatus.RESOLVED),
    (CaseStatus.RESOLVED, CaseStatus.OPEN), (CaseStatus.RESOLVED, CaseStatus.CLOSED),
    (CaseStatus.OPEN, CaseStatus.CLOSED), (CaseStatus.PENDING, CaseStatus.CLOSED),
}


@transaction.atomic
def do_set_case_status(case: Case, status: str, *, actor: Actor, outcome: str = "",
                       now: datetime | None = None) -> Case:
    """Move the case. Resolving records the outcome (``solved`` unless said) and, when the
    brand asks for it, sends the satisfaction survey once; reopening keeps the history."""
    at = _now(now)
    case = _locked(case)
    _choice(status, CaseStatus, _("status"))
    if outcome:
        _choice(outcome, Outcome, _("outcome"))
    if status == case.status:
        if outcome and outcome != case.outcome and status in (CaseStatus.RESOLVED,
                                                              CaseStatus.CLOSED):
            before = _snapshot(case)
            case.outcome, case.updated_at = outcome, at
            case.save()
            _event(case, Kind.STATUS, actor, at, outcome=outcome)
            record(case.brand.organization, actor, AuditAction.CASE_CHANGED, obj=case,
                   brand=case.brand, before=before, after=_snapshot(case))
        return case
    if (case.status, status) not in _MOVES:
        raise ValidationError(_("A %(from)s case cannot become %(to)s.") % {
            "from": CaseStatus(case.status).label, "to": CaseStatus(status).label})
    before = _snapshot(case)
    previous = case.status
    case.status, case.updated_at = status, at
    if status == CaseStatus.RESOLVED:
        case.outcome = outcome or case.outcome or Outcome.SOLVED
        case.resolved_at = at
        _event(case, Kind.RESOLVED, actor, at, outcome=case.outcome, **{"from": previous})
    elif status == CaseStatus.CLOSED:
        case.outcome = outcome or case.outcome
        case.closed_at = at
        _event(case, Kind.STATUS, actor, at, outcome=case.outcome,
               **{"from": previous, "to": status})
    elif previous == CaseStatus.RESOLVED:
        case.resolved_at = None
        _event(case, Kind.REOPENED, actor, at, **{"from": previous, "to": status})
    else:
        _event(case, Kind.STATUS, actor, at, **{"from": previous, "to": status})
    case.save()
    record(case.brand.organization, actor,
           AuditAction.CASE_RESOLVED if status == CaseStatus.RESOLVED
           else AuditAction.CASE_CHANGED, obj=case, brand=case.brand, before=before,
           after=_snapshot(case))
    if status == CaseStatus.RESOLVED:
        _maybe_send_survey(case, actor, at)
    return case


# -- satisfaction surveys --------------------------------------------------------------------


def survey_settings(brand: Brand) -> SurveySettings:
    found = SurveySettings.objects.filter(brand=brand).first()
    return found or SurveySettings(brand=brand)


@transaction.atomic
def do_save_survey_settings(brand: Brand, *, enabled: bool, valid_days: int,
                            actor: Actor) -> SurveySettings:
    if not 1 <= valid_days <= 90:
        raise ValidationError(_("A survey link stays valid 1 to 90 days, not %(n)s.")
                              % {"n": valid_days})
    row = survey_settings(brand)
    before = {"enabled": row.enabled, "valid_days": row.valid_days}
    row.enabled, row.valid_days = enabled, valid_days
    row.save()
    record(brand.organization, actor, AuditAction.CSAT_SETTINGS_SAVED, brand=brand,
           before=before, after={"enabled": enabled, "valid_days": valid_days})
    return row


def _survey_conversation(case: Case) -> Conversation | None:
    """The linked conversation the customer wrote in last: the survey goes back there."""
    return (Conversation.objects.filter(case_link__case=case).exclude(status="closed")
            .select_related("brand__organization", "customer")
            .order_by("-last_customer_message_at", "-id").first())


def survey_url(survey: Survey) -> str:
    return settings.BASE_URL + reverse("cases:survey", args=[surveys.make_token(survey)])


def survey_text(survey: Survey, customer_name: str) -> str:
    with override(survey.language):
        return _("Hi %(name)s, we resolved your case %(case)s. How did we do? Rate us from 1 "
                 "to 5: %(url)s") % {"name": customer_name or "", "case": survey.case.label,
                                     "url": survey_url(survey)}


def _maybe_send_survey(case: Case, actor: Actor, at: datetime) -> Survey | None:
    """Send the survey once per case, if the brand wants it and a conversation can carry it.
    A refusal by the network's rules is recorded on the case; the resolution stands."""
    config = survey_settings(case.brand)
    if not config.enabled or Survey.objects.filter(case=case).exists():
        return None
    conv = _survey_conversation(case)
    if conv is None:
        _event(case, Kind.CSAT_SENT, SURVEY_ACTOR, at, sent=False,
               reason="no open conversation to send it through")
        return None
    from tertulia.engagement import actions as inbox

    language = conv.language if conv.language in ("es", "en") else case.brand.language
    survey = Survey.objects.create(
        organization_id=case.organization_id, brand=case.brand, case=case, conversation=conv,
        agent=case.owner or conv.assignee or actor.user, nonce=secrets.token_hex(16),
        language=language, sent_at=at, expires_at=at + timedelta(days=config.valid_days))
    name = conv.customer.name if conv.customer else ""
    try:
        with transaction.atomic():
            reply = inbox.do_queue_reply(
                conv, survey_text(survey, name), actor=SURVEY_ACTOR,
                private=conv.kind == "dm" or conv.network == "email", confirm_duplicate=True,
                template_key="csat-survey", now=at)
    except ValidationError as error:
        _event(case, Kind.CSAT_SENT, SURVEY_ACTOR, at, sent=False,
               reason="; ".join(error.messages)[:500], conversation=conv.id)
        log.info("survey of case %s not sent: %s", case.id, error.messages)
        return survey
    survey.reply = reply
    survey.save(update_fields=["reply"])
    _event(case, Kind.CSAT_SENT, SURVEY_ACTOR, at, sent=True, conversation=conv.id,
           reply=reply.id)
    record(case.brand.organization, actor, AuditAction.CSAT_SENT, obj=survey, brand=case.brand,
           after={"case": case.number, "conversation": conv.id,
                  "expires_at": survey.expires_at.isoformat()})
    return survey


class SurveyClosed(ValidationError):
    """The survey was answered already, or its link expired."""


MAX_COMMENT = 2000


@transaction.atomic
def do_answer_survey(survey: Survey, score: object, comment: str, *,
                     now: datetime | None = None) -> Survey:
    """The customer's answer: a score 1–5 and an optional comment, accepted once, before the
    link expires. Stored as typed; pages show it escaped."""
    at = _now(now)
    survey = Survey.objects.select_for_update().select_related("case", "brand__organization"
                                                                ).get(id=survey.id)
    if survey.answered_at is not None:
        raise SurveyClosed(_("We already have your answer. Thank you!"))
    if at >= survey.expires_at:
        raise SurveyClosed(_("This survey link has expired."))
    try:
        value = int(str(score).strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError(_("Choose a score from 1 to 5."))
    comment = (comment or "").replace("\x00", "").strip()[:MAX_COMMENT]
    survey.score, survey.comment, survey.answered_at = value, comment, at
    survey.save(update_fields=["score", "comment", "answered_at"])
    _event(survey.case, Kind.CSAT_ANSWERED, CUSTOMER_ACTOR, at, score=value,
           comment=bool(comment))
    record(survey.brand.organization, CUSTOMER_ACTOR, AuditAction.CSAT_ANSWERED, obj=survey,
           brand=survey.brand, after={"case": survey.case.number, "score": value})
    return survey


# -- leads -----------------------------------------------------------------------------------


def _money(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValidationError(_("%(value)s is not an amount; write it like 1250.50.")
                              % {"value": value}) from error
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ValidationError(_("%(value)s is not an amount between 0 and 999,999,999,999.")
                              % {"value": value})
    return amount.quantize(Decimal("0.01"))


def _currency(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValidationError(_("%(value)s is not a currency code; use three letters such as "
                                "EUR or USD.") % {"value": value})
    return code


def _lead_snapshot(lead: Lead) -> dict[str, Any]:
    return {"stage": lead.stage, "value": str(lead.value) if lead.value is not None else None,
            "currency": lead.currency, "owner": lead.owner_id, "crm_ref": lead.crm_ref}


@transaction.atomic
def do_open_lead(conv: Conversation, *, actor: Actor, owner: User | None = None,
                 value: object = None, currency: str = "EUR",
                 now: datetime | None = None) -> Lead:
    """A green-flag (sales) conversation becomes a lead. Its source is the conversation's
    network, the conversation, and the query that found it when listening did."""
    at = _now(now)
    conv = Conversation.objects.select_for_update(of=("self",)).select_related(
        "brand__organization", "customer", "assignee").get(id=conv.id)
    if conv.flag != Flag.GREEN:
        raise ValidationError(_("Only a green-flag (sales) conversation becomes a lead; flag "
                                "it green first."))
    if Lead.objects.filter(conversation=conv).exists():
        raise ValidationError(_("This conversation is a lead already."))
    owner = owner if owner is not None else conv.assignee
    if owner is not None and not can(owner, P.BRAND_LEADS_VIEW, conv.brand):
        raise ValidationError(_("%(person)s cannot see this brand's leads.") % {"person": owner})
    first_in = (ConversationItem.objects.filter(conversation=conv, direction="in")
                .exclude(mention=None).order_by("created_at", "id").first())
    query_id = None
    if first_in is not None:
        query_id = (MentionMatch.objects.filter(mention_id=first_in.mention_id,
                                                brand_id=conv.brand_id)
                    .order_by("id").values_list("query_id", flat=True).first())
    case = case_of(conv)
    lead = Lead.objects.create(
        organization_id=conv.organization_id, brand=conv.brand, conversation=conv, case=case,
        customer=conv.customer, name=((conv.customer.name if conv.customer else "")
                                      or conv.subject or conv.preview or conv.network)[:300],
        source_network=conv.network, source_query_id=query_id, owner=owner,
        value=_money(value), currency=_currency(currency),
        origin_at=first_in.created_at if first_in else conv.created_at,
        created_by=actor.user, created_at=at, updated_at=at,
    )
    if case is not None:
        _event(case, Kind.LEAD, actor, at, lead=lead.id)
    record(conv.brand.organization, actor, AuditAction.LEAD_CREATED, obj=lead, brand=conv.brand,
           after={**_lead_snapshot(lead), "conversation": conv.id,
                  "network": lead.source_network, "query": query_id})
    return lead


_STAGE_ORDER = {s: i for i, s in enumerate(LeadStage.values)}


@transaction.atomic
def do_update_lead(lead: Lead, *, actor: Actor, stage: str | None = None,
                   value: object = UNSET, currency: str | None = None, owner: Any = UNSET,
                   crm_ref: str | None = None, now: datetime | None = None) -> Lead:
    """Move the lead through its stages and keep its value, owner and CRM reference."""
    at = _now(now)
    lead = Lead.objects.select_for_update().select_related("brand__organization").get(id=lead.id)
    before = _lead_snapshot(lead)
    if stage is not None and stage != lead.stage:
        _choice(stage, LeadStage, _("stage"))
        lead.stage = stage
        if stage != LeadStage.NEW and lead.contacted_at is None:
            lead.contacted_at = at
        lead.closed_at = at if stage in (LeadStage.WON, LeadStage.LOST) else None
    if value is not UNSET:
        lead.value = _money(value)
    if currency is not None:
        lead.currency = _currency(currency)
    if owner is not UNSET:
        if owner is not None and not can(owner, P.BRAND_LEADS_VIEW, lead.brand):
            raise ValidationError(_("%(person)s cannot see this brand's leads.")
                                  % {"person": owner})
        lead.owner = owner
    if crm_ref is not None:
        lead.crm_ref = crm_ref.strip()[:120]
    after = _lead_snapshot(lead)
    if after != before:
        lead.updated_at = at
        lead.save()
        record(lead.brand.organization, actor, AuditAction.LEAD_UPDATED, obj=lead,
               brand=lead.brand, before=before, after=after)
    return lead


# -- knowledge base --------------------------------------------------------------------------


def _tags(tags: list[str] | str) -> list[str]:
    raw = tags.split(",") if isinstance(tags, str) else tags
    out: list[str] = []
    for tag in raw:
        tag = str(tag).strip().lstrip("#")[:40]
        if tag and tag.casefold() not in {t.casefold() for t in out}:
            out.append(tag)
    return out[:MAX_TAGS]


def _article_snapshot(article: Article) -> dict[str, Any]:
    return {"title": article.title, "language": article.language, "tags": article.tags,
            "published": article.published, "chars": len(article.body)}


@transaction.atomic
def do_save_article(brand: Brand, *, actor: Actor, title: str, body: str, language: str,
                    tags: list[str] | str = (), published: bool = False,
                    article: Article | None = None, now: datetime | None = None) -> Article:
    at = _now(now)
    title, body = title.strip()[:200], body.strip()
    if not title:
        raise ValidationError(_("An article needs a title."))
    if not body:
        raise ValidationError(_("An article needs some text."))
    if language not in ("es", "en"):
        raise ValidationError(_("%(value)s is not a language of the knowledge base (es, en).")
                              % {"value": language})
    if article is not None and article.brand_id != brand.id:
        raise ValidationError(_("That article belongs to another brand."))
    before = _article_snapshot(article) if article is not None else None
    article = article or Article(organization_id=brand.organization_id, brand=brand,
                                 created_by=actor.user, created_at=at)
    article.title, article.body, article.language = title, body[:100_000], language
    article.tags, article.published, article.updated_at = _tags(list(tags) if not isinstance(
        tags, str) else tags), published, at
    article.save()
    record(brand.organization, actor, AuditAction.ARTICLE_SAVED, obj=article, brand=brand,
           before=before, after=_article_snapshot(article))
    return article


@transaction.atomic
def do_delete_article(article: Article, *, actor: Actor) -> None:
    brand = article.brand
    before = _article_snapshot(article)
    article.delete()
    record(brand.organization, actor, AuditAction.ARTICLE_DELETED, brand=brand, before=before)


@transaction.atomic
def do_promote_item(item: ConversationItem, *, actor: Actor, title: str = "",
                    now: datetime | None = None) -> Article:
    """A forum or community answer becomes a draft article in one step: the question (the
    conversation's subject) is the title, the answer the body, quoted from its source."""
    at = _now(now)
    item = ConversationItem.objects.select_related(
        "conversation__brand__organization", "mention", "reply").get(id=item.id)
    conv = item.conversation
    text = item.mention.text if item.mention_id else (item.reply.text if item.reply_id else "")
    if not text.strip():
        raise ValidationError(_("That message has no text to turn into an article."))
    question = (ConversationItem.objects.filter(conversation=conv, direction="in")
                .exclude(mention=None).select_related("mention").order_by("created_at", "id")
                .first())
    source_title = ""
    if question is not None and question.id != item.id:
        source_title = question.mention.title or question.mention.text
    title = (title.strip() or source_title or conv.subject or text)[:200].strip()
    link = item.mention.url if item.mention_id and item.mention.url else ""
    body = text.strip()
    if link:
        body += "\n\n" + (_("Source: %(url)s") % {"url": link})
    language = (item.mention.language if item.mention_id else "") or conv.language
    language = language if language in ("es", "en") else conv.brand.language
    article = Article.objects.create(
        organization_id=conv.organization_id, brand=conv.brand, language=language,
        title=title.splitlines()[0][:200] if title else _("Untitled answer"), body=body,
        tags=_tags([conv.network]), published=False, source_item=item, created_by=actor.user,
        created_at=at, updated_at=at)
    record(conv.brand.organization, actor, AuditAction.ARTICLE_PROMOTED, obj=article,
           brand=conv.brand, after={**_article_snapshot(article), "item": item.id,
                                    "conversation": conv.id})
    return article
