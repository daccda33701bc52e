"""Whose replies wait for an approver. No Django.

A brand turns approval on (``replies_need_approval``) and names the roles it applies to
(``approval_roles``: role names such as ``agent``, plus ``agency`` for anyone acting on the
brand through an agency grant). A person's reply waits for approval when approval is on and
one of the ways they reach the brand is named, unless they may approve replies themselves
(an approver's own reply never waits for another approver).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

__all__ = ["AGENCY", "ApprovalPolicy", "needs_approval"]

AGENCY = "agency"


@dataclass(frozen=True, slots=True)
class ApprovalPolicy:
    enabled: bool
    roles: frozenset[str]


def needs_approval(policy: ApprovalPolicy, *, roles: Collection[str], via_agency: bool,
                   may_approve: bool) -> bool:
    """Does this person's reply wait for an approver?

    ``roles``: the roles the person holds on the brand (organization-wide or on the brand);
    ``via_agency``: they reach the brand through an agency grant; ``may_approve``: they hold
    the approval permission there.
    """
    if not policy.enabled or may_approve:
        return False
    if via_agency and AGENCY in policy.roles:
        return True
    return any(str(r) in policy.roles for r in roles)
