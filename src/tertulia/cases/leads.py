"""Reading leads: time to first contact, and the CSV export (streamed, one header)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse

from tertulia.cases.models import Lead
from tertulia.engagement.models import Reply

CSV_HEADER = (
    "lead_id", "created_at", "brand", "name", "stage", "value", "currency", "owner_email",
    "source_network", "source_conversation", "source_query", "origin_at", "first_contact_at",
    "time_to_first_contact_s", "crm_ref", "updated_at", "conversation_url",
)


def with_contact(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """Annotate ``first_reply_at``: our first non-automatic reply on the lead's conversation
    that did not fail."""
    first_reply = (Reply.objects.filter(conversation_id=OuterRef("conversation_id"),
                                        is_automatic=False)
                   .exclude(state=Reply.State.FAILED).order_by("created_at")
                   .values("created_at")[:1])
    return leads.annotate(first_reply_at=Subquery(first_reply)).select_related(
        "brand", "owner", "source_query")


def first_contact_at(lead: Lead) -> datetime | None:
    found = [t for t in (getattr(lead, "first_reply_at", None), lead.contacted_at) if t]
    return min(found) if found else None


def time_to_first_contact_s(lead: Lead) -> int | None:
    first = first_contact_at(lead)
    if first is None:
        return None
    return max(0, int((first - lead.origin_at).total_seconds()))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: object) -> object:
    """Spreadsheets run cells that start with = + - @ as formulas: keep text inert."""
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def _iso(at: datetime | None) -> str:
    return at.isoformat() if at else ""


def csv_row(lead: Lead) -> list[object]:
    conversation_url = (settings.BASE_URL + reverse(
        "engagement:conversation", args=[lead.brand.organization.slug, lead.conversation_id])
        if lead.conversation_id else "")
    ttfc = time_to_first_contact_s(lead)
    return [
        lead.id, lead.created_at.isoformat(), lead.brand.slug, _safe(lead.name), lead.stage,
        f"{lead.value:.2f}" if lead.value is not None else "", lead.currency,
        lead.owner.email if lead.owner else "", lead.source_network,
        lead.conversation_id or "", _safe(lead.source_query.name) if lead.source_query else "",
        lead.origin_at.isoformat(), _iso(first_contact_at(lead)),
        ttfc if ttfc is not None else "", _safe(lead.crm_ref), lead.updated_at.isoformat(),
        conversation_url,
    ]


def csv_lines(leads: QuerySet[Lead]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(CSV_HEADER)
    for lead in with_contact(leads).select_related("brand__organization").order_by(
            "created_at", "id").iterator(chunk_size=1000):
        yield writer.writerow(csv_row(lead))
