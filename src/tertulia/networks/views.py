"""The sources settings page and the public inbound-webhook endpoint.

Views parse and render; every change a person makes goes through ``actions``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from tertulia.governance.audit import Actor
from tertulia.governance.models import Organization
from tertulia.governance.permissions import Permission as P
from tertulia.listening.models import Source
from tertulia.networks import actions, inbound
from tertulia.networks.forms import FeedSourceForm, WebhookSourceForm
from tertulia.networks.models import WebhookEndpoint
from tertulia.networks.rss.health import DEGRADED_AFTER, FAILING_AFTER, FeedState
from tertulia.networks.webhooks import (
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    WebhookError,
    parse_generic_event,
    verify_signature,
)
from tertulia.web.routing import org_route, post_only, public

HEALTH_LABELS = {
    FeedState.NEW: (gettext_lazy("new"), "bg-secondary-lt"),
    FeedState.OK: (gettext_lazy("ok"), "bg-green-lt"),
    FeedState.DEGRADED: (gettext_lazy("degraded"), "bg-yellow-lt"),
    FeedState.FAILING: (gettext_lazy("failing"), "bg-red-lt"),
}


def health_state(source: Source) -> FeedState:
    """One vocabulary for every kind of source: new, ok, degraded or failing."""
    if source.last_run_at is None:
        return FeedState.NEW
    if source.consecutive_failures >= FAILING_AFTER:
        return FeedState.FAILING
    if source.consecutive_failures >= DEGRADED_AFTER:
        return FeedState.DEGRADED
    return FeedState.OK


def webhook_url(endpoint: WebhookEndpoint) -> str:
    return settings.BASE_URL + reverse("networks:inbound_webhook", args=[endpoint.token])


def _actor(request: HttpRequest, org: Organization) -> Actor:
    return Actor.from_request(request, org)


def _source(org: Organization, source_id: int) -> Source:
    """A source of ``org``; any other id (missing or another tenant's) is a 404."""
    source = Source.objects.filter(id=source_id, organization=org).first()
    if source is None:
        raise Http404("No such source.")
    return source


def _page(request: HttpRequest, org: Organization, *, feed_form: Any = None,
          webhook_form: Any = None, revealed: dict[str, str] | None = None) -> HttpResponse:
    rows = []
    for source in Source.objects.filter(organization=org).select_related("webhook"):
        label, css = HEALTH_LABELS[health_state(source)]
        endpoint = getattr(source, "webhook", None) if source.kind == Source.Kind.WEBHOOK else None
        rows.append({"source": source, "health": label, "health_class": css,
                     "hook_url": webhook_url(endpoint) if endpoint else ""})
    return render(request, "networks/sources.html", {
        "org": org, "rows": rows, "revealed": revealed,
        "feed_form": feed_form or FeedSourceForm(),
        "webhook_form": webhook_form or WebhookSourceForm(),
        "signature_header": SIGNATURE_HEADER,
    })


@org_route(P.ORG_SETTINGS_MANAGE)
def sources(request: HttpRequest, org: Organization) -> HttpResponse:
    return _page(request, org)


@org_route(P.ORG_SETTINGS_MANAGE)
@post_only
def feed_create(request: HttpRequest, org: Organization) -> HttpResponse:
    form = FeedSourceForm(request.POST)
    if not form.is_valid():
        return _page(request, org, feed_form=form)
    try:
        actions.do_create_feed_source(org, form.cleaned_data["name"], form.cleaned_data["url"],
                                      actor=_actor(request, org))
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, org, feed_form=form)
    messages.success(request, _("Feed added. It is read within a few minutes."))
    return redirect("networks:sources", org.slug)


@org_route(P.ORG_SETTINGS_MANAGE)
@post_only
def webhook_create(request: HttpRequest, org: Organization) -> HttpResponse:
    form = WebhookSourceForm(request.POST)
    if not form.is_valid():
        return _page(request, org, webhook_form=form)
    source, endpoint, secret = actions.do_create_webhook_source(
        org, form.cleaned_data["name"], actor=_actor(request, org)
    )
    messages.success(request, _("Webhook created. Copy its secret now: it will not be shown "
                                "again."))
    return _page(request, org, revealed={
        "name": source.name, "url": webhook_url(endpoint), "secret": secret.decode("ascii"),
    })


@org_route(P.ORG_SETTINGS_MANAGE)
@post_only
def webhook_rotate(request: HttpRequest, org: Organization, source_id: int) -> HttpResponse:
    source = _source(org, source_id)
    endpoint = WebhookEndpoint.objects.filter(source=source).first()
    if endpoint is None:
        messages.error(request, _("Only webhook sources have a secret."))
        return redirect("networks:sources", org.slug)
    secret = actions.do_rotate_webhook_secret(endpoint, actor=_actor(request, org))
    messages.success(request, _("New secret made. Deliveries signed with the old one are "
                                "refused from now on."))
    return _page(request, org, revealed={
        "name": source.name, "url": webhook_url(endpoint), "secret": secret.decode("ascii"),
    })


@org_route(P.ORG_SETTINGS_MANAGE)
@post_only
def source_pause(request: HttpRequest, org: Organization, source_id: int) -> HttpResponse:
    actions.do_pause_source(_source(org, source_id), actor=_actor(request, org))
    messages.success(request, _("Source paused."))
    return redirect("networks:sources", org.slug)


@org_route(P.ORG_SETTINGS_MANAGE)
@post_only
def source_resume(request: HttpRequest, org: Organization, source_id: int) -> HttpResponse:
    actions.do_resume_source(_source(org, source_id), actor=_actor(request, org))
    messages.success(request, _("Source resumed."))
    return redirect("networks:sources", org.slug)


@org_route(P.ORG_SETTINGS_MANAGE)
@post_only
def source_delete(request: HttpRequest, org: Organization, source_id: int) -> HttpResponse:
    actions.do_delete_source(_source(org, source_id), actor=_actor(request, org))
    messages.success(request, _("Source deleted. The mentions it brought in are kept."))
    return redirect("networks:sources", org.slug)


def _fail(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _raw_body(request: HttpRequest) -> bytes | None:
    """The body as sent, or None when it is larger than the limit (read no further)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    try:
        raw = request.read(MAX_BODY_BYTES + 1)
    except RawPostDataException:  # something already read it; Django kept a copy
        raw = request.body
    return None if len(raw) > MAX_BODY_BYTES else raw


@public
@csrf_exempt
@post_only
def inbound_webhook(request: HttpRequest, token: str) -> HttpResponse:
    """Machine-to-machine: answers JSON in English. 202 accepted, 200 duplicate, 400 bad
    body, 401 bad signature, 403 no secret or paused, 404 unknown token, 413 too large.

    The limit is the parser's own (``webhooks.MAX_BODY_BYTES``), so every accepted body
    can also be processed."""
    endpoint = (WebhookEndpoint.objects.select_related("source__organization")
                .filter(token=token).first())
    if endpoint is None:
        return _fail(404, "no such webhook")
    raw = _raw_body(request)
    if raw is None:
        return _fail(413, f"body is larger than {MAX_BODY_BYTES} bytes")
    try:
        verify_signature(endpoint.secret(), raw, request.headers.get(SIGNATURE_HEADER))
        # Only a correctly signed sender learns that the source is paused.
        if not endpoint.source.is_active:
            return _fail(403, "this source is paused")
        event_id, _items = parse_generic_event(raw)
    except WebhookError as error:
        return _fail(error.status, str(error))
    event, created = inbound.receive(endpoint, event_id, raw)
    if not created:
        return JsonResponse({"status": "duplicate", "id": event.event_id}, status=200)
    return JsonResponse({"status": "accepted", "id": event.event_id}, status=202)
