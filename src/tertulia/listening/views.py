"""The mention stream, search and export of a brand; saved queries with a live editor."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, time

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand
from tertulia.governance.permissions import Permission as P
from tertulia.listening import search
from tertulia.listening.forms import QueryForm, StreamFilterForm
from tertulia.listening.models import Mention, MentionMatch, Query
from tertulia.listening.query import validate
from tertulia.web.routing import brand_route

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


@brand_route(P.BRAND_MENTIONS_VIEW)
def stream(request: HttpRequest, brand: Brand) -> HttpResponse:
    form = StreamFilterForm(request.GET or None, brand=brand)
    rows, cursor = _page(_filtered(brand, form), request.GET.get("before"))
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "listening/stream.html", {
        "org": brand.organization, "brand": brand, "form": form, "mentions": rows,
        "next_cursor": cursor, "query": query.urlencode(), "section": "listen",
        "queries": brand.queries.all(),
    })


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
def queries(request: HttpRequest, brand: Brand) -> HttpResponse:
    from django.db.models import Count

    from tertulia.governance.access import can

    return render(request, "listening/queries.html", {
        "org": brand.organization, "brand": brand, "section": "listen",
        "queries": brand.queries.annotate(match_count=Count("matches")),
        "can_manage": can(request.user, P.BRAND_QUERIES_MANAGE, brand),
    })


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
        messages.success(request, _("Query saved."))
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


@brand_route(P.BRAND_QUERIES_MANAGE)
def query_validate(request: HttpRequest, brand: Brand) -> HttpResponse:
    """Live diagnostics for the editor (htmx): the same messages as the API."""
    lang = "es" if (get_language() or "en").startswith("es") else "en"
    text = request.GET.get("text", "")
    diagnostics = validate(text, lang) if text.strip() else []
    return render(request, "listening/_diagnostics.html", {"diagnostics": diagnostics,
                                                           "empty": not text.strip()})

