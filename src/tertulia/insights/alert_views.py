"""Alerts in the browser: the brand's alert list (refreshed live by htmx polling), the
crisis room of one alert (live stream of the matching mentions, who handles it, notes,
timeline, export), e-mail preferences and outbound webhooks."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tertulia.governance.access import can
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand
from tertulia.governance.permissions import Permission as P
from tertulia.insights import alert_actions as actions
from tertulia.insights.alert_actions import as_detected
from tertulia.insights.alert_models import (
    Alert,
    AlertSubscription,
    AlertWebhook,
    WebhookDelivery,
)
from tertulia.insights.alert_watch import _own_matches
from tertulia.listening.models import Mention
from tertulia.web.routing import brand_route, post_only

STREAM_LIMIT = 50
POLL_S = 10


def _lang() -> str:
    return "es" if (get_language() or "en").startswith("es") else "en"


def access_alert(brand: Brand, alert_id: int) -> Alert:
    """The brand's alert, or 404 (another brand's alert does not exist here)."""
    alert = Alert.objects.filter(id=alert_id, brand=brand).select_related(
        "handled_by", "brand", "organization").first()
    if alert is None:
        raise Http404("No such alert.")
    return alert


@brand_route(P.BRAND_INSIGHTS_VIEW)
def alert_list(request: HttpRequest, brand: Brand) -> HttpResponse:
    rows = list(Alert.objects.filter(brand=brand).select_related("handled_by")[:100])
    lang = _lang()
    sub = AlertSubscription.objects.filter(user=request.user, brand=brand).first()
    context = {
        "org": brand.organization, "brand": brand, "section": "insights",
        "alerts": [(a, as_detected(a).explain(lang)) for a in rows],
        "poll_s": POLL_S, "mode": sub.mode if sub else AlertSubscription.Mode.OFF,
        "modes": AlertSubscription.Mode.choices,
        "can_hooks": can(request.user, P.BRAND_SETTINGS_MANAGE, brand),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "insights/_alert_rows.html", context)
    return render(request, "insights/alerts.html", context)


@brand_route(P.BRAND_INSIGHTS_VIEW)
@post_only
def alert_subscription(request: HttpRequest, brand: Brand) -> HttpResponse:
    mode = request.POST.get("mode", "")
    try:
        actions.do_set_alert_subscription(request.user, brand, mode,  # type: ignore[arg-type]
                                          actor=Actor.from_request(request, brand.organization))
    except ValueError:
        messages.error(request, _("Choose how alerts should reach you by e-mail."))
        return redirect("insights:alerts", brand.organization.slug, brand.slug)
    messages.success(request, _("Your alert e-mail preference is saved."))
    return redirect("insights:alerts", brand.organization.slug, brand.slug)


def _stream(alert: Alert) -> list[Mention]:
    """The mentions matching the alert: the brand's own, from its onset on (newest first);
    for a surge only the negative ones, for a term those containing it."""
    start = alert.fired_at - timedelta(minutes=max(alert.window_min, 60))
    ids = _own_matches(alert.brand, start, timezone.now() + timedelta(minutes=1)).values_list(
        "mention_id", flat=True)
    qs = Mention.objects.filter(id__in=ids, hidden_at__isnull=True).select_related("author")
    if alert.kind == Alert.Kind.NEGATIVE_SURGE:
        qs = qs.filter(sentiment="negative")
    elif alert.kind == Alert.Kind.TRENDING_TERM and alert.subject:
        qs = qs.filter(text__icontains=alert.subject.lstrip("#"))
    elif alert.kind in (Alert.Kind.INFLUENCER, Alert.Kind.OWNED_ACTIVITY):
        qs = Mention.objects.filter(id__in=alert.evidence).select_related("author")
    return list(qs.order_by("-created_at", "-id")[:STREAM_LIMIT])


def _evidence(alert: Alert) -> list[Mention]:
    by_id = Mention.objects.select_related("author").in_bulk(alert.evidence)
    return [by_id[i] for i in alert.evidence if i in by_id]


def _room_context(request: HttpRequest, brand: Brand, alert: Alert) -> dict[str, Any]:
    return {
        "org": brand.organization, "brand": brand, "alert": alert, "section": "insights",
        "why": as_detected(alert).explain(_lang()), "evidence": _evidence(alert),
        "stream": _stream(alert), "entries": list(alert.entries.select_related("author")),
        "p_text": f"{alert.p_value:.1e}" if alert.p_value else "",
        "poll_s": POLL_S, "can_handle": can(request.user, P.BRAND_MENTIONS_TRIAGE, brand),
        "mine": alert.handled_by_id == request.user.id,
    }


@brand_route(P.BRAND_INSIGHTS_VIEW)
def alert_room(request: HttpRequest, brand: Brand, alert_id: int) -> HttpResponse:
    alert = access_alert(brand, alert_id)
    context = _room_context(request, brand, alert)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "insights/_room_live.html", context)
    return render(request, "insights/alert_room.html", context)


@brand_route(P.BRAND_MENTIONS_TRIAGE)
@post_only
def alert_act(request: HttpRequest, brand: Brand, alert_id: int) -> HttpResponse:
    """Claim, release, resolve, reopen, or add a note."""
    alert = access_alert(brand, alert_id)
    actor = Actor.from_request(request, brand.organization)
    what = request.POST.get("do", "")
    try:
        if what == "claim":
            actions.do_claim_alert(alert, actor=actor)
        elif what == "release":
            actions.do_release_alert(alert, actor=actor)
        elif what == "resolve":
            actions.do_resolve_alert(alert, actor=actor, note=request.POST.get("text", ""))
        elif what == "reopen":
            actions.do_reopen_alert(alert, actor=actor)
        elif what == "note":
            actions.do_add_alert_note(alert, request.POST.get("text", ""), actor=actor)
        else:
            return HttpResponse(_("Unknown action."), status=400)
    except ValueError as error:
        messages.error(request, _("The note was not saved: %(why)s.") % {"why": error})
    return redirect("insights:alert_room", brand.organization.slug, brand.slug, alert.id)


@brand_route(P.BRAND_INSIGHTS_VIEW)
def alert_export(request: HttpRequest, brand: Brand, alert_id: int) -> HttpResponse:
    """The crisis as a workbook: summary, timeline, and the matching mentions."""
    import xlsxwriter

    alert = access_alert(brand, alert_id)
    lang = _lang()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True,
                                        "strings_to_formulas": False,
                                        "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    summary = book.add_worksheet(_("Alert"))
    rows = [
        (_("Brand"), brand.name), (_("Kind"), alert.get_kind_display()),
        (_("Fired at (UTC)"), alert.fired_at), (_("Why"), as_detected(alert).explain(lang)),
        (_("Observed"), alert.observed), (_("Expected"), round(alert.expected, 2)),
        (_("Status"), alert.get_status_display()),
        (_("Handled by"), str(alert.handled_by or "")),
    ]
    for i, (label, value) in enumerate(rows):
        summary.write(i, 0, label, bold)
        if hasattr(value, "tzinfo"):
            summary.write_datetime(i, 1, value, when)
        else:
            summary.write(i, 1, value)
    summary.set_column(0, 0, 18)
    summary.set_column(1, 1, 80)
    timeline = book.add_worksheet(_("Timeline"))
    for j, head in enumerate((_("When (UTC)"), _("What"), _("Who"), _("Note"))):
        timeline.write(0, j, head, bold)
    for i, entry in enumerate(alert.entries.select_related("author"), start=1):
        timeline.write_datetime(i, 0, entry.at, when)
        timeline.write(i, 1, entry.get_kind_display())
        timeline.write(i, 2, str(entry.author or ""))
        timeline.write(i, 3, entry.text)
    stream = book.add_worksheet(_("Mentions"))
    heads = (_("Published (UTC)"), _("Network"), _("Author"), _("Followers"),
             _("Sentiment"), _("Text"), _("Link"))
    for j, head in enumerate(heads):
        stream.write(0, j, head, bold)
    for i, m in enumerate(_stream(alert), start=1):
        stream.write_datetime(i, 0, m.created_at, when)
        stream.write(i, 1, m.network)
        stream.write(i, 2, m.author.handle)
        stream.write(i, 3, m.author_followers or 0)
        stream.write(i, 4, m.sentiment)
        stream.write(i, 5, m.text)
        stream.write(i, 6, m.url)
    book.close()
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="{brand.slug}-alert-{alert.id}.xlsx"')
    return response


@brand_route(P.BRAND_INSIGHTS_VIEW)
def alert_export_pdf(request: HttpRequest, brand: Brand, alert_id: int) -> HttpResponse:
    """The crisis as a PDF (WeasyPrint, like the reports): why, top posts, timeline and
    the matching mentions, times in UTC."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    alert = access_alert(brand, alert_id)
    lang = _lang()
    with timezone.override("UTC"):
        html = render_to_string("insights/alert_pdf.html", {
            "brand": brand, "alert": alert, "lang": lang,
            "why": as_detected(alert).explain(lang), "evidence": _evidence(alert),
            "entries": list(alert.entries.select_related("author")), "stream": _stream(alert),
        })
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{brand.slug}-alert-{alert.id}.pdf"'
    return response


@brand_route(P.BRAND_SETTINGS_MANAGE)
def alert_webhooks(request: HttpRequest, brand: Brand) -> HttpResponse:
    """List and add the brand's outbound alert webhooks, with their last deliveries."""
    error = ""
    if request.method == "POST":
        url = request.POST.get("url", "").strip()
        from django.core.exceptions import ValidationError
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["https"])(url)
        except ValidationError:
            error = _("“%(url)s” is not an https:// address; webhooks are sent over HTTPS "
                      "only.") % {"url": url[:200]}
        else:
            _hook, secret = actions.do_add_alert_webhook(
                brand, url, actor=Actor.from_request(request, brand.organization))
            messages.success(request, _("Webhook added. Its signing secret, shown only "
                                        "once: %(secret)s") % {"secret": secret})
            return redirect("insights:alert_webhooks", brand.organization.slug, brand.slug)
    hooks = list(AlertWebhook.objects.filter(brand=brand))
    log = list(WebhookDelivery.objects.filter(webhook__brand=brand).select_related(
        "webhook")[:50])
    return render(request, "insights/alert_webhooks.html", {
        "org": brand.organization, "brand": brand, "section": "insights", "hooks": hooks,
        "log": log, "error": error, "url": request.POST.get("url", ""),
    }, status=400 if error else 200)


@brand_route(P.BRAND_SETTINGS_MANAGE)
@post_only
def alert_webhook_delete(request: HttpRequest, brand: Brand, webhook_id: int) -> HttpResponse:
    hook = AlertWebhook.objects.filter(id=webhook_id, brand=brand).first()
    if hook is None:
        raise Http404("No such webhook.")
    actions.do_remove_alert_webhook(hook, actor=Actor.from_request(request, brand.organization))
    messages.success(request, _("Webhook removed."))
    return redirect("insights:alert_webhooks", brand.organization.slug, brand.slug)
