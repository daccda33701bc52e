"""The demo organization "Café Aurora": a bilingual coffee-shop chain with brands, two
competitors, teams, an outside agency and one person per role. Running it twice changes
nothing: every step looks before it creates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from tertulia.governance import actions
from tertulia.governance.audit import Actor
from tertulia.governance.models import (
    AgencyGrant,
    Brand,
    Membership,
    Organization,
    Team,
    TeamMember,
    User,
)
from tertulia.governance.permissions import Role
from tertulia.governance.roles import role_label

DEMO_PASSWORD = "aurora-demo-2026"
ORG_SLUG = "cafe-aurora"
AGENCY_SLUG = "agencia-faro"


@dataclass(frozen=True)
class DemoBrand:
    slug: str
    name: str
    language: str
    timezone: str
    website: str
    description: str
    accounts: tuple[tuple[str, str, str], ...]
    competitors: tuple[tuple[str, str, str], ...]


BRANDS = (
    DemoBrand(
        "cafe-aurora", "Café Aurora", "es", "Europe/Madrid", "https://cafe-aurora.example",
        "Cadena de cafeterías de especialidad en España.",
        (("x", "cafeaurora", "Café Aurora"), ("instagram", "cafeaurora", "Café Aurora"),
         ("facebook", "CafeAuroraOficial", "Café Aurora"), ("demo", "cafeaurora", "Café Aurora")),
        (("Tostadero Norte", "@tostaderonorte, #TostaderoNorte", "https://tostadero.example"),
         ("Bruma Coffee", "@brumacoffee, #BrumaCoffee", "https://bruma.example")),
    ),
    DemoBrand(
        "aurora-roasters", "Aurora Roasters", "en", "America/New_York",
        "https://aurora-roasters.example", "Our coffee beans and subscriptions, in English.",
        (("x", "aurora_roasters", "Aurora Roasters"), ("youtube", "AuroraRoasters", "Aurora"),
         ("demo", "aurora_roasters", "Aurora Roasters")),
        (("Bruma Coffee", "@brumacoffee, #BrumaCoffee", "https://bruma.example"),),
    ),
    DemoBrand(
        "aurora-express", "Aurora Express", "es", "America/Mexico_City",
        "https://express.cafe-aurora.example", "Café a domicilio en Ciudad de México.",
        (("x", "auroraexpress", "Aurora Express"), ("demo", "auroraexpress", "Aurora Express")),
        (("Tostadero Norte", "@tostaderonorte", "https://tostadero.example"),),
    ),
)

TEAMS = (
    ("Marketing", Team.Kind.MARKETING, "Campañas, contenido y comunidad."),
    ("PR y Comunicación", Team.Kind.PR, "Prensa, portavoces y gestión de crisis."),
    ("Ventas", Team.Kind.SALES, "Pedidos de empresa, franquicias y suscripciones."),
    ("Atención al cliente", Team.Kind.SERVICE, "Quejas, dudas y pedidos de clientes."),
    ("Personas (RR. HH.)", Team.Kind.HR, "Empleo y marca empleadora."),
)

# (e-mail, full name, language, role, brand slug or None, team name or None, is lead)
PEOPLE = (
    ("owner@cafe-aurora.example", "Lucía Ortega", "es", Role.ORG_OWNER, None, None, False),
    ("admin@cafe-aurora.example", "Marcos Vidal", "es", Role.ORG_ADMIN, None, None, False),
    ("manager@cafe-aurora.example", "Elena Ruiz", "es", Role.BRAND_MANAGER, "cafe-aurora",
     "Marketing", True),
    ("analyst@cafe-aurora.example", "Sam Carter", "en", Role.ANALYST, None, "PR y Comunicación",
     False),
    ("agent@cafe-aurora.example", "Diego Fernández", "es", Role.AGENT, "cafe-aurora",
     "Atención al cliente", True),
    ("publisher@cafe-aurora.example", "Ana López", "es", Role.PUBLISHER, "cafe-aurora",
     "Marketing", False),
    ("approver@cafe-aurora.example", "Javier Moreno", "es", Role.APPROVER, "cafe-aurora",
     "Marketing", False),
)
EXTRA_ROLES = (
    ("agent@cafe-aurora.example", Role.AGENT, "aurora-express"),
    ("manager@cafe-aurora.example", Role.BRAND_MANAGER, "aurora-roasters"),
)
AGENCY_PERSON = ("maria@agenciafaro.example", "María Sanz", "es")
AGENCY_GRANTS = ((Role.PUBLISHER, ("cafe-aurora",)), (Role.AGENT, ("cafe-aurora",)))


def _person(email: str, name: str, language: str, password: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=name, language=language)
    return user


@transaction.atomic
def seed_demo(password: str = DEMO_PASSWORD) -> list[tuple[str, str, str]]:
    """Create what is missing of the demo and return (role, e-mail, where) for each login."""
    actor = Actor.system("demo")
    owner_email, owner_name, owner_lang = PEOPLE[0][:3]
    owner = _person(owner_email, owner_name, owner_lang, password)
    org = Organization.objects.filter(slug=ORG_SLUG).first() or actions.do_create_organization(
        "Café Aurora", slug=ORG_SLUG, owner=owner, default_language="es", actor=actor
    )
    brands: dict[str, Brand] = {}
    for spec in BRANDS:
        brand = org.brands.filter(slug=spec.slug).first() or actions.do_create_brand(
            org, spec.name, slug=spec.slug, language=spec.language, timezone=spec.timezone,
            website=spec.website, description=spec.description, actor=actor,
        )
        brands[spec.slug] = brand
        for network, handle, display in spec.accounts:
            if not brand.accounts.filter(network=network, handle=handle).exists():
                actions.do_add_account(brand, network, handle, display_name=display, actor=actor)
        for name, handles, website in spec.competitors:
            if not brand.competitors.filter(name=name).exists():
                actions.do_add_competitor(brand, name, handles=handles, website=website,
                                          actor=actor)
    teams = {}
    for name, kind, description in TEAMS:
        teams[name] = org.teams.filter(name=name).first() or actions.do_create_team(
            org, name, kind=kind, description=description, actor=actor
        )
    logins = []
    for email, name, language, role, brand_slug, team_name, lead in PEOPLE:
        person = _person(email, name, language, password)
        brand = brands[brand_slug] if brand_slug else None
        if not Membership.objects.filter(user=person, organization=org, role=role,
                                         brand=brand).exists():
            actions.do_grant_role(org, person, role, brand, actor=actor)
        if team_name and not TeamMember.objects.filter(team=teams[team_name],
                                                       user=person).exists():
            actions.do_add_team_member(teams[team_name], person, is_lead=lead, actor=actor)
        where = f"{org.name}" + (f" · {brand.name}" if brand else "")
        logins.append((role_label(role), email, where))
    for email, role, brand_slug in EXTRA_ROLES:
        person = User.objects.get(email=email)
        if not Membership.objects.filter(user=person, organization=org, role=role,
                                         brand=brands[brand_slug]).exists():
            actions.do_grant_role(org, person, role, brands[brand_slug], actor=actor)

    email, name, language = AGENCY_PERSON
    agency_person = _person(email, name, language, password)
    agency = Organization.objects.filter(slug=AGENCY_SLUG).first() or (
        actions.do_create_organization(
            "Agencia Faro", slug=AGENCY_SLUG, kind=Organization.Kind.AGENCY,
            owner=agency_person, default_language="es", actor=actor,
        )
    )
    for role, slugs in AGENCY_GRANTS:
        if not AgencyGrant.objects.filter(client=org, agency=agency, role=role,
                                          revoked_at=None).exists():
            actions.do_grant_agency(org, agency, role, [brands[s] for s in slugs], actor=actor)
    logins.append(("Agency (Agencia Faro)", email, "Café Aurora · Café Aurora (granted)"))
    from tertulia.listening.demo import seed_listening

    seed_listening(org)
    from tertulia.engagement.demo import seed_engagement

    seed_engagement(org)
    from tertulia.cases.demo import seed_cases

    seed_cases(org)
    return logins
