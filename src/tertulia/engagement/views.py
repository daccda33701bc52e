"""The inbox pages: the list (all brands or one), a conversation, the supervisor's view, live
updates, and a brand's inbox settings (rules, SLAs, hours, guideline, templates).

Views parse and render; every change goes through ``actions``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tertulia.engagement import actions, inbox, outbox
from tertulia.engagement import templates as templates_core
from tertulia.engagement.access import (
    access_conversation,
    access_held_reply,
    access_rule,
    access_saved_view,
    access_template,
)
from tertulia.engagement.brandconf import settings_for
from tertulia.engagement.dryrun import dry_run
from tertulia.engagement.forms import (
    ApprovalSettingsForm,
    GuidelineForm,
    HoursForm,
    InboxFilterForm,
    RuleForm,
    SlaPolicyForm,
    TemplateForm,
)
from tertulia.engagement.models import (
    Conversation,
    ConversationItem,
    ConversationStatus,
    ConversationViewer,
    Flag,
    GuidelineEntry,
    Note,
    Notification,
    Priority,
    Queue,
    Reply,
    ReplyTemplate,
    Rule,
    SavedView,
    SlaPolicy,
    SlaState,
)
from tertulia.governance.access import can
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand, Organization, Team, User
from tertulia.governance.permissions import Permission as P
from tertulia.listening.models import Mention
from tertulia.web.routing import brand_route, org_route, post_only

VIEWER_TTL = timedelta(seconds=30)


def _actor(request: HttpRequest, org: Organization) -> Actor:
    return Actor.from_request(request, org)


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


# -- the inbox list ------------------------------------------------------------------------


def _row_urls(org: Organization) -> dict[str, str]:
    """Reversed once per page rather than once per row (50 rows, several links each)."""
    return {"conv_prefix": reverse("engagement:conversation", args=[org.slug, 1])[:-2],
            "bulk_url": reverse("engagement:bulk", args=[org.slug])}


def _saved_views(request: HttpRequest, org: Organization) -> list[SavedView]:
    return list(SavedView.objects.filter(Q(owner=request.user) | Q(shared=True),
                                         organization=org).select_related("owner"))


def _saved_counts(request: HttpRequest, scope: inbox.Scope,
                  saved: list[SavedView]) -> dict[int, int | None]:
    """One capped count per saved view, each on the same indexes as the built-in views."""
    out: dict[int, int | None] = {}
    choices = InboxFilterForm.assignee_choices(scope) if saved else []
    for view in saved:
        form = InboxFilterForm(view.filters, scope=scope, assignee_choices=choices)
        out[view.id] = inbox.capped_count(inbox.apply_view(inbox.apply_filters(
            inbox.base_queryset(scope), form.cleaned_data, request.user), view.base_view,
            request.user)) if form.is_valid() else None
    return out


def _inbox(request: HttpRequest, org: Organization, brand: Brand | None) -> HttpResponse:
    scope = inbox.inbox_scope(request.user, org, brand)
    params = request.GET
    saved_raw = request.GET.get("saved", "")
    current_saved = None
    if saved_raw.isdigit():
        current_saved = access_saved_view(request.user, org, int(saved_raw))
        params = QueryDict(mutable=True)
        params.update({k: str(v) for k, v in current_saved.filters.items()})
        params["view"] = current_saved.base_view
        for key in ("before", "fragment"):
            if key in request.GET:
                params[key] = request.GET[key]
    form = InboxFilterForm(params or None, scope=scope)
    if current_saved is not None and not form.is_valid():
        raise Http404("This saved view names filters you cannot use.")
    data = form.data_or_empty()
    view = form.view_name
    saved = _saved_views(request, org)
    if request.GET.get("fragment") == "counts":
        without_view = request.GET.copy()
        for key in ("view", "fragment", "before", "saved"):
            without_view.pop(key, None)
        counts = inbox.view_counts(scope, request.user, data)
        return render(request, "engagement/_views.html", {
            "views": [(n, label, counts.get(n)) for n, (label, _f) in inbox.VIEWS.items()],
            "view": view, "view_query": without_view.urlencode(),
            "count_cap": inbox.COUNT_CAP, "current_saved": current_saved})
    if request.GET.get("fragment") == "saved_counts":
        # Its own request, so many saved views never delay the built-in counts.
        saved_counts = _saved_counts(request, scope, saved)
        return render(request, "engagement/_saved_views.html", {
            "saved": [(v, saved_counts.get(v.id)) for v in saved],
            "count_cap": inbox.COUNT_CAP, "current_saved": current_saved,
            "base_url": request.path})
    qs = inbox.apply_view(inbox.apply_filters(inbox.base_queryset(scope), data, request.user),
                          view, request.user)
    rows, cursor = inbox.page(qs, request.GET.get("before"))
    actions.note_activity(request.user)
    query = request.GET.copy()
    query.pop("before", None)
    filter_query = params.copy() if hasattr(params, "copy") else QueryDict(mutable=True)
    for key in ("before", "fragment", "saved"):
        filter_query.pop(key, None)
    replyable = {b.id for b in scope.brands if can(request.user, P.BRAND_INBOX_REPLY, b)}
    context = {
        "org": org, "brand": brand, "section": "inbox", "form": form, "rows": rows,
        "next_cursor": cursor, "query": query.urlencode(), "view": view,
        "replyable": replyable, "flags": Flag.choices, **_row_urls(org),
        "live_url": reverse("engagement:live", args=[org.slug]),
        # The newest item of any tenant: one step down the primary key; the live stream
        # filters by organization and brand itself.
        "last_item": ConversationItem.objects.aggregate(m=Max("id"))["m"] or 0,
    }
    if request.GET.get("fragment") == "rows":
        return render(request, "engagement/_rows.html", context)
    without_view = query.copy()
    without_view.pop("view", None)
    without_view.pop("fragment", None)
    without_view.pop("saved", None)
    # Counts come in a second request (htmx, on load): the first page never waits for them.
    context.update({
        "views": [(name, label, None) for name, (label, _f) in inbox.VIEWS.items()],
        "view_query": without_view.urlencode(), "count_cap": inbox.COUNT_CAP,
        "saved": [(v, None) for v in saved], "current_saved": current_saved,
        "filter_query": filter_query.urlencode(), "base_url": request.path,
        "awaiting": Reply.objects.filter(organization=org, state=Reply.State.AWAITING,
                                         brand_id__in=scope.brand_ids).count()
        if any(can(request.user, P.BRAND_INBOX_APPROVE, b) for b in scope.brands) else 0,
        "filter_fields": form.light_fields(skip=("brand",) if brand else ()),
        "unread": Notification.objects.filter(user=request.user, organization=org,
                                              read_at=None).count(),
        "brands": scope.brands, "can_bulk": bool(replyable),
        "people": User.objects.filter(memberships__organization=org,
                                      is_active=True).distinct(),
    })
    return render(request, "engagement/inbox.html", context)


@org_route(P.BRAND_INBOX_VIEW)
def inbox_all(request: HttpRequest, org: Organization) -> HttpResponse:
    """Every conversation of every brand the person may see."""
    return _inbox(request, org, None)


@brand_route(P.BRAND_INBOX_VIEW)
def inbox_brand(request: HttpRequest, brand: Brand) -> HttpResponse:
    return _inbox(request, brand.organization, brand)


def _editable(request: HttpRequest, org: Organization, ids: list[int]) -> list[Conversation]:
    """The conversations among ``ids`` the person may work on (others are skipped)."""
    scope = inbox.inbox_scope(request.user, org)
    allowed = [b.id for b in scope.brands if can(request.user, P.BRAND_INBOX_REPLY, b)]
    return list(Conversation.objects.filter(organization=org, id__in=ids,
                                            brand_id__in=allowed).select_related("brand"))


@org_route(P.BRAND_INBOX_REPLY)
@post_only
def bulk(request: HttpRequest, org: Organization) -> HttpResponse:
    """Assign, flag, close, resolve or tag the selected conversations."""
    ids = [int(i) for i in request.POST.getlist("conversation") if i.isdigit()][:500]
    action = request.POST.get("action", "")
    value = request.POST.get("value", "").strip()
    default = reverse("engagement:inbox", args=[org.slug])
    if not ids or action not in actions.BULK_ACTIONS:
        messages.error(request, _("Select at least one conversation and an action."))
        return redirect(_back(request, default))
    assignee = None
    if action == "assign":
        if value == "me":
            assignee = request.user
        elif value.isdigit():
            assignee = User.objects.filter(id=int(value)).first()
    conversations = _editable(request, org, ids)
    done = actions.do_bulk(conversations, action, value, actor=_actor(request, org),
                           assignee=assignee)
    if request.htmx and len(ids) == 1 and conversations:  # a keyboard shortcut on one row
        conv = Conversation.objects.select_related("brand", "customer", "assignee",
                                                   "team").get(id=conversations[0].id)
        inbox._attach_tags([conv])
        return render(request, "engagement/_row.html", {
            "c": conv, "org": org, "replyable": {conv.brand_id}, "flags": Flag.choices,
            "changed": True, **_row_urls(org)})
    messages.success(request, _("%(n)s of %(total)s conversations changed.")
                     % {"n": done, "total": len(ids)})
    return redirect(_back(request, default))


LIVE_POLL_S = 1.0
LIVE_MAX_S = 600


def _new_items(org_id: int, brand_ids: list[int] | None, last_id: int) -> tuple[int, int]:
    rows = ConversationItem.objects.filter(id__gt=last_id, direction="in",
                                           conversation__organization_id=org_id)
    if brand_ids is not None:
        rows = rows.filter(conversation__brand_id__in=brand_ids)
    found = rows.aggregate(n=Count("id"), last=Max("id"))
    return found["n"] or 0, found["last"] or last_id


@org_route(P.BRAND_INBOX_VIEW)
def live(request: HttpRequest, org: Organization) -> StreamingHttpResponse:
    """Server-Sent Events: tells an open inbox that customers wrote. It reads the database,
    so it works the same with one process or many, SQLite or PostgreSQL."""
    raw = request.GET.get("last_item", "0")
    last_id = int(raw) if raw.isdigit() else 0
    scope = inbox.inbox_scope(request.user, org)
    brand_ids = None if scope.everything else scope.brand_ids
    org_id = org.id
    poll_s = float(request.GET.get("poll", LIVE_POLL_S)) if settings.TESTING else LIVE_POLL_S

    def step() -> str:
        nonlocal last_id
        count, newest = _new_items(org_id, brand_ids, last_id)
        if not count:
            return ": keep-alive\n\n"
        last_id = newest
        return f"event: inbox\ndata: {json.dumps({'new': count, 'last_item': newest})}\n\n"

    async def events() -> AsyncIterator[str]:  # under ASGI (uvicorn): no thread held
        yield "retry: 3000\n\n"
        loop = asyncio.get_running_loop()
        started = loop.time()
        while loop.time() - started < LIVE_MAX_S:
            yield await sync_to_async(step)()
            await asyncio.sleep(poll_s)

    def sync_events() -> Iterator[str]:
        # Under WSGI an async iterator would be read to its end before the first byte is
        # sent (and hold a worker thread for LIVE_MAX_S): stream from this thread instead.
        yield "retry: 3000\n\n"
        started = time.monotonic()
        while time.monotonic() - started < LIVE_MAX_S:
            yield step()
            time.sleep(poll_s)

    stream = events() if isinstance(request, ASGIRequest) else sync_events()
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@org_route(P.BRAND_INBOX_VIEW)
def supervisor(request: HttpRequest, org: Organization) -> HttpResponse:
    """Conversations past or near their SLA, the most urgent first, and the load per person."""
    scope = inbox.inbox_scope(request.user, org)
    active = inbox.base_queryset(scope).filter(queue__in=[Queue.OPEN, Queue.PENDING,
                                                          Queue.SNOOZED])
    late = active.filter(sla_state__in=[SlaState.BREACHED, SlaState.WARNING])
    rows = list(late.select_related("brand", "customer", "assignee", "team")
                .order_by("sla_due_at", "id")[:200])
    inbox._attach_tags(rows)
    per_brand = late.values("brand__name", "sla_state").annotate(n=Count("id")).order_by(
        "brand__name", "sla_state")
    load = active.filter(queue=Queue.OPEN).values("assignee__email", "assignee__full_name"
                                                  ).annotate(n=Count("id"),
                                                             late=Count("id", filter=Q(
                                                                 sla_state=SlaState.BREACHED))
                                                             ).order_by("-n")[:50]
    return render(request, "engagement/supervisor.html", {
        "org": org, "section": "inbox", "rows": rows, "per_brand": per_brand, "load": load,
        "replyable": set(), "flags": Flag.choices, "now": timezone.now(), **_row_urls(org),
    })


@org_route(P.BRAND_INBOX_VIEW)
def notifications(request: HttpRequest, org: Organization) -> HttpResponse:
    rows = list(Notification.objects.filter(user=request.user, organization=org)
                .select_related("conversation").order_by("-created_at")[:100])
    Notification.objects.filter(user=request.user, organization=org, read_at=None).update(
        read_at=timezone.now())
    return render(request, "engagement/notifications.html", {
        "org": org, "section": "inbox", "rows": rows})


# -- one conversation ------------------------------------------------------------------------


def _templates_for(conv: Conversation, agent: User) -> list[dict[str, Any]]:
    values = actions.template_values(conv, agent.display_name)
    rows = sorted(ReplyTemplate.objects.filter(brand_id=conv.brand_id),
                  key=lambda t: (t.flag != conv.flag, t.language != conv.language,
                                 t.flag == "", t.name))
    out = []
    for t in rows:
        try:
            text = templates_core.render(t.body, values)
        except templates_core.TemplateMissingValue:
            text = t.body  # leave the {placeholders} for the agent to fill in
        except templates_core.TemplateError:
            continue
        out.append({"key": t.key, "label": f"{t.name} ({t.language})", "text": text,
                    "suggested": t.flag == conv.flag and t.language == conv.language})
    return out


def _thread(conv: Conversation) -> list[ConversationItem]:
    return list(ConversationItem.objects.filter(conversation=conv)
                .select_related("mention__author", "reply").order_by("created_at", "id"))


def _viewers(conv: Conversation, user: User, now: datetime) -> list[ConversationViewer]:
    return list(ConversationViewer.objects.filter(conversation=conv,
                                                  seen_at__gte=now - VIEWER_TTL)
                .exclude(user=user).select_related("user"))


def _conversation_page(request: HttpRequest, conv: Conversation, *, status: int = 200,
                       reply_error: list[str] | None = None, duplicate: str = "",
                       draft: dict[str, Any] | None = None) -> HttpResponse:
    now = timezone.now()
    brand = conv.brand
    org = brand.organization
    can_reply = can(request.user, P.BRAND_INBOX_REPLY, brand)
    history = list(conv.events.select_related("actor").order_by("-created_at", "-id")[:200])
    earlier = []
    if conv.customer_id:
        earlier = list(Conversation.objects.filter(
            customer_id=conv.customer_id, organization=org,
            brand_id__in=inbox.inbox_scope(request.user, org).brand_ids,
        ).exclude(id=conv.id).select_related("brand").order_by("-last_message_at")[:20])
    handles = []
    if conv.customer_id:
        handles = list(conv.customer.handles.select_related("author"))
    problems = []
    if draft and draft.get("text"):
        problems = actions.check_reply(conv, draft["text"], private=draft.get("private", False))
    context = {
        "org": org, "brand": brand, "c": conv, "section": "inbox", "items": _thread(conv),
        "notes": list(Note.objects.filter(conversation=conv).select_related("author")
                      .order_by("created_at")),
        "history": history, "earlier": earlier, "handles": handles,
        "can_reply": can_reply, "flags": Flag.choices, "priorities": Priority.choices,
        "statuses": ConversationStatus.choices,
        "people": actions.inbox_people(brand) if can_reply else [],
        "teams": Team.objects.filter(organization=org),
        "templates": _templates_for(conv, request.user) if can_reply else [],
        "guideline": GuidelineEntry.objects.filter(brand=brand, flag=conv.flag).first(),
        "tags": actions.tags_of(conv), "viewers": _viewers(conv, request.user, now),
        "answered": actions.answered_already(conv), "reply_error": reply_error or [],
        "duplicate": duplicate, "draft": draft or {}, "problems": problems,
        "reply_limits": conv.network, "now": now,
        "model_flag_label": Flag(conv.model_flag).label if conv.model_flag in Flag.values
        else "",
    }
    return render(request, "engagement/conversation.html", context, status=status)


@org_route(P.BRAND_INBOX_VIEW)
def conversation(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_INBOX_VIEW)
    _seen(conv, request.user, typing=False)
    actions.note_activity(request.user)
    with timezone.override(conv.brand.timezone):
        return _conversation_page(request, conv)


def _seen(conv: Conversation, user: User, *, typing: bool) -> None:
    now = timezone.now()
    updated = ConversationViewer.objects.filter(conversation=conv, user=user).update(
        seen_at=now, typing=typing)
    if not updated:
        ConversationViewer.objects.get_or_create(conversation=conv, user=user,
                                                 defaults={"seen_at": now, "typing": typing})


@org_route(P.BRAND_INBOX_VIEW)
@post_only
def presence(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    """Heartbeat of an open conversation page: who else is here (and typing)."""
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_INBOX_VIEW)
    _seen(conv, request.user, typing=request.POST.get("typing") == "1")
    last = Reply.objects.filter(conversation=conv).aggregate(m=Max("id"))["m"] or 0
    return render(request, "engagement/_viewers.html", {
        "viewers": _viewers(conv, request.user, timezone.now()), "last_reply": last})


@org_route(P.BRAND_INBOX_REPLY)
@post_only
def reply(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_INBOX_REPLY)
    draft = {"text": request.POST.get("text", ""), "private": request.POST.get("private") == "1",
             "then": request.POST.get("then", ""), "template": request.POST.get("template", "")}
    with timezone.override(conv.brand.timezone):
        try:
            actions.do_queue_reply(
                conv, draft["text"], actor=_actor(request, org), private=draft["private"],
                confirm_duplicate=request.POST.get("confirm_duplicate") == "1",
                template_key=draft["template"][:60], then=draft["then"])
        except actions.DuplicateReply as error:
            return _conversation_page(request, conv, status=409, duplicate=error.messages[0],
                                      draft=draft)
        except ValidationError as error:
            return _conversation_page(request, conv, status=400, reply_error=error.messages,
                                      draft=draft)
    messages.success(request, _("Reply queued; it is being sent."))
    return redirect("engagement:conversation", org.slug, conv.id)


@org_route(P.BRAND_INBOX_REPLY)
@post_only
def reply_retry(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_INBOX_REPLY)
    raw = request.POST.get("reply", "")
    failed = Reply.objects.filter(conversation=conv, id=int(raw) if raw.isdigit() else 0,
                                  state=Reply.State.FAILED).first()
    if failed is None:
        return HttpResponse(_("Only a failed reply can be tried again."), status=400)
    outbox.retry(failed, actor=_actor(request, org))
    return redirect("engagement:conversation", org.slug, conv.id)


def _until(raw: str, tz: str) -> datetime | None:
    presets = {"1h": timedelta(hours=1), "3h": timedelta(hours=3),
               "tomorrow": timedelta(days=1), "week": timedelta(days=7)}
    if raw in presets:
        return timezone.now() + presets[raw]
    parsed = parse_datetime(raw)
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        from zoneinfo import ZoneInfo

        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed


@org_route(P.BRAND_INBOX_REPLY)
@post_only
def update(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    """Status, snooze, assignment, flag, priority and tags: one small form each."""
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_INBOX_REPLY)
    actor = _actor(request, org)
    what = request.POST.get("what", "")
    value = request.POST.get("value", "").strip()
    try:
        if what == "status":
            actions.do_change_status(conv, value, actor=actor)
        elif what == "snooze":
            until = _until(value, conv.brand.timezone)
            if until is None:
                raise ValidationError(_("Say until when to snooze."))
            actions.do_change_status(conv, ConversationStatus.SNOOZED, actor=actor, until=until)
        elif what == "assign":
            person = None
            if value == "me":
                person = request.user
            elif value.isdigit():
                person = User.objects.filter(id=int(value)).first()
            team = None
            team_raw = request.POST.get("team", "")
            if team_raw.isdigit():
                team = Team.objects.filter(id=int(team_raw), organization=org).first()
            actions.do_assign(conv, person, actor=actor, team=team)
        elif what == "flag":
            actions.do_set_flag(conv, value or conv.model_flag or Flag.NONE, actor=actor)
        elif what == "priority":
            actions.do_set_priority(conv, value, actor=actor)
        elif what == "tag":
            actions.do_tag(conv, add=[value], actor=actor)
        elif what == "untag":
            actions.do_tag(conv, remove=[value], actor=actor)
        else:
            raise ValidationError(_("Nothing to change."))
    except ValidationError as error:
        if request.htmx:
            return HttpResponse("; ".join(error.messages), status=400)
        messages.error(request, "; ".join(error.messages))
        return redirect("engagement:conversation", org.slug, conv.id)
    return redirect(_back(request, reverse("engagement:conversation", args=[org.slug, conv.id])))


@org_route(P.BRAND_INBOX_REPLY)
@post_only
def note(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_INBOX_REPLY)
    try:
        actions.do_add_note(conv, request.POST.get("body", ""), actor=_actor(request, org))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("engagement:conversation", org.slug, conv.id)
    return redirect(reverse("engagement:conversation", args=[org.slug, conv.id]) + "#notes")


@org_route(P.BRAND_INBOX_VIEW)
def conversation_rules(request: HttpRequest, org: Organization,
                       conversation_id: int) -> HttpResponse:
    """The dry run: which rules fired, and which would fire now, without changing anything."""
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_INBOX_VIEW)
    with timezone.override(conv.brand.timezone):
        return render(request, "engagement/dry_run.html", {
            "org": org, "c": conv, "brand": conv.brand, "section": "inbox",
            "run": dry_run(conv),
            "can_manage": can(request.user, P.BRAND_SETTINGS_MANAGE, conv.brand),
        })


@brand_route(P.BRAND_INBOX_REPLY)
@post_only
def pull_mention(request: HttpRequest, brand: Brand, mention_id: int) -> HttpResponse:
    """Bring a public mention found by listening into the brand's inbox."""
    mention = (Mention.objects.filter(id=mention_id, organization_id=brand.organization_id,
                                      matches__brand=brand)
               .select_related("author").distinct().first())
    if mention is None:
        raise Http404("No such mention.")
    conv = actions.do_pull_into_inbox(mention, brand,
                                      actor=_actor(request, brand.organization))
    return redirect("engagement:conversation", brand.organization.slug, conv.id)


# -- a brand's inbox settings ----------------------------------------------------------------


def _settings_context(brand: Brand, **extra: Any) -> dict[str, Any]:
    return {"org": brand.organization, "brand": brand, "section": "inbox", **extra}


@brand_route(P.BRAND_SETTINGS_MANAGE)
def rules(request: HttpRequest, brand: Brand) -> HttpResponse:
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_rule(brand, form.rule_data(),
                                 actor=_actor(request, brand.organization))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("engagement:rules", brand.organization.slug, brand.slug)
    from tertulia.engagement.brandconf import conf_for

    return render(request, "engagement/rules.html", _settings_context(
        brand, rules=Rule.objects.filter(brand=brand).order_by("order", "key"), form=form,
        broken=conf_for(brand.id).broken_rules))


@brand_route(P.BRAND_SETTINGS_MANAGE)
def rule_edit(request: HttpRequest, brand: Brand, rule_id: int) -> HttpResponse:
    rule = access_rule(brand, rule_id)
    initial = {"key": rule.key, "name": rule.name, "order": rule.order,
               "enabled": rule.enabled, "stop_processing": rule.stop_processing,
               "conditions": json.dumps(rule.conditions, ensure_ascii=False, indent=2),
               "actions": json.dumps(rule.actions, ensure_ascii=False, indent=2)}
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_rule(brand, form.rule_data(), rule=rule,
                                 actor=_actor(request, brand.organization))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("engagement:rules", brand.organization.slug, brand.slug)
    return render(request, "engagement/rule_form.html", _settings_context(
        brand, rule=rule, form=form))


@brand_route(P.BRAND_SETTINGS_MANAGE)
@post_only
def rule_delete(request: HttpRequest, brand: Brand, rule_id: int) -> HttpResponse:
    actions.do_delete_rule(access_rule(brand, rule_id), actor=_actor(request, brand.organization))
    messages.success(request, _("Rule deleted."))
    return redirect("engagement:rules", brand.organization.slug, brand.slug)


@brand_route(P.BRAND_SETTINGS_MANAGE)
def sla_settings(request: HttpRequest, brand: Brand) -> HttpResponse:
    """SLA policies per priority, business hours, holidays and the VIP list."""
    settings_row = settings_for(brand)
    hours_initial = {d: ", ".join(v) for d, v in (settings_row.business_hours or {}).items()}
    hours_initial["holidays"] = "\n".join(settings_row.holidays or [])
    hours_initial["vip_handles"] = "\n".join(settings_row.vip_handles or [])
    kind = request.POST.get("form") if request.method == "POST" else None
    hours = HoursForm(request.POST if kind == "hours" else None, initial=hours_initial)
    policy_form = SlaPolicyForm(request.POST if kind == "policy" else None)
    actor = _actor(request, brand.organization)
    if kind == "hours" and hours.is_valid():
        try:
            actions.do_save_inbox_settings(
                brand, business_hours=hours.weekly_hours(),
                holidays=hours.cleaned_data["holidays"],
                vip_handles=hours.cleaned_data["vip_handles"], actor=actor)
        except ValidationError as error:
            hours.add_error(None, "; ".join(error.messages))
        else:
            messages.success(request, _("Business hours saved."))
            return redirect("engagement:sla", brand.organization.slug, brand.slug)
    if kind == "policy" and policy_form.is_valid():
        d = policy_form.cleaned_data
        try:
            actions.do_save_sla_policy(
                brand, d["priority"], first_response_s=d["first_response_min"] * 60,
                resolution_s=d["resolution_min"] * 60, warn_before_s=d["warn_before_min"] * 60,
                actor=actor)
        except ValidationError as error:
            policy_form.add_error(None, "; ".join(error.messages))
        else:
            messages.success(request, _("SLA policy saved."))
            return redirect("engagement:sla", brand.organization.slug, brand.slug)
    if kind == "delete_policy":
        actions.do_delete_sla_policy(brand, request.POST.get("priority", ""), actor=actor)
        return redirect("engagement:sla", brand.organization.slug, brand.slug)
    order = {p: i for i, p in enumerate(Priority.values)}
    policies = sorted(SlaPolicy.objects.filter(brand=brand), key=lambda p: order[p.priority])
    return render(request, "engagement/sla.html", _settings_context(
        brand, policies=[(p, p.first_response_s // 60, p.resolution_s // 60,
                          p.warn_before_s // 60) for p in policies],
        hours=hours, policy_form=policy_form))


@brand_route(P.BRAND_INBOX_VIEW)
def guideline(request: HttpRequest, brand: Brand) -> HttpResponse:
    """What each flag means for this brand, what to do, and the reply templates."""
    entries = {e.flag: e for e in GuidelineEntry.objects.filter(brand=brand).select_related(
        "team")}
    return render(request, "engagement/guideline.html", _settings_context(
        brand, entries=[(value, label, entries.get(value)) for value, label in Flag.choices],
        templates=ReplyTemplate.objects.filter(brand=brand),
        can_manage=can(request.user, P.BRAND_SETTINGS_MANAGE, brand)))


@brand_route(P.BRAND_SETTINGS_MANAGE)
def guideline_edit(request: HttpRequest, brand: Brand) -> HttpResponse:
    teams = Team.objects.filter(organization=brand.organization)
    entries = {e.flag: e for e in GuidelineEntry.objects.filter(brand=brand)}
    forms_by_flag = []
    for value, label in Flag.choices:
        entry = entries.get(value)
        form = GuidelineForm(
            request.POST if request.method == "POST" else None, prefix=value,
            initial={"meaning": entry.meaning, "expected_action": entry.expected_action,
                     "team": entry.team_id} if entry else None)
        form.fields["team"].queryset = teams
        forms_by_flag.append((value, label, form))
    if request.method == "POST":
        changed = [(v, f) for v, _label, f in forms_by_flag if f.has_changed()]
        if all(f.is_valid() for _v, f in changed):
            actor = _actor(request, brand.organization)
            for value, form in changed:
                actions.do_save_guideline(brand, value, actor=actor,
                                          meaning=form.cleaned_data["meaning"],
                                          expected_action=form.cleaned_data["expected_action"],
                                          team=form.cleaned_data["team"])
            messages.success(request, _("Guideline saved."))
            return redirect("engagement:guideline", brand.organization.slug, brand.slug)
    return render(request, "engagement/guideline_form.html", _settings_context(
        brand, forms=forms_by_flag))


def _template_form(request: HttpRequest, brand: Brand,
                   template: ReplyTemplate | None) -> HttpResponse:
    form = TemplateForm(request.POST or None, instance=template,
                        initial=None if template else {"language": brand.language})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_save_template(brand, key=d["key"], name=d["name"], flag=d["flag"] or "",
                                     language=d["language"], body=d["body"],
                                     template=ReplyTemplate.objects.filter(
                                         id=template.id).first() if template else None,
                                     actor=_actor(request, brand.organization))
        except ValidationError as error:
            form.add_error("body", "; ".join(error.messages))
        else:
            messages.success(request, _("Template saved."))
            return redirect("engagement:guideline", brand.organization.slug, brand.slug)
    return render(request, "engagement/template_form.html", _settings_context(
        brand, form=form, template=template, variables=templates_core.KNOWN_VARIABLES))


@brand_route(P.BRAND_SETTINGS_MANAGE)
def template_new(request: HttpRequest, brand: Brand) -> HttpResponse:
    return _template_form(request, brand, None)


@brand_route(P.BRAND_SETTINGS_MANAGE)
def template_edit(request: HttpRequest, brand: Brand, template_id: int) -> HttpResponse:
    return _template_form(request, brand, access_template(brand, template_id))


@brand_route(P.BRAND_SETTINGS_MANAGE)
@post_only
def template_delete(request: HttpRequest, brand: Brand, template_id: int) -> HttpResponse:
    actions.do_delete_template(access_template(brand, template_id),
                               actor=_actor(request, brand.organization))
    messages.success(request, _("Template deleted."))
    return redirect("engagement:guideline", brand.organization.slug, brand.slug)



# -- saved views -------------------------------------------------------------------------------

_FILTER_KEYS = ("brand", "network", "flag", "sentiment", "language", "status", "priority",
                "assignee", "team", "sla", "tag", "min_followers")


@org_route(P.BRAND_INBOX_VIEW)
@post_only
def view_save(request: HttpRequest, org: Organization) -> HttpResponse:
    """Name the filters in ``query`` (the inbox's current query string) as a view."""
    raw = QueryDict(request.POST.get("query", "")[:2000])
    scope = inbox.inbox_scope(request.user, org)
    form = InboxFilterForm(raw, scope=scope)
    back = _back(request, reverse("engagement:inbox", args=[org.slug]))
    if not form.is_valid():
        messages.error(request, _("These filters cannot be saved: %(errors)s") % {
            "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())})
        return redirect(back)
    filters = {k: raw[k] for k in _FILTER_KEYS if raw.get(k, "").strip()}
    brand = scope.org.brands.filter(slug=raw.get("brand", ""), id__in=scope.brand_ids).first()
    try:
        view = actions.do_save_view(org, request.user, name=request.POST.get("name", ""),
                                    base_view=form.view_name, filters=filters,
                                    shared=request.POST.get("shared") == "1", brand=brand,
                                    actor=_actor(request, org))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect(back)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(reverse("engagement:inbox", args=[org.slug]) + f"?saved={view.id}")


@org_route(P.BRAND_INBOX_VIEW)
@post_only
def view_delete(request: HttpRequest, org: Organization, view_id: int) -> HttpResponse:
    """Only its owner deletes a view (a shared one too)."""
    view = access_saved_view(request.user, org, view_id)
    if view.owner_id != request.user.id:
        return HttpResponse(_("Only the person who saved this view can delete it."),
                            status=403)
    actions.do_delete_view(view, actor=_actor(request, org))
    messages.success(request, _("View deleted."))
    return redirect("engagement:inbox", org.slug)


# -- reply approvals -----------------------------------------------------------------------------


@org_route(P.BRAND_INBOX_APPROVE)
def approvals(request: HttpRequest, org: Organization) -> HttpResponse:
    """Replies held for approval on the brands where the person may approve, oldest first."""
    scope = inbox.inbox_scope(request.user, org)
    brand_ids = [b.id for b in scope.brands if can(request.user, P.BRAND_INBOX_APPROVE, b)]
    rows = list(Reply.objects.filter(organization=org, state=Reply.State.AWAITING,
                                     brand_id__in=brand_ids)
                .select_related("brand", "conversation__customer", "in_reply_to__author")
                .order_by("created_at", "id")[:200])
    recent = list(Reply.objects.filter(organization=org, brand_id__in=brand_ids,
                                       state=Reply.State.REJECTED)
                  .select_related("brand", "decided_by").order_by("-decided_at")[:20])
    return render(request, "engagement/approvals.html", {
        "org": org, "section": "inbox", "rows": rows, "recent": recent})


@org_route(P.BRAND_INBOX_APPROVE)
@post_only
def approval_decide(request: HttpRequest, org: Organization, reply_id: int) -> HttpResponse:
    held = access_held_reply(request.user, org, reply_id, P.BRAND_INBOX_APPROVE)
    decision = request.POST.get("decision", "")
    try:
        if decision == "approve":
            actions.do_approve_reply(held, actor=_actor(request, org))
            messages.success(request, _("Approved: the reply is being sent."))
        elif decision == "reject":
            actions.do_reject_reply(held, request.POST.get("reason", ""),
                                    actor=_actor(request, org))
            messages.success(request, _("Rejected: its author was told why."))
        else:
            raise ValidationError(_("Approve or reject the reply."))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("engagement:approvals", org.slug)
    return redirect("engagement:approvals", org.slug)


@brand_route(P.BRAND_SETTINGS_MANAGE)
def approval_settings(request: HttpRequest, brand: Brand) -> HttpResponse:
    """Whether replies need approval on this brand, whose, and the e-mail reply-to."""
    row = settings_for(brand)
    form = ApprovalSettingsForm(request.POST or None, initial={
        "replies_need_approval": row.replies_need_approval,
        "approval_roles": row.approval_roles, "reply_to_email": row.reply_to_email})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        actions.do_save_approval_settings(
            brand, enabled=d["replies_need_approval"], roles=d["approval_roles"],
            reply_to_email=d["reply_to_email"], actor=_actor(request, brand.organization))
        messages.success(request, _("Approval settings saved."))
        return redirect("engagement:approval_settings", brand.organization.slug, brand.slug)
    return render(request, "engagement/approval_settings.html", _settings_context(
        brand, form=form))


# -- moving to a private channel ---------------------------------------------------------------


@org_route(P.BRAND_INBOX_REPLY)
@post_only
def handoff(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    """Continue in a direct message or by e-mail, or record a phone call / SMS handoff."""
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_INBOX_REPLY)
    p = request.POST
    try:
        reply_row = actions.do_move_to_private(
            conv, p.get("channel", ""), actor=_actor(request, org), text=p.get("text", ""),
            email=p.get("email", ""), phone=p.get("phone", ""), notes=p.get("notes", ""))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect(reverse("engagement:conversation", args=[org.slug, conv.id])
                        + "#handoff")
    if reply_row is not None and reply_row.state == Reply.State.AWAITING:
        messages.success(request, _("Handed off; the message waits for approval."))
    else:
        messages.success(request, _("Handed off."))
    return redirect("engagement:conversation", org.slug, conv.id)
