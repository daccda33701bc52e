"""Leads over the API, for a CRM: list (by stage, changed since), read, update."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from tertulia.api.permissions import declares, require
from tertulia.api.router_common import answers
from tertulia.cases import actions, leads
from tertulia.cases.models import Lead
from tertulia.governance.access import can, visible_brands
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand, Organization, User
from tertulia.governance.permissions import Permission as P

router = Router(tags=["leads"])
Stage = Literal["new", "contacted", "qualified", "won", "lost"]
MAX_PAGE = 200


def _brand(request: HttpRequest, org_slug: str, brand_slug: str, permission: P) -> Brand:
    token = request.auth  # type: ignore[attr-defined]
    org = Organization.objects.filter(slug=org_slug, id=token.organization_id).first()
    if org is None:
        raise Http404
    brand = visible_brands(request.user, org).filter(slug=brand_slug).first()
    if brand is None:
        raise Http404
    require(request, permission, org=org, brand=brand)
    return brand


class LeadOut(Schema):
    id: int
    name: str
    stage: str
    value: Decimal | None
    currency: str
    owner_email: str | None
    source_network: str
    source_conversation: int | None
    source_query: str | None
    case_number: int | None
    crm_ref: str
    origin_at: datetime
    first_contact_at: datetime | None
    time_to_first_contact_s: int | None
    created_at: datetime
    updated_at: datetime


class LeadPage(Schema):
    items: list[LeadOut]
    next_after: int | None


class LeadFilters(Schema):
    stage: Stage | None = None
    updated_since: datetime | None = None
    after: int = Field(default=0, ge=0, description="The `next_after` of the previous page.")
    limit: int = Field(default=100, ge=1, le=MAX_PAGE)


Amount = Annotated[float, Field(ge=0, lt=1e12)]
AmountText = Annotated[str, Field(pattern=r"^[0-9]{1,12}([.][0-9]{1,2})?$")]


class LeadPatch(Schema):
    """Only the fields sent change; `value: null` clears the value."""

    stage: Stage | None = None
    value: Amount | AmountText | None = Field(
        default=None, description="A number, or a string like \"1250.50\".")
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    owner_email: str | None = Field(default=None, max_length=254,
                                    description="Empty string: nobody.")
    crm_ref: str | None = Field(default=None, max_length=120)


def _out(lead: Lead) -> dict[str, Any]:
    return {
        "id": lead.id, "name": lead.name, "stage": lead.stage, "value": lead.value,
        "currency": lead.currency, "owner_email": lead.owner.email if lead.owner else None,
        "source_network": lead.source_network, "source_conversation": lead.conversation_id,
        "source_query": lead.source_query.name if lead.source_query else None,
        "case_number": lead.case.number if lead.case else None, "crm_ref": lead.crm_ref,
        "origin_at": lead.origin_at, "first_contact_at": leads.first_contact_at(lead),
        "time_to_first_contact_s": leads.time_to_first_contact_s(lead),
        "created_at": lead.created_at, "updated_at": lead.updated_at,
    }


def _rows(brand: Brand) -> Any:
    return leads.with_contact(Lead.objects.filter(brand=brand)).select_related("case")


@router.get("/orgs/{org_slug}/brands/{brand_slug}/leads", response=answers(LeadPage))
@declares(P.BRAND_LEADS_VIEW)
def list_leads(request: HttpRequest, org_slug: str, brand_slug: str,
               filters: Query[LeadFilters]) -> Any:
    """Leads in id order, `limit` a page; a CRM syncs with `updated_since` and pages on with
    `after`."""
    brand = _brand(request, org_slug, brand_slug, P.BRAND_LEADS_VIEW)
    rows = _rows(brand).filter(id__gt=filters.after)
    if filters.stage:
        rows = rows.filter(stage=filters.stage)
    if filters.updated_since:
        rows = rows.filter(Q(updated_at__gte=filters.updated_since))
    found = list(rows.order_by("id")[:filters.limit + 1])
    more = len(found) > filters.limit
    found = found[:filters.limit]
    return {"items": [_out(lead) for lead in found],
            "next_after": found[-1].id if more and found else None}


def _lead(brand: Brand, lead_id: int) -> Lead:
    lead = _rows(brand).filter(id=lead_id).first()
    if lead is None:
        raise Http404
    return lead


@router.get("/orgs/{org_slug}/brands/{brand_slug}/leads/{lead_id}", response=answers(LeadOut))
@declares(P.BRAND_LEADS_VIEW)
def get_lead(request: HttpRequest, org_slug: str, brand_slug: str, lead_id: int) -> Any:
    return _out(_lead(_brand(request, org_slug, brand_slug, P.BRAND_LEADS_VIEW), lead_id))


@router.patch("/orgs/{org_slug}/brands/{brand_slug}/leads/{lead_id}",
              response=answers(LeadOut))
@declares(P.BRAND_LEADS_MANAGE)
def update_lead(request: HttpRequest, org_slug: str, brand_slug: str, lead_id: int,
                body: LeadPatch) -> Any:
    """Move the stage, set the value, currency, owner (by e-mail) or the CRM's own id."""
    brand = _brand(request, org_slug, brand_slug, P.BRAND_LEADS_MANAGE)
    lead = _lead(brand, lead_id)
    sent = body.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    if sent.get("stage") is not None:
        changes["stage"] = sent["stage"]
    if "value" in sent:
        changes["value"] = sent["value"]
    if sent.get("currency") is not None:
        changes["currency"] = sent["currency"]
    if sent.get("crm_ref") is not None:
        changes["crm_ref"] = sent["crm_ref"]
    if "owner_email" in sent:
        email = (sent["owner_email"] or "").strip()
        owner = User.objects.filter(email__iexact=email, is_active=True).first() if email \
            else None
        if email and (owner is None or not can(owner, P.BRAND_LEADS_VIEW, brand)):
            return Status(400, {"detail": f"owner_email: nobody with the e-mail "
                                          f"{email[:254]!r} can see this brand's leads."})
        changes["owner"] = owner
    try:
        actions.do_update_lead(lead, actor=Actor.from_request(request, brand.organization),
                               **changes)
    except ValidationError as error:
        return Status(400, {"detail": "; ".join(error.messages)})
    return _out(_lead(brand, lead_id))
