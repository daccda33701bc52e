"""Settings pages: organization, brands, teams, people, agencies, roles and the audit log.

Views parse and render; every change goes through `actions`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tertulia.governance import actions
from tertulia.governance.access import (
    can,
    reachable_organizations,
    visible_brands,
)
from tertulia.governance.audit import Actor
from tertulia.governance.forms import (
    AcceptInvitationForm,
    AccountForm,
    AgencyGrantForm,
    AuditFilterForm,
    BrandForm,
    CompetitorForm,
    InviteForm,
    OrganizationForm,
    RoleForm,
    TeamForm,
    TeamMemberForm,
)
from tertulia.governance.models import (
    AgencyGrant,
    AuditEvent,
    Brand,
    Competitor,
    Invitation,
    Membership,
    Organization,
    SocialAccount,
    Team,
    User,
    hash_token,
)
from tertulia.governance.permissions import ROLE_PERMISSIONS, Permission, Role
from tertulia.governance.roles import role_label, role_summary
from tertulia.web.routing import brand_route, org_route, post_only, public, signed_in

P = Permission


def _actor(request: HttpRequest, org: Organization) -> Actor:
    return Actor.from_request(request, org)


def _fail(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    orgs = list(reachable_organizations(request.user))
    remembered = request.session.get("org")
    for org in orgs:
        if org.slug == remembered:
            return redirect("governance:overview", org.slug)
    if orgs:
        return redirect("governance:overview", orgs[0].slug)
    return render(request, "governance/no_organization.html")


@org_route(P.ORG_VIEW)
def overview(request: HttpRequest, org: Organization) -> HttpResponse:
    request.session["org"] = org.slug
    brands = visible_brands(request.user, org).annotate(
        account_count=Count("accounts", distinct=True),
        competitor_count=Count("competitors", distinct=True),
    )
    roles = Membership.objects.filter(user=request.user, organization=org, is_active=True)
    grants = AgencyGrant.objects.filter(
        client=org, revoked_at=None, agency__memberships__user=request.user,
        agency__memberships__is_active=True,
    ).distinct()
    return render(request, "governance/overview.html", {
        "org": org, "brands": brands,
        "my_roles": [(role_label(m.role), m.brand) for m in roles],
        "my_grants": [(g.agency, role_label(g.role), list(g.brands.all())) for g in grants],
        "teams": org.teams.filter(members__user=request.user),
    })


@org_route(P.ORG_SETTINGS_MANAGE)
def org_settings(request: HttpRequest, org: Organization) -> HttpResponse:
    form = OrganizationForm(request.POST or None, instance=Organization.objects.get(id=org.id))
    if request.method == "POST" and form.is_valid():
        actions.do_update_organization(
            org, {f: form.cleaned_data[f] for f in form.Meta.fields}, actor=_actor(request, org)
        )
        messages.success(request, _("Organization saved."))
        return redirect("governance:org_settings", org.slug)
    return render(request, "governance/org_settings.html", {"org": org, "form": form})


@org_route(P.ORG_VIEW)
def brands(request: HttpRequest, org: Organization) -> HttpResponse:
    rows = visible_brands(request.user, org).annotate(
        account_count=Count("accounts", distinct=True),
        competitor_count=Count("competitors", distinct=True),
    )
    return render(request, "governance/brands.html", {
        "org": org, "brands": [(b, can(request.user, P.BRAND_SETTINGS_MANAGE, b)) for b in rows],
        "can_create": can(request.user, P.ORG_BRANDS_MANAGE, org=org),
    })


@org_route(P.ORG_BRANDS_MANAGE)
def brand_create(request: HttpRequest, org: Organization) -> HttpResponse:
    form = BrandForm(request.POST or None, initial={"language": org.default_language})
    if request.method == "POST" and form.is_valid():
        try:
            brand = actions.do_create_brand(org, actor=_actor(request, org), **form.cleaned_data)
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Brand created."))
            return redirect("governance:brand_settings", org.slug, brand.slug)
    return render(request, "governance/brand_form.html", {"org": org, "form": form})


@brand_route(P.BRAND_SETTINGS_MANAGE)
def brand_settings(request: HttpRequest, brand: Brand) -> HttpResponse:
    org = brand.organization
    form = BrandForm(request.POST or None, instance=Brand.objects.get(id=brand.id))
    if request.method == "POST" and form.is_valid():
        actions.do_update_brand(brand, form.cleaned_data, actor=_actor(request, org))
        messages.success(request, _("Brand saved."))
        return redirect("governance:brand_settings", org.slug, brand.slug)
    return render(request, "governance/brand_settings.html", {
        "org": org, "brand": brand, "form": form,
        "accounts": brand.accounts.all(), "competitors": brand.competitors.all(),
        "account_form": AccountForm(), "competitor_form": CompetitorForm(),
        "can_accounts": can(request.user, P.BRAND_ACCOUNTS_MANAGE, brand),
    })


def _back_to_brand(brand: Brand) -> HttpResponseRedirect:
    return redirect("governance:brand_settings", brand.organization.slug, brand.slug)


@brand_route(P.BRAND_ACCOUNTS_MANAGE)
@post_only
def account_add(request: HttpRequest, brand: Brand) -> HttpResponse:
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_account(brand, actor=_actor(request, brand.organization),
                                   **form.cleaned_data)
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Account added."))
    else:
        messages.error(request, _("Check the account: %(errors)s")
                       % {"errors": "; ".join(e for es in form.errors.values() for e in es)})
    return _back_to_brand(brand)


@brand_route(P.BRAND_ACCOUNTS_MANAGE)
@post_only
def account_remove(request: HttpRequest, brand: Brand, account_id: int) -> HttpResponse:
    account = get_object_or_404(SocialAccount, id=account_id, brand=brand)
    actions.do_remove_account(account, actor=_actor(request, brand.organization))
    messages.success(request, _("Account removed."))
    return _back_to_brand(brand)


@brand_route(P.BRAND_SETTINGS_MANAGE)
@post_only
def competitor_add(request: HttpRequest, brand: Brand) -> HttpResponse:
    form = CompetitorForm(request.POST)
    if form.is_valid():
        actions.do_add_competitor(brand, actor=_actor(request, brand.organization),
                                  **form.cleaned_data)
        messages.success(request, _("Competitor added."))
    else:
        messages.error(request, _("Check the competitor: %(errors)s")
                       % {"errors": "; ".join(e for es in form.errors.values() for e in es)})
    return _back_to_brand(brand)


@brand_route(P.BRAND_SETTINGS_MANAGE)
@post_only
def competitor_remove(request: HttpRequest, brand: Brand, competitor_id: int) -> HttpResponse:
    competitor = get_object_or_404(Competitor, id=competitor_id, brand=brand)
    actions.do_remove_competitor(competitor, actor=_actor(request, brand.organization))
    messages.success(request, _("Competitor removed."))
    return _back_to_brand(brand)


@org_route(P.ORG_TEAMS_VIEW)
def teams(request: HttpRequest, org: Organization) -> HttpResponse:
    rows = org.teams.annotate(member_count=Count("members"))
    can_manage = can(request.user, P.ORG_TEAMS_MANAGE, org=org)
    form = TeamForm(request.POST or None) if can_manage else None
    return render(request, "governance/teams.html", {
        "org": org, "teams": rows, "form": form, "can_manage": can_manage,
    })


@org_route(P.ORG_TEAMS_MANAGE)
@post_only
def team_create(request: HttpRequest, org: Organization) -> HttpResponse:
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = actions.do_create_team(org, actor=_actor(request, org), **form.cleaned_data)
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Team created."))
            return redirect("governance:team", org.slug, team.id)
    else:
        messages.error(request, _("A team needs a name that no other team has."))
    return redirect("governance:teams", org.slug)


def _team(org: Organization, team_id: int) -> Team:
    team = Team.objects.filter(id=team_id, organization=org).first()
    if team is None:
        raise Http404("No such team.")
    return team


def _org_people(org: Organization) -> Any:
    return User.objects.filter(
        memberships__organization=org, memberships__is_active=True
    ).distinct()


@org_route(P.ORG_TEAMS_VIEW)
def team(request: HttpRequest, org: Organization, team_id: int) -> HttpResponse:
    team = _team(org, team_id)
    can_manage = can(request.user, P.ORG_TEAMS_MANAGE, org=org)
    members = team.members.select_related("user").order_by("-is_lead", "user__email")
    people = _org_people(org).exclude(team_memberships__team=team)
    return render(request, "governance/team.html", {
        "org": org, "team": team, "members": members, "can_manage": can_manage,
        "member_form": TeamMemberForm(people=people) if can_manage else None,
        "team_form": TeamForm(instance=team) if can_manage else None,
    })


@org_route(P.ORG_TEAMS_MANAGE)
@post_only
def team_update(request: HttpRequest, org: Organization, team_id: int) -> HttpResponse:
    team = _team(org, team_id)
    form = TeamForm(request.POST, instance=Team.objects.get(id=team.id))
    if form.is_valid():
        actions.do_update_team(team, form.cleaned_data, actor=_actor(request, org))
        messages.success(request, _("Team saved."))
    else:
        messages.error(request, _("A team needs a name that no other team has."))
    return redirect("governance:team", org.slug, team.id)


@org_route(P.ORG_TEAMS_MANAGE)
@post_only
def team_delete(request: HttpRequest, org: Organization, team_id: int) -> HttpResponse:
    actions.do_delete_team(_team(org, team_id), actor=_actor(request, org))
    messages.success(request, _("Team deleted."))
    return redirect("governance:teams", org.slug)


@org_route(P.ORG_TEAMS_MANAGE)
@post_only
def team_member_add(request: HttpRequest, org: Organization, team_id: int) -> HttpResponse:
    team = _team(org, team_id)
    form = TeamMemberForm(request.POST, people=_org_people(org))
    if form.is_valid():
        try:
            actions.do_add_team_member(team, form.cleaned_data["person"],
                                       is_lead=form.cleaned_data["is_lead"],
                                       actor=_actor(request, org))
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Member added."))
    else:
        messages.error(request, _("Choose a person of the organization."))
    return redirect("governance:team", org.slug, team.id)


@org_route(P.ORG_TEAMS_MANAGE)
@post_only
def team_member_remove(request: HttpRequest, org: Organization, team_id: int,
                       user_id: int) -> HttpResponse:
    team = _team(org, team_id)
    person = get_object_or_404(User, id=user_id, team_memberships__team=team)
    actions.do_remove_team_member(team, person, actor=_actor(request, org))
    messages.success(request, _("Member removed."))
    return redirect("governance:team", org.slug, team.id)


@org_route(P.ORG_PEOPLE_VIEW)
def people(request: HttpRequest, org: Organization) -> HttpResponse:
    memberships = (
        Membership.objects.filter(organization=org).select_related("user", "brand")
        .order_by("user__email", "role")
    )
    rows: dict[int, dict[str, Any]] = {}
    for m in memberships:
        row = rows.setdefault(m.user_id, {"person": m.user, "roles": [], "active": False})
        row["roles"].append((role_label(m.role), m.brand, m.is_active))
        row["active"] = row["active"] or m.is_active
    can_manage = can(request.user, P.ORG_PEOPLE_MANAGE, org=org)
    pending = org.invitations.filter(accepted_at=None, revoked_at=None,
                                     expires_at__gt=timezone.now())
    return render(request, "governance/people.html", {
        "org": org, "rows": rows.values(), "can_manage": can_manage, "pending": pending,
        "invite_form": InviteForm(org=org) if can_manage else None,
    })


@org_route(P.ORG_PEOPLE_MANAGE)
@post_only
def invite(request: HttpRequest, org: Organization) -> HttpResponse:
    form = InviteForm(request.POST, org=org)
    if form.is_valid():
        try:
            actions.do_invite_person(
                org, form.cleaned_data["email"], Role(form.cleaned_data["role"]),
                form.cleaned_data["brand"], actor=_actor(request, org),
            )
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.")
                             % {"email": form.cleaned_data["email"]})
    else:
        messages.error(request, "; ".join(e for es in form.errors.values() for e in es))
    return redirect("governance:people", org.slug)


@org_route(P.ORG_PEOPLE_MANAGE)
@post_only
def invitation_revoke(request: HttpRequest, org: Organization, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, id=invitation_id, organization=org)
    actions.do_revoke_invitation(invitation, actor=_actor(request, org))
    messages.success(request, _("Invitation withdrawn."))
    return redirect("governance:people", org.slug)


def _person(org: Organization, user_id: int) -> User:
    person = User.objects.filter(id=user_id, memberships__organization=org).distinct().first()
    if person is None:
        raise Http404("No such person.")
    return person


@org_route(P.ORG_PEOPLE_VIEW)
def person(request: HttpRequest, org: Organization, user_id: int) -> HttpResponse:
    subject = _person(org, user_id)
    memberships = Membership.objects.filter(user=subject, organization=org).select_related(
        "brand"
    )
    active = any(m.is_active for m in memberships)
    return render(request, "governance/person.html", {
        "org": org, "subject": subject, "active": active,
        "memberships": [(m, role_label(m.role)) for m in memberships],
        "teams": Team.objects.filter(organization=org, members__user=subject),
        "can_manage": can(request.user, P.ORG_PEOPLE_MANAGE, org=org),
        "role_form": RoleForm(org=org),
        "recent": AuditEvent.objects.filter(organization=org, actor=subject).order_by("-seq")[:20],
    })


@org_route(P.ORG_PEOPLE_MANAGE)
@post_only
def person_role_add(request: HttpRequest, org: Organization, user_id: int) -> HttpResponse:
    subject = _person(org, user_id)
    form = RoleForm(request.POST, org=org)
    if form.is_valid():
        try:
            actions.do_grant_role(org, subject, Role(form.cleaned_data["role"]),
                                  form.cleaned_data["brand"], actor=_actor(request, org))
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Role granted."))
    else:
        messages.error(request, "; ".join(e for es in form.errors.values() for e in es))
    return redirect("governance:person", org.slug, subject.id)


@org_route(P.ORG_PEOPLE_MANAGE)
@post_only
def person_role_remove(request: HttpRequest, org: Organization, user_id: int,
                       membership_id: int) -> HttpResponse:
    subject = _person(org, user_id)
    membership = get_object_or_404(Membership, id=membership_id, organization=org, user=subject)
    try:
        actions.do_revoke_role(membership, actor=_actor(request, org))
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Role removed."))
    return redirect("governance:person", org.slug, subject.id)


@org_route(P.ORG_PEOPLE_MANAGE)
@post_only
def person_deactivate(request: HttpRequest, org: Organization, user_id: int) -> HttpResponse:
    subject = _person(org, user_id)
    try:
        actions.do_deactivate_person(org, subject, actor=_actor(request, org))
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("%(person)s was deactivated: their sessions ended and their "
                                    "API tokens stopped working.") % {"person": subject})
    return redirect("governance:person", org.slug, subject.id)


@org_route(P.ORG_PEOPLE_MANAGE)
@post_only
def person_reactivate(request: HttpRequest, org: Organization, user_id: int) -> HttpResponse:
    subject = _person(org, user_id)
    actions.do_reactivate_person(org, subject, actor=_actor(request, org))
    messages.success(request, _("%(person)s was reactivated.") % {"person": subject})
    return redirect("governance:person", org.slug, subject.id)


@org_route(P.ORG_AGENCIES_MANAGE)
def agencies(request: HttpRequest, org: Organization) -> HttpResponse:
    form = AgencyGrantForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_grant_agency(org, form.cleaned_data["agency"],
                                    Role(form.cleaned_data["role"]),
                                    form.cleaned_data["brands"], actor=_actor(request, org))
        except ValidationError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Access granted."))
            return redirect("governance:agencies", org.slug)
    grants = org.grants_given.select_related("agency", "granted_by", "revoked_by").prefetch_related(
        "brands"
    )
    return render(request, "governance/agencies.html", {
        "org": org, "form": form,
        "grants": [(g, role_label(g.role)) for g in grants],
    })


@org_route(P.ORG_AGENCIES_MANAGE)
@post_only
def agency_revoke(request: HttpRequest, org: Organization, grant_id: int) -> HttpResponse:
    grant = get_object_or_404(AgencyGrant, id=grant_id, client=org)
    actions.do_revoke_agency(grant, actor=_actor(request, org))
    messages.success(request, _("Access revoked. The agency lost it immediately."))
    return redirect("governance:agencies", org.slug)


@org_route(P.ORG_ROLES_VIEW)
def roles(request: HttpRequest, org: Organization) -> HttpResponse:
    role_list = list(Role)
    matrix = [
        (perm, [perm in ROLE_PERMISSIONS[r] for r in role_list]) for perm in sorted(Permission)
    ]
    return render(request, "governance/roles.html", {
        "org": org,
        "roles": [(role_label(r), role_summary(r)) for r in role_list],
        "matrix": matrix,
    })


def _audit_events(request: HttpRequest, org: Organization) -> tuple[Any, AuditFilterForm]:
    form = AuditFilterForm(request.GET or None, org=org)
    events = AuditEvent.objects.filter(organization=org).select_related(
        "brand", "acting_for"
    ).order_by("-seq")
    if form.is_valid():
        data = form.cleaned_data
        if data["person"]:
            events = events.filter(actor_label__icontains=data["person"])
        if data["brand"]:
            events = events.filter(brand=data["brand"])
        if data["action"]:
            events = events.filter(action=data["action"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.filter(
                created_at__gte=datetime.combine(data["date_from"], time.min, tzinfo=tz)
            )
        if data["date_to"]:
            events = events.filter(
                created_at__lte=datetime.combine(data["date_to"], time.max, tzinfo=tz)
            )
    return events, form


@org_route(P.ORG_AUDIT_VIEW)
def audit(request: HttpRequest, org: Organization) -> HttpResponse:
    events, form = _audit_events(request, org)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "governance/audit.html", {
        "org": org, "form": form, "page": page, "query": query.urlencode(),
    })


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(["seq", "time_utc", "person", "acting_for", "action", "object_type",
                           "object_id", "object", "brand", "before", "after", "ip", "hash"])
    for e in events.iterator(chunk_size=1000):
        yield writer.writerow([
            e.seq, e.created_at.isoformat(), e.actor_label,
            e.acting_for.slug if e.acting_for else "", e.action, e.object_type, e.object_id,
            _csv_safe(e.object_repr), e.brand.slug if e.brand else "",
            _csv_safe(_json(e.before)), _csv_safe(_json(e.after)), e.ip or "", e.hash,
        ])


def _json(value: Any) -> str:
    import json

    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheets: neutralize it.
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


@org_route(P.ORG_AUDIT_VIEW)
def audit_export(request: HttpRequest, org: Organization) -> HttpResponse:
    events, _form = _audit_events(request, org)
    response = StreamingHttpResponse(_csv_rows(events.order_by("seq")), content_type="text/csv")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{org.slug}-{stamp}.csv"'
    return response


@public
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.filter(token_hash=hash_token(token)).select_related(
        "organization"
    ).first()
    valid = (
        invitation is not None and invitation.accepted_at is None
        and invitation.revoked_at is None and invitation.expires_at > timezone.now()
    )
    if not valid or invitation is None:
        return render(request, "governance/invitation_invalid.html", status=404)
    org = invitation.organization
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if request.user.is_authenticated and request.user.email.lower() != invitation.email:
        return render(request, "governance/invitation_wrong_person.html",
                      {"invitation": invitation}, status=403)
    form = AcceptInvitationForm(request.POST or None) if existing is None else None
    if request.method == "POST":
        if existing is not None:
            if not request.user.is_authenticated:
                return redirect(f"{reverse('account_login')}?next={request.path}")
            person = request.user
        elif form is not None and form.is_valid():
            person = User.objects.create_user(
                invitation.email, form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
                language=translation.get_language() or org.default_language,
            )
        else:
            person = None
        if person is not None:
            actions.do_accept_invitation(invitation, person, actor=Actor.of(person))
            if not request.user.is_authenticated:
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(org)s.") % {"org": org.name})
            return redirect("governance:overview", org.slug)
    return render(request, "governance/invitation_accept.html", {
        "invitation": invitation, "org": org, "form": form, "existing": existing,
        "role": role_label(invitation.role),
    })


@post_only
@signed_in
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in {"en", "es"}:
        language = "en"
    User.objects.filter(id=request.user.id).update(language=language)
    translation.activate(language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie("django_language", language, samesite="Lax", httponly=True)
    return response

