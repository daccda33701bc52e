"""What each role may do. Pure data: no Django import, so docs and tests read it directly.

A permission is `"scope:resource:action"`. `org:` permissions concern the organization as
a whole (people, agencies, audit); `brand:` permissions are checked against one brand, and
are also granted on every brand of the organization by an organization-wide role.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    """Every permission the platform checks, alphabetized."""

    BRAND_ACCOUNTS_MANAGE = "brand:accounts:manage"
    BRAND_BUSINESS_DATA_MANAGE = "brand:business_data:manage"
    BRAND_CASES_MANAGE = "brand:cases:manage"
    BRAND_CASES_VIEW = "brand:cases:view"
    BRAND_CUSTOMERS_MANAGE = "brand:customers:manage"
    BRAND_INBOX_APPROVE = "brand:inbox:approve"
    BRAND_INBOX_REPLY = "brand:inbox:reply"
    BRAND_INBOX_VIEW = "brand:inbox:view"
    BRAND_INSIGHTS_VIEW = "brand:insights:view"
    BRAND_KB_EDIT = "brand:kb:edit"
    BRAND_KB_VIEW = "brand:kb:view"
    BRAND_LEADS_MANAGE = "brand:leads:manage"
    BRAND_LEADS_VIEW = "brand:leads:view"
    BRAND_MENTIONS_TRIAGE = "brand:mentions:triage"
    BRAND_MENTIONS_VIEW = "brand:mentions:view"
    BRAND_POSTS_APPROVE = "brand:posts:approve"
    BRAND_POSTS_PUBLISH = "brand:posts:publish"
    BRAND_QUERIES_MANAGE = "brand:queries:manage"
    BRAND_REPORTS_MANAGE = "brand:reports:manage"
    BRAND_SETTINGS_MANAGE = "brand:settings:manage"
    BRAND_VIEW = "brand:overview:view"
    ORG_AGENCIES_MANAGE = "org:agencies:manage"
    ORG_AUDIT_VIEW = "org:audit:view"
    ORG_BRANDS_MANAGE = "org:brands:manage"
    ORG_INGEST_WRITE = "org:ingest:write"
    ORG_PEOPLE_MANAGE = "org:people:manage"
    ORG_PEOPLE_VIEW = "org:people:view"
    ORG_ROLES_VIEW = "org:roles:view"
    ORG_SETTINGS_MANAGE = "org:settings:manage"
    ORG_TEAMS_MANAGE = "org:teams:manage"
    ORG_TEAMS_VIEW = "org:teams:view"
    ORG_VIEW = "org:overview:view"

    @property
    def scope(self) -> str:
        return self.value.split(":", 1)[0]


class Role(StrEnum):
    ORG_OWNER = "org_owner"
    ORG_ADMIN = "org_admin"
    BRAND_MANAGER = "brand_manager"
    ANALYST = "analyst"
    AGENT = "agent"
    PUBLISHER = "publisher"
    APPROVER = "approver"


P = Permission
_READ_BRAND = frozenset({P.BRAND_VIEW, P.BRAND_MENTIONS_VIEW, P.BRAND_INSIGHTS_VIEW})
_MEMBER_ORG = frozenset({P.ORG_VIEW, P.ORG_TEAMS_VIEW, P.ORG_ROLES_VIEW})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ORG_OWNER: frozenset(Permission),
    Role.ORG_ADMIN: frozenset(Permission) - {P.ORG_AGENCIES_MANAGE},
    Role.BRAND_MANAGER: _READ_BRAND | _MEMBER_ORG | {
        P.BRAND_ACCOUNTS_MANAGE, P.BRAND_CUSTOMERS_MANAGE, P.BRAND_INBOX_APPROVE,
        P.BRAND_INBOX_REPLY, P.BRAND_INBOX_VIEW, P.BRAND_MENTIONS_TRIAGE,
        P.BRAND_POSTS_APPROVE, P.BRAND_POSTS_PUBLISH,
        P.BRAND_BUSINESS_DATA_MANAGE,
        P.BRAND_QUERIES_MANAGE, P.BRAND_REPORTS_MANAGE, P.BRAND_SETTINGS_MANAGE,
    },
    Role.ANALYST: _READ_BRAND | _MEMBER_ORG | {P.BRAND_BUSINESS_DATA_MANAGE,
                                               P.BRAND_REPORTS_MANAGE, P.BRAND_QUERIES_MANAGE,
                                               P.BRAND_MENTIONS_TRIAGE},
    Role.AGENT: _MEMBER_ORG | {P.BRAND_VIEW, P.BRAND_MENTIONS_VIEW, P.BRAND_INBOX_VIEW,
                               P.BRAND_INBOX_REPLY, P.BRAND_MENTIONS_TRIAGE,
                               P.BRAND_CUSTOMERS_MANAGE},
    Role.PUBLISHER: _MEMBER_ORG | {P.BRAND_VIEW, P.BRAND_MENTIONS_VIEW, P.BRAND_POSTS_PUBLISH},
    Role.APPROVER: _MEMBER_ORG | {P.BRAND_VIEW, P.BRAND_MENTIONS_VIEW, P.BRAND_INSIGHTS_VIEW,
                                  P.BRAND_POSTS_APPROVE},
}

# Cases, leads and the knowledge base: those who work the inbox run them; analysts read them
# (outcomes, pipeline, articles) for their reports and never change them.
_CASES_READ = frozenset({P.BRAND_CASES_VIEW, P.BRAND_KB_VIEW, P.BRAND_LEADS_VIEW})
_CASES_WORK = _CASES_READ | {P.BRAND_CASES_MANAGE, P.BRAND_KB_EDIT, P.BRAND_LEADS_MANAGE}
for _role, _extra in ((Role.BRAND_MANAGER, _CASES_WORK), (Role.AGENT, _CASES_WORK),
                      (Role.ANALYST, _CASES_READ)):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _extra

# Roles that may be held on a single brand (and so granted to an agency). Organization-wide
# roles manage people and agencies, which must never reach outside the client.
BRAND_ROLES: frozenset[Role] = frozenset(
    {Role.BRAND_MANAGER, Role.ANALYST, Role.AGENT, Role.PUBLISHER, Role.APPROVER}
)
ORG_ONLY_ROLES: frozenset[Role] = frozenset({Role.ORG_OWNER, Role.ORG_ADMIN})

# An agency's people act only on the client's brands they were granted: the organization
# permissions they keep are the harmless read-only ones (their own team and the role table).
AGENCY_ORG_PERMISSIONS: frozenset[Permission] = frozenset({P.ORG_VIEW, P.ORG_ROLES_VIEW})

ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.ORG_OWNER: ("Organization owner", "Propietario de la organización"),
    Role.ORG_ADMIN: ("Organization admin", "Administrador de la organización"),
    Role.BRAND_MANAGER: ("Brand manager", "Responsable de marca"),
    Role.ANALYST: ("Analyst", "Analista"),
    Role.AGENT: ("Community manager / agent", "Community manager / agente"),
    Role.PUBLISHER: ("Publisher", "Editor de publicaciones"),
    Role.APPROVER: ("Approver", "Aprobador"),
}

ROLE_SUMMARIES: dict[Role, tuple[str, str]] = {
    Role.ORG_OWNER: (
        "Everything, including granting and revoking agencies.",
        "Todo, incluido conceder y revocar agencias.",
    ),
    Role.ORG_ADMIN: (
        "Runs the organization: people, teams, brands, audit; cannot grant agencies.",
        "Gestiona la organización: personas, equipos, marcas, auditoría; no concede agencias.",
    ),
    Role.BRAND_MANAGER: (
        "Everything on their brands: settings, accounts, queries, inbox, publishing, reports.",
        "Todo en sus marcas: ajustes, cuentas, consultas, bandeja, publicación, informes.",
    ),
    Role.ANALYST: (
        "Reads mentions and insights, writes queries and reports; never replies or publishes.",
        "Lee menciones y métricas, escribe consultas e informes; nunca responde ni publica.",
    ),
    Role.AGENT: (
        "Works the inbox: reads and replies to conversations.",
        "Trabaja la bandeja: lee y responde conversaciones.",
    ),
    Role.PUBLISHER: (
        "Drafts and schedules posts; needs an approver where approval is required.",
        "Redacta y programa publicaciones; necesita un aprobador donde se exige aprobación.",
    ),
    Role.APPROVER: (
        "Approves or rejects posts before they go out; reads insights.",
        "Aprueba o rechaza publicaciones antes de salir; lee métricas.",
    ),
}


def role_permissions(role: Role | str) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[Role(role)]
