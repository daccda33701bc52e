"""Looking conversations up and authorizing them in one step.

A conversation outside the organization, or on a brand the person cannot see, is a 404 (its
existence does not leak); one they can see without the permission asked is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tertulia.engagement.models import (
    Conversation,
    Customer,
    CustomerMerge,
    Reply,
    ReplyTemplate,
    Rule,
    SavedView,
)
from tertulia.governance.access import can, visible_brands
from tertulia.governance.models import Brand, Organization
from tertulia.governance.permissions import Permission


def access_conversation(user: Any, org: Organization, conversation_id: int,
                        permission: Permission) -> Conversation:
    conv = (Conversation.objects.filter(id=conversation_id, organization=org)
            .select_related("brand", "brand__organization", "customer", "assignee", "team")
            .first())
    if conv is None or not visible_brands(user, org).filter(id=conv.brand_id).exists():
        raise Http404("No such conversation.")
    if not can(user, permission, conv.brand):
        raise PermissionDenied
    return conv


def access_rule(brand: Brand, rule_id: int) -> Rule:
    rule = Rule.objects.filter(id=rule_id, brand=brand).first()
    if rule is None:
        raise Http404("No such rule.")
    return rule


def access_template(brand: Brand, template_id: int) -> ReplyTemplate:
    template = ReplyTemplate.objects.filter(id=template_id, brand=brand).first()
    if template is None:
        raise Http404("No such template.")
    return template


def customer_brand_ids(user: Any, org: Organization) -> list[int] | None:
    """Brands whose customers the person may see; None: every brand of the organization."""
    from tertulia.engagement.inbox import inbox_scope

    scope = inbox_scope(user, org)
    return None if scope.everything else scope.brand_ids


def access_customer(user: Any, org: Organization, customer_id: int,
                    permission: Permission) -> Customer:
    """A customer of ``org`` the person may see: anyone with the whole organization, or one
    who wrote on a brand whose inbox they may see. ``permission`` must be held on one of
    the brands the customer wrote on (or organization-wide)."""
    customer = Customer.objects.filter(id=customer_id, organization=org).first()
    if customer is None:
        raise Http404("No such customer.")
    brand_ids = customer_brand_ids(user, org)
    if brand_ids is None:
        if not can(user, permission, org=org):
            raise PermissionDenied
        return customer
    # A merged-away record shows its target's conversations.
    owner_id = customer.merged_into_id or customer.id
    seen = list(Brand.objects.filter(
        id__in=Conversation.objects.filter(customer_id=owner_id, brand_id__in=brand_ids)
        .values("brand_id")).select_related("organization"))
    if not seen:
        raise Http404("No such customer.")
    if not any(can(user, permission, b) for b in seen):
        raise PermissionDenied
    return customer


def access_merge(user: Any, org: Organization, merge_id: int,
                 permission: Permission) -> CustomerMerge:
    merge = CustomerMerge.objects.filter(id=merge_id, organization=org).first()
    if merge is None:
        raise Http404("No such merge.")
    access_customer(user, org, merge.target_id, permission)
    return merge


def access_saved_view(user: Any, org: Organization, view_id: int) -> SavedView:
    """The person's own saved views and the shared ones of the organization."""
    from django.db.models import Q

    view = SavedView.objects.filter(Q(owner=user) | Q(shared=True), id=view_id,
                                    organization=org).first()
    if view is None:
        raise Http404("No such view.")
    return view


def access_held_reply(user: Any, org: Organization, reply_id: int,
                      permission: Permission) -> Reply:
    reply = (Reply.objects.filter(id=reply_id, organization=org)
             .select_related("brand__organization", "conversation").first())
    if reply is None or not visible_brands(user, org).filter(id=reply.brand_id).exists():
        raise Http404("No such reply.")
    if not can(user, permission, reply.brand):
        raise PermissionDenied
    return reply
