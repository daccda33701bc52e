"""Listening over the API: queries (CRUD + validate), mentions (list and search), ingest."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from tertulia.api.permissions import declares, require
from tertulia.api.router_common import answers
from tertulia.governance.access import visible_brands
from tertulia.governance.audit import Actor, AuditAction, record
from tertulia.governance.models import Brand, Organization
from tertulia.governance.permissions import Permission as P
from tertulia.listening import models
from tertulia.listening.pipeline import ingest
from tertulia.listening.query import QuerySyntaxError, parse, validate
from tertulia.listening.retention import hide_deleted
from tertulia.listening.views import schedule_backfill
from tertulia.networks.items import ItemValidationError, item_from_dict
from tertulia.web.routing import SIGNED_IN

router = Router(tags=["listening"])
MAX_INGEST = 1000


def _org(request: HttpRequest, org_slug: str) -> Organization:
    token = request.auth  # type: ignore[attr-defined]
    org = Organization.objects.filter(slug=org_slug, id=token.organization_id).first()
    if org is None:
        raise Http404
    return org


def _brand(request: HttpRequest, org_slug: str, brand_slug: str, permission: P) -> Brand:
    org = _org(request, org_slug)
    brand = visible_brands(request.user, org).filter(slug=brand_slug).first()
    if brand is None:
        raise Http404
    require(request, permission, org=org, brand=brand)
    return brand


class DiagnosticOut(Schema):
    code: str
    severity: str
    start: int
    end: int
    line: int
    column: int
    message: str
    hint: str


class ValidationOut(Schema):
    valid: bool
    diagnostics: list[DiagnosticOut]


@router.get("/queries/validate", response=answers(ValidationOut))
@declares(SIGNED_IN)
def validate_query(request: HttpRequest, q: str, lang: Literal["en", "es"] = "en") -> Any:
    """The same diagnostics the query editor shows as you type."""
    diagnostics = [d.as_dict() for d in validate(q, lang)]
    return {"valid": not any(d["severity"] == "error" for d in diagnostics),
            "diagnostics": diagnostics}


class QueryIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["brand", "competitor", "campaign", "topic", "crisis"] = "brand"
    text: str = Field(min_length=1, max_length=4096)
    is_active: bool = True


class QueryOut(Schema):
    id: int
    name: str
    kind: str
    text: str
    is_active: bool


class ErrorOut(Schema):
    """A refused query: a sentence, or the request's field problems, plus diagnostics."""

    detail: Any
    diagnostics: list[DiagnosticOut] = []


def _check(text: str) -> list[dict[str, object]] | None:
    try:
        parse(text)
    except QuerySyntaxError as error:
        return [error.to_diagnostic("en").as_dict()]
    return None


@router.get("/orgs/{org_slug}/brands/{brand_slug}/queries", response=answers(list[QueryOut]))
@declares(P.BRAND_MENTIONS_VIEW)
def list_queries(request: HttpRequest, org_slug: str, brand_slug: str) -> Any:
    return list(_brand(request, org_slug, brand_slug, P.BRAND_MENTIONS_VIEW).queries.all())


@router.post("/orgs/{org_slug}/brands/{brand_slug}/queries",
             response=answers(QueryOut, ok_status=201, s422=ErrorOut))
@declares(P.BRAND_QUERIES_MANAGE)
def create_query(request: HttpRequest, org_slug: str, brand_slug: str, body: QueryIn) -> Any:
    brand = _brand(request, org_slug, brand_slug, P.BRAND_QUERIES_MANAGE)
    problems = _check(body.text)
    if problems:
        return 422, {"detail": "The query is not valid.", "diagnostics": problems}
    with transaction.atomic():
        query = models.Query.objects.create(brand=brand, created_by=request.user, **body.dict())
        record(brand.organization, Actor.from_request(request, brand.organization),
               AuditAction.QUERY_SAVED, obj=query, brand=brand, after=body.dict())
        schedule_backfill(query)
    return 201, query


def _query(request: HttpRequest, org_slug: str, brand_slug: str, query_id: int,
           permission: P) -> models.Query:
    brand = _brand(request, org_slug, brand_slug, permission)
    query = brand.queries.filter(id=query_id).first()
    if query is None:
        raise Http404
    return query


@router.get("/orgs/{org_slug}/brands/{brand_slug}/queries/{query_id}",
            response=answers(QueryOut))
@declares(P.BRAND_MENTIONS_VIEW)
def get_query(request: HttpRequest, org_slug: str, brand_slug: str, query_id: int) -> Any:
    return _query(request, org_slug, brand_slug, query_id, P.BRAND_MENTIONS_VIEW)


@router.put("/orgs/{org_slug}/brands/{brand_slug}/queries/{query_id}",
            response=answers(QueryOut, s422=ErrorOut))
@declares(P.BRAND_QUERIES_MANAGE)
def update_query(request: HttpRequest, org_slug: str, brand_slug: str, query_id: int,
                 body: QueryIn) -> Any:
    query = _query(request, org_slug, brand_slug, query_id, P.BRAND_QUERIES_MANAGE)
    problems = _check(body.text)
    if problems:
        return 422, {"detail": "The query is not valid.", "diagnostics": problems}
    with transaction.atomic():
        before = {"name": query.name, "text": query.text, "is_active": query.is_active}
        for name, value in body.dict().items():
            setattr(query, name, value)
        query.save()
        record(query.brand.organization, Actor.from_request(request, query.brand.organization),
               AuditAction.QUERY_SAVED, obj=query, brand=query.brand, before=before,
               after=body.dict())
        schedule_backfill(query)
    return 200, query


@router.delete("/orgs/{org_slug}/brands/{brand_slug}/queries/{query_id}",
               response=answers(None, ok_status=204))
@declares(P.BRAND_QUERIES_MANAGE)
def delete_query(request: HttpRequest, org_slug: str, brand_slug: str, query_id: int) -> Any:
    query = _query(request, org_slug, brand_slug, query_id, P.BRAND_QUERIES_MANAGE)
    with transaction.atomic():
        record(query.brand.organization, Actor.from_request(request, query.brand.organization),
               AuditAction.QUERY_DELETED, obj=query, brand=query.brand,
               before={"name": query.name, "text": query.text})
        query.delete()
    return 204, None


class MentionOut(Schema):
    id: int
    network: str
    external_id: str
    kind: str
    author: str
    author_followers: int | None
    created_at: datetime
    language: str
    sentiment: str
    flag: str
    text: str
    url: str
    likes: int
    comments: int
    shares: int


class MentionPage(Schema):
    items: list[MentionOut]
    next_cursor: str | None


class MentionFilters(Schema):
    q: str = ""
    query: int | None = None
    sentiment: Literal["", "positive", "neutral", "negative"] = ""
    flag: Literal["", "red", "yellow", "green", "spam", "none"] = ""
    language: str = ""
    network: str = ""
    author: str = ""
    min_followers: int | None = Field(default=None, ge=0)
    date_from: str = ""
    date_to: str = ""
    before: str = ""


@router.get("/orgs/{org_slug}/brands/{brand_slug}/mentions", response=answers(MentionPage))
@declares(P.BRAND_MENTIONS_VIEW)
def list_mentions(request: HttpRequest, org_slug: str, brand_slug: str,
                  filters: Query[MentionFilters]) -> Any:
    """Mentions matched by the brand's queries, newest first, 50 a page (keyset cursor)."""
    from tertulia.listening.forms import StreamFilterForm
    from tertulia.listening.views import _filtered, _page

    brand = _brand(request, org_slug, brand_slug, P.BRAND_MENTIONS_VIEW)
    data = {k: v for k, v in filters.dict().items() if v not in ("", None) and k != "before"}
    form = StreamFilterForm(data, brand=brand)
    rows, cursor = _page(_filtered(brand, form), filters.before or None)
    return {"items": [_mention(m) for m in rows], "next_cursor": cursor}


@router.get(
    "/orgs/{org_slug}/brands/{brand_slug}/mentions/export", response=answers(None),
    openapi_extra={"responses": {"200": {
        "description": "One mention per line (JSON Lines), newest first, every match.",
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    }}},
)
@declares(P.BRAND_MENTIONS_VIEW)
def export_mentions(request: HttpRequest, org_slug: str, brand_slug: str,
                    filters: Query[MentionFilters]) -> Any:
    """Every mention matching the filters as JSON Lines, streamed (no page size)."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.http import StreamingHttpResponse

    from tertulia.listening.forms import StreamFilterForm
    from tertulia.listening.views import _filtered

    brand = _brand(request, org_slug, brand_slug, P.BRAND_MENTIONS_VIEW)
    data = {k: v for k, v in filters.dict().items() if v not in ("", None) and k != "before"}
    rows = _filtered(brand, StreamFilterForm(data, brand=brand)).order_by("-created_at", "-id")
    lines = (json.dumps(_mention(m), cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"
             for m in rows.iterator(chunk_size=2000))
    response = StreamingHttpResponse(lines, content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="mentions-{brand.slug}.jsonl"'
    return response


def _mention(m: models.Mention) -> dict[str, object]:
    return {
        "id": m.id, "network": m.network, "external_id": m.external_id, "kind": m.kind,
        "author": m.author.handle, "author_followers": m.author_followers,
        "created_at": m.created_at, "language": m.language, "sentiment": m.sentiment,
        "flag": m.flag, "text": m.text, "url": m.url, "likes": m.likes,
        "comments": m.comments, "shares": m.shares,
    }


class DeletedIn(Schema):
    network: str = Field(min_length=1, max_length=20)
    external_id: str = Field(min_length=1, max_length=256)


class IngestIn(Schema):
    items: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_INGEST)
    deleted: list[DeletedIn] = Field(
        default_factory=list, max_length=MAX_INGEST,
        description="Items deleted on their network: hidden at once, purged within the hour.")


class ItemErrorOut(Schema):
    index: int
    field: str
    value: str
    reason: str


class IngestOut(Schema):
    created: int
    updated: int
    unchanged: int
    hidden: int
    errors: list[ItemErrorOut]


@router.post("/orgs/{org_slug}/ingest", response=answers(IngestOut))
@declares(P.ORG_INGEST_WRITE)
def push_items(request: HttpRequest, org_slug: str, body: IngestIn) -> Any:
    """Push up to 1,000 items (the flat or nested item format) and up to 1,000 delete
    notices. Valid items are stored even when others are refused; each refusal names the
    item, field, value and reason."""
    org = _org(request, org_slug)
    require(request, P.ORG_INGEST_WRITE, org=org)
    items, errors = [], []
    for index, raw in enumerate(body.items):
        try:
            items.append(item_from_dict(raw))
        except ItemValidationError as error:
            errors += [{"index": index, "field": e.field, "value": str(e.value)[:200],
                        "reason": e.reason} for e in error.errors]
    result = ingest(org, items)
    hidden = hide_deleted(org, [(d.network, d.external_id) for d in body.deleted])
    return {"created": len(result.created), "updated": len(result.updated),
            "unchanged": len(items) - len(result.created) - len(result.updated),
            "hidden": hidden, "errors": errors}

