"""The REST API at /api/v1 (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema

from tertulia.api.auth import TokenAuth
from tertulia.api.permissions import declares, require
from tertulia.api.ratelimit import RateLimited
from tertulia.api.router_common import answers
from tertulia.governance.access import visible_brands
from tertulia.governance.models import Organization
from tertulia.governance.permissions import Permission
from tertulia.web.routing import SIGNED_IN

api = NinjaAPI(
    title="tertulia API", version="1", auth=TokenAuth(), urls_namespace="api",
    description="Listen, engage, understand, publish and govern, over HTTP. "
    "Authenticate with `Authorization: Bearer <token>` (create tokens in your account).",
)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Permission denied."}, status=403)


@api.exception_handler(RateLimited)
def too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = api.create_response(
        request, {"detail": f"{exc} Try again in {exc.retry_after} s."}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


class MeOut(Schema):
    email: str
    full_name: str
    language: str
    organization: str


class BrandOut(Schema):
    slug: str
    name: str
    timezone: str
    language: str


@api.get("/me", response=answers(MeOut), tags=["account"])
@declares(SIGNED_IN)
def me(request: HttpRequest) -> MeOut:
    token = request.auth  # type: ignore[attr-defined]
    user = token.user
    return MeOut(email=user.email, full_name=user.full_name, language=user.language or "",
                 organization=token.organization.slug)


@api.get("/orgs/{org_slug}/brands", response=answers(list[BrandOut]), tags=["governance"])
@declares(Permission.ORG_VIEW)
def brands(request: HttpRequest, org_slug: str) -> list[BrandOut]:
    token = request.auth  # type: ignore[attr-defined]
    # A token belongs to one organization; any other is "not found", never "forbidden".
    org = Organization.objects.filter(slug=org_slug, id=token.organization_id).first()
    if org is None:
        raise Http404
    require(request, Permission.ORG_VIEW, org=org)
    rows = visible_brands(request.user, org)
    if token.brands.exists():
        rows = rows.filter(id__in=token.brands.values("id"))
    return [BrandOut(slug=b.slug, name=b.name, timezone=b.timezone, language=b.language)
            for b in rows]


def _mount() -> None:
    from tertulia.listening.api import router as listening

    api.add_router("/", listening)
    from tertulia.cases.api import router as cases

    api.add_router("/", cases)
    from tertulia.insights.api import router as insights

    api.add_router("/", insights)


_mount()
