"""The customer pages (CRM view): the list, one customer (handles, contact data, consent,
lifetime history, influence, merge suggestions), editing, consent, merging and undoing.

Views parse and render; every change goes through ``customer_actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tertulia.engagement import customer_actions, customers
from tertulia.engagement.access import access_customer, access_merge, customer_brand_ids
from tertulia.engagement.customer_match import REASONS
from tertulia.engagement.forms import ConsentForm, CustomerForm
from tertulia.engagement.influence import WEIGHTS
from tertulia.engagement.models import ConsentChannel, Customer, CustomerMerge
from tertulia.governance.access import can
from tertulia.governance.audit import Actor
from tertulia.governance.models import Organization
from tertulia.governance.permissions import Permission as P
from tertulia.listening.models import Author
from tertulia.web.routing import org_route, post_only

PAGE = 50


def reason_labels() -> dict[str, str]:
    labels = {"email": _("same e-mail"), "website": _("same website"),
              "bio_link": _("link in bio"), "name": _("same name")}
    assert set(labels) == set(REASONS)
    return labels


@org_route(P.BRAND_INBOX_VIEW)
def customer_list(request: HttpRequest, org: Organization) -> HttpResponse:
    """Customers seen on the brands the person may see; search by name, e-mail or handle."""
    brand_ids = customer_brand_ids(request.user, org)
    qs = customers.live_customers(org, brand_ids)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        handles = Author.objects.filter(organization=org, handle__icontains=q.lstrip("@"))
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q)
                       | Q(handles__author__in=handles)).distinct()
    rows = list(qs.order_by("-last_seen_at", "-id")[:PAGE])
    return render(request, "engagement/customers.html", {
        "org": org, "section": "inbox", "rows": rows, "q": q})


@org_route(P.BRAND_INBOX_VIEW)
def customer_suggestions(request: HttpRequest, org: Organization) -> HttpResponse:
    """Records that look like the same person, strongest first; a person merges them."""
    brand_ids = customer_brand_ids(request.user, org)
    rows, truncated = customers.org_suggestions(org, brand_ids)
    return render(request, "engagement/customer_suggestions.html", {
        "org": org, "section": "inbox", "rows": rows, "truncated": truncated,
        "reasons": reason_labels(),
        "can_merge": can(request.user, P.BRAND_CUSTOMERS_MANAGE, org=org)})


def _page(request: HttpRequest, org: Organization, customer: Customer, *,
          form: CustomerForm | None = None, consent_form: ConsentForm | None = None,
          status: int = 200) -> HttpResponse:
    brand_ids = customer_brand_ids(request.user, org)
    history = list(customers.conversations_of(customer, brand_ids)[:200])
    consents = customer_actions.consent_state(customer)
    can_manage = any(can(request.user, P.BRAND_CUSTOMERS_MANAGE, c.brand) for c in history) or (
        brand_ids is None and can(request.user, P.BRAND_CUSTOMERS_MANAGE, org=org))
    if form is None:
        form = CustomerForm(initial={
            "name": customer.name, "email": customer.email, "phone": customer.phone,
            "website": customer.website, "company": customer.company,
            "language": customer.language, "tags": ", ".join(customer.tags or []),
            "segment": customer.segment, "crm_id": customer.crm_id,
            "bio_links": "\n".join(customer.bio_links or []), "is_vip": customer.is_vip})
    with timezone.override("UTC"):
        consent_form = consent_form or ConsentForm(initial={
            "given_at": timezone.now().replace(second=0, microsecond=0)})
    return render(request, "engagement/customer.html", {
        "org": org, "section": "inbox", "customer": customer,
        "handles": list(customer.handles.select_related("author").order_by("author__network")),
        "history": history, "departments": customers.departments(history),
        "brands_seen": sorted({c.brand.name for c in history}),
        "consent_rows": [(value, label, consents.get(value))
                         for value, label in ConsentChannel.choices],
        "consent_log": list(customer.consents.order_by("-given_at", "-id")[:50]),
        "suggestions": customers.suggestions_for(customer, brand_ids),
        "merges": list(CustomerMerge.objects.filter(target=customer, undone_at=None)
                       .select_related("source").order_by("-merged_at")),
        "merged_from": CustomerMerge.objects.filter(source=customer, undone_at=None).first(),
        "reasons": reason_labels(), "weights": WEIGHTS, "form": form,
        "consent_form": consent_form, "can_manage": can_manage,
    }, status=status)


@org_route(P.BRAND_INBOX_VIEW)
def customer_detail(request: HttpRequest, org: Organization, customer_id: int) -> HttpResponse:
    customer = access_customer(request.user, org, customer_id, P.BRAND_INBOX_VIEW)
    return _page(request, org, customer)


def _actor(request: HttpRequest, org: Organization) -> Actor:
    return Actor.from_request(request, org)


@org_route(P.BRAND_CUSTOMERS_MANAGE)
@post_only
def customer_edit(request: HttpRequest, org: Organization, customer_id: int) -> HttpResponse:
    customer = access_customer(request.user, org, customer_id, P.BRAND_CUSTOMERS_MANAGE)
    form = CustomerForm(request.POST)
    if form.is_valid():
        try:
            customer_actions.do_update_customer(customer, dict(form.cleaned_data),
                                                actor=_actor(request, org))
        except ValidationError as error:
            for field, errors in getattr(error, "message_dict", {"__all__": error.messages}
                                         ).items():
                form.add_error(None if field == "__all__" else field, errors)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("engagement:customer", org.slug, customer.id)
    return _page(request, org, customer, form=form, status=400)


@org_route(P.BRAND_CUSTOMERS_MANAGE)
@post_only
def customer_consent(request: HttpRequest, org: Organization,
                     customer_id: int) -> HttpResponse:
    customer = access_customer(request.user, org, customer_id, P.BRAND_CUSTOMERS_MANAGE)
    form = ConsentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            customer_actions.do_record_consent(
                customer, d["channel"], granted=d["granted"], given_at=d["given_at"],
                source=d["source"], actor=_actor(request, org))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("engagement:customer", org.slug, customer.id)
    return _page(request, org, customer, consent_form=form, status=400)


@org_route(P.BRAND_CUSTOMERS_MANAGE)
@post_only
def customer_merge(request: HttpRequest, org: Organization, customer_id: int) -> HttpResponse:
    """Merge another record (``other``) into this one."""
    target = access_customer(request.user, org, customer_id, P.BRAND_CUSTOMERS_MANAGE)
    raw = request.POST.get("other", "")
    if not raw.isdigit():
        messages.error(request, _("Choose the record to merge into this one."))
        return redirect("engagement:customer", org.slug, target.id)
    source = access_customer(request.user, org, int(raw), P.BRAND_CUSTOMERS_MANAGE)
    reasons = [r for r in request.POST.getlist("reason") if r in REASONS]
    try:
        customer_actions.do_merge_customers(target, source, reasons=reasons,
                                            actor=_actor(request, org))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, _("Merged. You can undo it from this page."))
    return redirect("engagement:customer", org.slug, target.id)


@org_route(P.BRAND_CUSTOMERS_MANAGE)
@post_only
def customer_unmerge(request: HttpRequest, org: Organization, merge_id: int) -> HttpResponse:
    merge = access_merge(request.user, org, merge_id, P.BRAND_CUSTOMERS_MANAGE)
    try:
        source = customer_actions.do_unmerge_customers(merge, actor=_actor(request, org))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("engagement:customer", org.slug, merge.target_id)
    messages.success(request, _("Merge undone."))
    return redirect("engagement:customer", org.slug, source.id)

