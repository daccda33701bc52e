"""The mention stream, search and export of a brand; saved queries with a live editor."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, time
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tertulia.governance.access import can
from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand
from tertulia.governance.permissions import Permission as P
from tertulia.listening import search
from tertulia.listening.actions import (
    accuracy,
    correction_rows,
    do_correct_mention,
    do_tag_mentions,
)
from tertulia.listening.forms import QueryForm, StreamFilterForm
from tertulia.listening.models import (
    Correction,
    Flag,
    Mention,
    MentionMatch,
    MentionTag,
    Query,
    Sentiment,
)
from tertulia.listening.query import validate
from tertulia.listening.query.highlight import highlight
from tertulia.web.routing import brand_route, post_only

PAGE_SIZE = 50
EXPORT_FIELDS = ("created_at", "network", "kind", "author", "author_followers", "language",
                 "sentiment", "flag", "text", "url", "likes", "comments", "shares", "views")


def _filtered(brand: Brand, form: StreamFilterForm) -> QuerySet[Mention]:
    matches = MentionMatch.objects.filter(brand=brand)
    mentions = Mention.objects.filter(organization_id=brand.organization_id, hidden_at=None)
    if form.is_valid():
        data = form.cleaned_data
        if data["query"]:
            matches = matches.filter(query=data["query"])
        if data["scope"] == "own":
            matches = matches.exclude(query__kind=Query.Kind.COMPETITOR)
        elif data["scope"] == "competitors":
            matches = matches.filter(query__kind=Query.Kind.COMPETITOR)
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            start = datetime.combine(data["date_from"], time.min, tzinfo=tz)
            matches, mentions = matches.filter(created_at__gte=start), mentions.filter(
                created_at__gte=start)
        if data["date_to"]:
            end = datetime.combine(data["date_to"], time.max, tzinfo=tz)
            matches, mentions = matches.filter(created_at__lte=end), mentions.filter(
                created_at__lte=end)
        if data["sentiment"]:
            matches = matches.filter(sentiment=data["sentiment"])
        for name in ("network", "language", "flag"):
            if data[name]:
                mentions = mentions.filter(**{name: data[name]})
        if data["author"]:
            mentions = mentions.filter(author__handle__iexact=data["author"].lstrip("@"))
        if data["tag"]:
            mentions = mentions.filter(tags__brand=brand, tags__tag=data["tag"].strip())
        if data["min_followers"] is not None:
            mentions = mentions.filter(author_followers__gte=data["min_followers"])
        if data["q"]:
            condition = search.match_sql(data["q"])
            if condition is not None:
                mentions = mentions.extra(where=[condition[0]], params=condition[1])
    return mentions.filter(id__in=matches.values("mention_id")).select_related("author")


def _page(mentions: QuerySet[Mention], before: str | None) -> tuple[list[Mention], str | None]:
    """Keyset pagination on (created_at, id), newest first: page N costs what page 1 does."""
    if before:
        stamp, _sep, pk = before.partition("|")
        at = parse_datetime(stamp.replace(" ", "+"))  # a hand-typed "+" arrives as a space
        if at is None or not pk.isdigit():
            raise Http404("Bad page cursor.")
        from django.db.models import Q

        mentions = mentions.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=int(pk)))
    rows = list(mentions.order_by("-created_at", "-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    cursor = f"{rows[-1].created_at.isoformat()}|{rows[-1].id}" if more and rows else None
    return rows, cursor


def _with_tags(brand: Brand, rows: list[Mention]) -> list[Mention]:
    tags: dict[int, list[str]] = {}
    for mention_id, tag in MentionTag.objects.filter(
        brand=brand, mention_id__in=[m.id for m in rows]
    ).values_list("mention_id", "tag"):
        tags.setdefault(mention_id, []).append(tag)
    for mention in rows:
        mention.brand_tags = sorted(tags.get(mention.id, []))  # type: ignore[attr-defined]
    return rows


def _row_context(request: HttpRequest, brand: Brand) -> dict[str, Any]:
    return {
        "org": brand.organization, "brand": brand,
        "can_correct": can(request.user, P.BRAND_MENTIONS_TRIAGE, brand),
        "can_pull": can(request.user, P.BRAND_INBOX_REPLY, brand),
        "sentiments": Sentiment.choices, "flags": Flag.choices,
    }


@brand_route(P.BRAND_MENTIONS_VIEW)
def stream(request: HttpRequest, brand: Brand) -> HttpResponse:
    form = StreamFilterForm(request.GET or None, brand=brand)
    rows, cursor = _page(_filtered(brand, form), request.GET.get("before"))
    query = request.GET.copy()
    query.pop("before", None)
    last_id = MentionMatch.objects.filter(brand=brand).aggregate(m=Max("mention_id"))["m"] or 0
    return render(request, "listening/stream.html", {
        **_row_context(request, brand), "form": form, "mentions": _with_tags(brand, rows),
        "next_cursor": cursor, "query": query.urlencode(), "section": "listen",
        "queries": brand.queries.all(), "last_id": last_id,
    })


def _mention(brand: Brand, mention_id: int) -> Mention:
    mention = (
        Mention.objects.filter(id=mention_id, organization_id=brand.organization_id,
                               hidden_at=None, matches__brand=brand)
        .select_related("author").distinct().first()
    )
    if mention is None:
        raise Http404("No such mention.")
    return mention


@brand_route(P.BRAND_MENTIONS_TRIAGE)
@post_only
def correct(request: HttpRequest, brand: Brand, mention_id: int) -> HttpResponse:
    """One click in the stream: confirm or change sentiment or flag (htmx)."""
    context = _row_context(request, brand)
    mention = _mention(brand, mention_id)
    try:
        do_correct_mention(mention, brand, request.POST.get("field", ""),
                           request.POST.get("value", ""),
                           actor=Actor.from_request(request, brand.organization))
    except ValidationError as error:
        return HttpResponse("; ".join(error.messages), status=400)
    mention = _with_tags(brand, [_mention(brand, mention_id)])[0]
    return render(request, "listening/_mention_row.html",
                  {**context, "m": mention, "corrected": True})


@brand_route(P.BRAND_MENTIONS_TRIAGE)
@post_only
def bulk(request: HttpRequest, brand: Brand) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("mention") if i.isdigit()][:500]
    actor = Actor.from_request(request, brand.organization)
    if not ids:
        messages.error(request, _("Select at least one mention."))
    elif request.POST.get("action") == "inbox":
        if not can(request.user, P.BRAND_INBOX_REPLY, brand):
            raise PermissionDenied
        from tertulia.engagement.actions import do_pull_into_inbox

        pulled = 0
        for mention in Mention.objects.filter(id__in=ids, matches__brand=brand,
                                              hidden_at=None).select_related("author").distinct():
            do_pull_into_inbox(mention, brand, actor=actor)
            pulled += 1
        messages.success(request, _("%(n)s mentions sent to the inbox.") % {"n": pulled})
    elif request.POST.get("action") == "spam":
        for mention in Mention.objects.filter(id__in=ids, matches__brand=brand).distinct():
            do_correct_mention(mention, brand, "flag", Flag.SPAM, actor=actor)
        messages.success(request, _("%(n)s mentions marked as spam.") % {"n": len(ids)})
    else:
        try:
            added = do_tag_mentions(brand, ids, request.POST.get("tag", ""), actor=actor)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, _("%(n)s mentions tagged.") % {"n": added})
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = reverse("listening:stream", args=[brand.organization.slug, brand.slug])
    return redirect(back)


@brand_route(P.BRAND_MENTIONS_VIEW)
def mention(request: HttpRequest, brand: Brand, mention_id: int) -> HttpResponse:
    """One mention with its author, its thread and what the models said."""
    item = _mention(brand, mention_id)
    thread = []
    if item.thread_id:
        thread = list(Mention.objects.filter(
            organization_id=item.organization_id, network=item.network,
            thread_id=item.thread_id, hidden_at=None,
        ).select_related("author").order_by("created_at")[:50])
    by_author = Mention.objects.filter(author=item.author, hidden_at=None).exclude(
        id=item.id).order_by("-created_at")[:10]
    return render(request, "listening/mention.html", {
        **_row_context(request, brand), "m": _with_tags(brand, [item])[0], "thread": thread,
        "by_author": by_author, "section": "listen",
        "queries": Query.objects.filter(matches__mention=item, brand=brand),
        "corrections": item.corrections.select_related("user").order_by("-created_at")[:20],
    })


LIVE_POLL_S = 2.0
LIVE_MAX_S = 600


def _new_since(brand_id: int, last_id: int) -> tuple[int, int]:
    rows = MentionMatch.objects.filter(brand_id=brand_id, mention_id__gt=last_id)
    found = rows.aggregate(n=Count("mention_id", distinct=True), last=Max("mention_id"))
    return found["n"] or 0, found["last"] or last_id


@brand_route(P.BRAND_MENTIONS_VIEW)
def live(request: HttpRequest, brand: Brand) -> StreamingHttpResponse:
    """Server-Sent Events: tells an open stream page how many new mentions arrived. It reads
    the database, so it works the same with one process or many, SQLite or PostgreSQL."""
    raw = request.GET.get("last_id", "0")
    last_id = int(raw) if raw.isdigit() else 0
    brand_id = brand.id
    poll_s = float(request.GET.get("poll", LIVE_POLL_S)) if settings.TESTING else LIVE_POLL_S

    async def events() -> AsyncIterator[str]:
        nonlocal last_id
        total = 0
        yield "retry: 3000\n\n"
        loop = asyncio.get_running_loop()
        started = loop.time()
        while loop.time() - started < LIVE_MAX_S:
            count, newest = await sync_to_async(_new_since)(brand_id, last_id)
            if count:
                total += count
                last_id = newest
                yield f"event: mentions\ndata: {json.dumps({'new': total, 'last_id': newest})}\n\n"
            else:
                yield ": keep-alive\n\n"
            await asyncio.sleep(poll_s)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_safe(value: object) -> object:
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def _csv(mentions: QuerySet[Mention]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_FIELDS)
    for m in mentions.order_by("-created_at", "-id").iterator(chunk_size=2000):
        yield writer.writerow([
            m.created_at.isoformat(), m.network, m.kind, _csv_safe("@" + m.author.handle),
            m.author_followers if m.author_followers is not None else "", m.language,
            m.sentiment, m.flag, _csv_safe(m.text), m.url, m.likes, m.comments, m.shares, m.views,
        ])


@brand_route(P.BRAND_MENTIONS_VIEW)
def export(request: HttpRequest, brand: Brand) -> HttpResponse:
    form = StreamFilterForm(request.GET or None, brand=brand)
    response = StreamingHttpResponse(_csv(_filtered(brand, form)), content_type="text/csv")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="mentions-{brand.slug}-{stamp}.csv"'
    return response


@brand_route(P.BRAND_MENTIONS_VIEW)
def export_xlsx(request: HttpRequest, brand: Brand) -> HttpResponse:
    """The filtered mentions as an Excel workbook, written in constant memory to a temporary
    file and streamed from there."""
    import tempfile

    import xlsxwriter
    from django.http import FileResponse

    form = StreamFilterForm(request.GET or None, brand=brand)
    # FileResponse closes the file once sent, so no context manager here.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "remove_timezone": True,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(_("Mentions")[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, EXPORT_FIELDS, bold)
    row = 1
    for m in _filtered(brand, form).order_by("-created_at", "-id").iterator(chunk_size=2000):
        sheet.write_row(row, 0, [
            m.created_at.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds"), m.network,
            m.kind, "@" + m.author.handle, m.author_followers or 0, m.language, m.sentiment,
            m.flag, m.text[:32000], m.url, m.likes, m.comments, m.shares, m.views,
        ])
        row += 1
    sheet.autofilter(0, 0, max(row - 1, 1), len(EXPORT_FIELDS) - 1)
    book.close()
    handle.seek(0)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle, as_attachment=True, filename=f"mentions-{brand.slug}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@brand_route(P.BRAND_MENTIONS_VIEW)
def queries(request: HttpRequest, brand: Brand) -> HttpResponse:
    return render(request, "listening/queries.html", {
        "org": brand.organization, "brand": brand, "section": "listen",
        "queries": [
            _coloured(q) for q in brand.queries.annotate(match_count=Count("matches"))
        ],
        "can_manage": can(request.user, P.BRAND_QUERIES_MANAGE, brand),
        "model_accuracy": [
            (Correction.Field(field).label, figures)
            for field, figures in accuracy(brand).items()
        ],
    })


def _coloured(query: Query) -> Query:
    query.segments = highlight_segments(query.text, [])  # type: ignore[attr-defined]
    return query


@brand_route(P.BRAND_QUERIES_MANAGE)
def corrections_export(request: HttpRequest, brand: Brand) -> StreamingHttpResponse:
    """People's corrections of the text models for this brand, as JSONL training data."""
    rows = (json.dumps(row, ensure_ascii=False) + "\n" for row in correction_rows(brand=brand))
    response = StreamingHttpResponse(rows, content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{brand.slug}-corrections.jsonl"'
    return response


def _query(brand: Brand, query_id: int | None) -> Query | None:
    if query_id is None:
        return None
    query = Query.objects.filter(id=query_id, brand=brand).first()
    if query is None:
        raise Http404("No such query.")
    return query


def _edit(request: HttpRequest, brand: Brand, query_id: int | None) -> HttpResponse:
    query = _query(brand, query_id)
    form = QueryForm(request.POST or None, instance=query)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            before = {"text": query.text, "name": query.name} if query else None
            saved = form.save(commit=False)
            saved.brand = brand
            if query is None:
                saved.created_by = request.user
            saved.save()
            record(brand.organization, Actor.from_request(request, brand.organization),
                   AuditAction.QUERY_SAVED, obj=saved, brand=brand, before=before,
                   after={"text": saved.text, "name": saved.name, "active": saved.is_active})
            schedule_backfill(saved)
        messages.success(request, _("Query saved. It is being applied to stored mentions."))
        return redirect("listening:queries", brand.organization.slug, brand.slug)
    return render(request, "listening/query_form.html", {
        "org": brand.organization, "brand": brand, "form": form, "query": query,
        "section": "listen",
    })


@brand_route(P.BRAND_QUERIES_MANAGE)
def query_new(request: HttpRequest, brand: Brand) -> HttpResponse:
    return _edit(request, brand, None)


@brand_route(P.BRAND_QUERIES_MANAGE)
def query_edit(request: HttpRequest, brand: Brand, query_id: int) -> HttpResponse:
    return _edit(request, brand, query_id)


def schedule_backfill(query: Query) -> None:
    """After the save commits, apply the query to the mentions already stored."""
    from tertulia.listening.tasks import backfill_query

    transaction.on_commit(lambda: backfill_query(query.id))


@brand_route(P.BRAND_QUERIES_MANAGE)
def query_preview(request: HttpRequest, brand: Brand) -> HttpResponse:
    """The "test" button: what the query would match over the last 30 days, before saving."""
    from tertulia.listening.backfill import preview
    from tertulia.listening.query import QuerySyntaxError

    lang = "es" if (get_language() or "en").startswith("es") else "en"
    try:
        result = preview(brand.organization, request.GET.get("text", ""))
    except QuerySyntaxError as error:
        return render(request, "listening/_preview.html",
                      {"error": f"{error.message(lang)} {error.hint(lang)}"})
    return render(request, "listening/_preview.html", {
        **_row_context(request, brand), "result": result, "can_correct": False,
    })


@brand_route(P.BRAND_QUERIES_MANAGE)
def query_validate(request: HttpRequest, brand: Brand) -> HttpResponse:
    """Live diagnostics and syntax colouring for the editor (htmx): the same messages as
    the API, and the query cut into coloured segments by the parser's own lexer."""
    lang = "es" if (get_language() or "en").startswith("es") else "en"
    text = request.GET.get("text", "")
    diagnostics = validate(text, lang) if text.strip() else []
    return render(request, "listening/_diagnostics.html", {
        "diagnostics": diagnostics, "empty": not text.strip(), "text": text,
        "segments": highlight_segments(text, diagnostics),
    })


def highlight_segments(text: str, diagnostics: list[Any]) -> list[tuple[str, str]]:
    """(piece of text, css class) covering all of `text`: token kinds from the lexer, and
    the span of each error underlined."""
    kinds = [""] * len(text)
    for span in highlight(text):
        for i in range(span.start, min(span.end, len(text))):
            kinds[i] = f"qh-{span.kind}"
    for d in diagnostics:
        if d.severity == "error":
            for i in range(max(d.start, 0), min(max(d.end, d.start + 1), len(text))):
                kinds[i] = (kinds[i] + " qh-problem").strip()
    segments: list[tuple[str, str]] = []
    for char, kind in zip(text, kinds, strict=True):
        if segments and segments[-1][1] == kind:
            segments[-1] = (segments[-1][0] + char, kind)
        else:
            segments.append((char, kind))
    if any(d.severity == "error" and d.start >= len(text) for d in diagnostics):
        segments.append(("\u00a0\u00a0", "qh-problem"))  # something is missing at the end
    return segments
