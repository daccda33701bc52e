"""Every change to organizations, brands, teams, people, agencies and roles.

Each `do_<verb>_<noun>()` owns its transaction, writes its AuditEvent inside it, and sends
e-mail only after commit. Views, the API, tasks and the CLI call these; nothing else saves
governance models.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tertulia.governance.access import forget
from tertulia.governance.audit import Actor, AuditAction, record, snapshot
from tertulia.governance.models import (
    AgencyGrant,
    AuditChainHead,
    Brand,
    Competitor,
    Invitation,
    Membership,
    Organization,
    SocialAccount,
    Team,
    TeamMember,
    User,
    new_token,
)
from tertulia.governance.permissions import BRAND_ROLES, Role

INVITATION_DAYS = 7
ORG_FIELDS = ("name", "slug", "kind", "default_language", "require_mfa",
              "mention_retention_days")
BRAND_FIELDS = ("name", "slug", "timezone", "language", "website", "description", "is_active")
TEAM_FIELDS = ("name", "kind", "description")


def unique_slug(base: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    root = slugify(base)[:50] or "item"
    slug, n = root, 2
    while slug in taken:
        slug, n = f"{root}-{n}", n + 1
    return slug


@transaction.atomic
def do_create_organization(
    name: str, *, slug: str | None = None, kind: str = Organization.Kind.CLIENT,
    owner: User | None = None, default_language: str = "es", actor: Actor,
) -> Organization:
    slug = slug or unique_slug(name, Organization.objects.values_list("slug", flat=True))
    org = Organization.objects.create(
        name=name, slug=slug, kind=kind, default_language=default_language
    )
    AuditChainHead.objects.create(organization=org)
    record(org, actor, AuditAction.ORG_CREATED, obj=org, after=snapshot(org, ORG_FIELDS))
    if owner is not None:
        _grant(org, owner, Role.ORG_OWNER, None, actor)
    return org


@transaction.atomic
def do_update_organization(org: Organization, changes: dict[str, Any], *, actor: Actor) -> None:
    before = snapshot(org, ORG_FIELDS)
    for name, value in changes.items():
        if name not in ORG_FIELDS or name in {"slug", "kind"}:
            raise ValueError(f"organization field {name!r} cannot be changed here")
        setattr(org, name, value)
    org.full_clean()
    org.save()
    record(org, actor, AuditAction.ORG_UPDATED, obj=org, before=before,
           after=snapshot(org, ORG_FIELDS))


@transaction.atomic
def do_create_brand(org: Organization, name: str, *, actor: Actor, **fields: Any) -> Brand:
    fields.setdefault("slug", unique_slug(name, org.brands.values_list("slug", flat=True)))
    brand = Brand(organization=org, name=name, **fields)
    brand.full_clean()
    brand.save()
    record(org, actor, AuditAction.BRAND_CREATED, obj=brand, brand=brand,
           after=snapshot(brand, BRAND_FIELDS))
    return brand


@transaction.atomic
def do_update_brand(brand: Brand, changes: dict[str, Any], *, actor: Actor) -> None:
    before = snapshot(brand, BRAND_FIELDS)
    for name, value in changes.items():
        if name not in BRAND_FIELDS:
            raise ValueError(f"brand field {name!r} cannot be changed here")
        setattr(brand, name, value)
    brand.full_clean()
    brand.save()
    after = snapshot(brand, BRAND_FIELDS)
    if after != before:
        record(brand.organization, actor, AuditAction.BRAND_UPDATED, obj=brand, brand=brand,
               before=before, after=after)


@transaction.atomic
def do_add_account(brand: Brand, network: str, handle: str, *, actor: Actor,
                   display_name: str = "", external_id: str = "") -> SocialAccount:
    account = SocialAccount(brand=brand, network=network, handle=handle.lstrip("@"),
                            display_name=display_name, external_id=external_id)
    account.full_clean()
    account.save()
    record(brand.organization, actor, AuditAction.ACCOUNT_ADDED, obj=account, brand=brand,
           after={"network": network, "handle": account.handle})
    return account


@transaction.atomic
def do_remove_account(account: SocialAccount, *, actor: Actor) -> None:
    brand = account.brand
    before = {"network": account.network, "handle": account.handle}
    record(brand.organization, actor, AuditAction.ACCOUNT_REMOVED, obj=account, brand=brand,
           before=before)
    account.delete()


@transaction.atomic
def do_add_competitor(brand: Brand, name: str, *, actor: Actor, handles: str = "",
                      website: str = "") -> Competitor:
    competitor = Competitor(brand=brand, name=name, handles=handles, website=website)
    competitor.full_clean()
    competitor.save()
    record(brand.organization, actor, AuditAction.COMPETITOR_ADDED, obj=competitor, brand=brand,
           after={"name": name, "handles": handles})
    return competitor


@transaction.atomic
def do_remove_competitor(competitor: Competitor, *, actor: Actor) -> None:
    record(competitor.brand.organization, actor, AuditAction.COMPETITOR_REMOVED,
           obj=competitor, brand=competitor.brand, before={"name": competitor.name})
    competitor.delete()


@transaction.atomic
def do_create_team(org: Organization, name: str, *, actor: Actor, kind: str = Team.Kind.OTHER,
                   description: str = "") -> Team:
    team = Team(organization=org, name=name, kind=kind, description=description)
    team.full_clean()
    team.save()
    record(org, actor, AuditAction.TEAM_CREATED, obj=team, after=snapshot(team, TEAM_FIELDS))
    return team


@transaction.atomic
def do_update_team(team: Team, changes: dict[str, Any], *, actor: Actor) -> None:
    before = snapshot(team, TEAM_FIELDS)
    for name, value in changes.items():
        if name not in TEAM_FIELDS:
            raise ValueError(f"team field {name!r} cannot be changed here")
        setattr(team, name, value)
    team.full_clean()
    team.save()
    record(team.organization, actor, AuditAction.TEAM_UPDATED, obj=team, before=before,
           after=snapshot(team, TEAM_FIELDS))


@transaction.atomic
def do_delete_team(team: Team, *, actor: Actor) -> None:
    members = sorted(team.members.values_list("user__email", flat=True))
    record(team.organization, actor, AuditAction.TEAM_DELETED, obj=team,
           before={**snapshot(team, TEAM_FIELDS), "members": members})
    team.delete()


@transaction.atomic
def do_add_team_member(team: Team, person: User, *, actor: Actor,
                       is_lead: bool = False) -> TeamMember:
    if not Membership.objects.filter(user=person, organization=team.organization,
                                     is_active=True).exists():
        raise ValidationError(_("%(person)s is not an active member of this organization.")
                              % {"person": person.email})
    member, created = TeamMember.objects.get_or_create(
        team=team, user=person, defaults={"is_lead": is_lead}
    )
    if created:
        record(team.organization, actor, AuditAction.TEAM_MEMBER_ADDED, obj=team,
               after={"person": person.email, "is_lead": is_lead})
    return member


@transaction.atomic
def do_remove_team_member(team: Team, person: User, *, actor: Actor) -> None:
    deleted, _count = TeamMember.objects.filter(team=team, user=person).delete()
    if deleted:
        record(team.organization, actor, AuditAction.TEAM_MEMBER_REMOVED, obj=team,
               before={"person": person.email})


def _check_role_fits(org: Organization, role: Role, brand: Brand | None) -> None:
    if brand is not None and brand.organization_id != org.id:
        raise ValidationError(_("That brand belongs to another organization."))
    if brand is not None and role not in BRAND_ROLES:
        raise ValidationError(_("This role applies to the whole organization, not one brand."))
    if org.kind == Organization.Kind.AGENCY and brand is not None:
        raise ValidationError(_("Agencies have no brands of their own."))


def _grant(org: Organization, person: User, role: Role, brand: Brand | None,
           actor: Actor) -> Membership:
    _check_role_fits(org, role, brand)
    membership, created = Membership.objects.get_or_create(
        user=person, organization=org, role=role, brand=brand
    )
    if created or not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        record(org, actor, AuditAction.ROLE_GRANTED, obj=person, brand=brand,
               after={"person": person.email, "role": str(role),
                      "brand": brand.slug if brand else None})
    forget(person)
    return membership


@transaction.atomic
def do_grant_role(org: Organization, person: User, role: Role, brand: Brand | None = None, *,
                  actor: Actor) -> Membership:
    return _grant(org, person, Role(role), brand, actor)


@transaction.atomic
def do_revoke_role(membership: Membership, *, actor: Actor) -> None:
    org = membership.organization
    if membership.role == Role.ORG_OWNER and not Membership.objects.filter(
        organization=org, role=Role.ORG_OWNER, is_active=True
    ).exclude(id=membership.id).exists():
        raise ValidationError(_("The organization must keep at least one owner."))
    record(org, actor, AuditAction.ROLE_REVOKED, obj=membership.user, brand=membership.brand,
           before={"person": membership.user.email, "role": membership.role,
                   "brand": membership.brand.slug if membership.brand else None})
    membership.delete()
    forget(membership.user)


@transaction.atomic
def do_invite_person(org: Organization, email: str, role: Role, brand: Brand | None = None, *,
                     actor: Actor, language: str | None = None) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link (after commit). Returns it and the raw token,
    which is never stored."""
    role = Role(role)
    _check_role_fits(org, role, brand)
    email = email.strip().lower()
    raw, token_hash = new_token()
    invitation = Invitation.objects.create(
        organization=org, email=email, role=role, brand=brand, token_hash=token_hash,
        invited_by=actor.user, expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    record(org, actor, AuditAction.INVITATION_SENT, obj=invitation, brand=brand,
           after={"email": email, "role": str(role), "brand": brand.slug if brand else None})
    link = f"{settings.BASE_URL}/invite/{raw}/"
    inviter = actor.user.display_name if actor.user else "tertulia"

    def send() -> None:
        with translation.override(language or org.default_language):
            body = render_to_string("governance/email/invitation.txt", {
                "org": org, "inviter": inviter, "link": link, "days": INVITATION_DAYS,
            })
            send_mail(_("You are invited to %(org)s on tertulia") % {"org": org.name}, body,
                      None, [email])

    transaction.on_commit(send)
    return invitation, raw


@transaction.atomic
def do_accept_invitation(invitation: Invitation, person: User, *, actor: Actor) -> Membership:
    invitation = Invitation.objects.select_for_update().get(id=invitation.id)
    if invitation.accepted_at or invitation.revoked_at or invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation is no longer valid."))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = person
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(invitation.organization, actor, AuditAction.INVITATION_ACCEPTED, obj=invitation,
           after={"person": person.email})
    return _grant(invitation.organization, person, Role(invitation.role), invitation.brand, actor)


@transaction.atomic
def do_revoke_invitation(invitation: Invitation, *, actor: Actor) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record(invitation.organization, actor, AuditAction.INVITATION_REVOKED, obj=invitation,
           before={"email": invitation.email})


def _end_sessions(person: User) -> None:
    User.objects.filter(id=person.id).update(session_epoch=person.session_epoch + 1)
    person.session_epoch += 1


@transaction.atomic
def do_deactivate_person(org: Organization, person: User, *, actor: Actor) -> None:
    """Take every role the person holds in `org`, end their sessions and stop their tokens.
    A person left with no role anywhere cannot sign in at all."""
    if actor.user is not None and actor.user.id == person.id:
        raise ValidationError(_("You cannot deactivate yourself."))
    held = Membership.objects.filter(user=person, organization=org, is_active=True)
    if held.filter(role=Role.ORG_OWNER).exists() and not Membership.objects.filter(
        organization=org, role=Role.ORG_OWNER, is_active=True
    ).exclude(user=person).exists():
        raise ValidationError(_("The organization must keep at least one owner."))
    roles = sorted(held.values_list("role", flat=True))
    held.update(is_active=False)
    from tertulia.api.models import ApiToken

    ApiToken.objects.filter(user=person, organization=org, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    TeamMember.objects.filter(user=person, team__organization=org).delete()
    if not Membership.objects.filter(user=person, is_active=True).exists():
        person.is_active = False
        person.save(update_fields=["is_active"])
    _end_sessions(person)
    forget(person)
    record(org, actor, AuditAction.PERSON_DEACTIVATED, obj=person,
           before={"person": person.email, "roles": roles})


@transaction.atomic
def do_reactivate_person(org: Organization, person: User, *, actor: Actor) -> None:
    changed = Membership.objects.filter(user=person, organization=org, is_active=False).update(
        is_active=True
    )
    if not changed:
        return
    if not person.is_active:
        person.is_active = True
        person.save(update_fields=["is_active"])
    forget(person)
    record(org, actor, AuditAction.PERSON_REACTIVATED, obj=person,
           after={"person": person.email})


@transaction.atomic
def do_grant_agency(client: Organization, agency: Organization, role: Role,
                    brands: Iterable[Brand], *, actor: Actor) -> AgencyGrant:
    role = Role(role)
    brands = list(brands)
    if agency.kind != Organization.Kind.AGENCY:
        raise ValidationError(_("Only an agency can be granted access to brands."))
    if agency.id == client.id:
        raise ValidationError(_("An organization cannot grant access to itself."))
    if role not in BRAND_ROLES:
        raise ValidationError(_("Agencies can only hold brand roles."))
    if not brands:
        raise ValidationError(_("Choose at least one brand."))
    if any(b.organization_id != client.id for b in brands):
        raise ValidationError(_("That brand belongs to another organization."))
    grant = AgencyGrant.objects.create(client=client, agency=agency, role=role,
                                       granted_by=actor.user)
    grant.brands.set(brands)
    record(client, actor, AuditAction.AGENCY_GRANTED, obj=grant,
           after={"agency": agency.slug, "role": str(role),
                  "brands": sorted(b.slug for b in brands)})
    return grant


@transaction.atomic
def do_revoke_agency(grant: AgencyGrant, *, actor: Actor) -> None:
    """Revocation takes effect on the agency's very next request: access is computed from
    active grants each time."""
    grant = AgencyGrant.objects.select_for_update().get(id=grant.id)
    if grant.revoked_at is not None:
        return
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor.user
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record(grant.client, actor, AuditAction.AGENCY_REVOKED, obj=grant,
           before={"agency": grant.agency.slug, "role": grant.role,
                   "brands": sorted(grant.brands.values_list("slug", flat=True))})
