"""Looking conversations up and authorizing them in one step.

A conversation outside the organization, or on a brand the person cannot see, is a 404 (its
existence does not leak); one they can see without the permission asked is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tertulia.engagement.models import Conversation, ReplyTemplate, Rule
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
