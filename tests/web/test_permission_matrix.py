"""Every route declares a permission, and the route × role × tenant matrix holds:
anonymous → sign-in, lacking permission → 403, outside one's reach → 404, allowed → OK."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tertulia.governance.models import AgencyGrant, Invitation, Membership, SocialAccount
from tertulia.governance.permissions import (
    AGENCY_ORG_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
)
from tertulia.web.routing import PUBLIC, SIGNED_IN
from tests.conftest import BRAND_ROLE_PEOPLE, ORG_ROLE_PEOPLE, World
from tests.routes import Route, own_routes

ROUTES = own_routes()
PROTECTED = [r for r in ROUTES if isinstance(r.permission, Permission)]
PEOPLE = ["owner", "admin", "analyst", "manager", "agent", "publisher", "approver", "agency",
          "outsider"]


def test_every_route_declares_a_permission() -> None:
    missing = [r.pattern for r in ROUTES if r.permission is None]
    assert not missing, f"routes without a declared permission: {missing}"


def test_the_matrix_covers_real_routes() -> None:
    assert len(PROTECTED) >= 25
    assert {r.permission for r in ROUTES} >= {PUBLIC, SIGNED_IN}


def expected_permissions(
    world: World, key: str, brand_target: bool, brand: Any
) -> set[Permission] | None:
    """What the person holds where the route points, from the role table alone.
    None means the target is outside their reach (404)."""
    if key == "outsider":
        return None
    if key in ORG_ROLE_PEOPLE:
        return set(ROLE_PERMISSIONS[ORG_ROLE_PEOPLE[key]])
    # A brand permission asked of the organization (e.g. the executive dashboard across
    # brands) is held when held on one of its brands: here, on a1.
    if key in BRAND_ROLE_PEOPLE:
        role_perms = set(ROLE_PERMISSIONS[BRAND_ROLE_PEOPLE[key]])
        if brand_target:
            return role_perms if brand == world.a1 else None
        return role_perms
    if key == "agency":
        if brand_target:
            return set(ROLE_PERMISSIONS[Role.AGENT]) if brand == world.a1 else None
        return set(AGENCY_ORG_PERMISSIONS) | {
            p for p in ROLE_PERMISSIONS[Role.AGENT] if p.scope == "brand"}
    raise AssertionError(key)


def url_for(route: Route, world: World, *, brand: Any, foreign_objects: bool = False,
            viewer: Any = None) -> str:
    """Fill the route's parameters with objects of the world."""
    org = world.acme
    foreign = world.other if foreign_objects else org
    account = SocialAccount.objects.create(brand=brand if not foreign_objects else world.o1,
                                           network="x", handle="someone")
    competitor = (brand if not foreign_objects else world.o1).competitors.create(name="Rival")
    invitation = Invitation.objects.create(
        organization=foreign, email="new@acme.test", role=Role.AGENT, token_hash="h" * 64,
        expires_at="2099-01-01T00:00:00Z",
    )
    person = world.person("agent") if not foreign_objects else world.person("outsider")
    membership = Membership.objects.filter(user=person, organization=foreign).first()
    grant = AgencyGrant.objects.filter(client=org).first() if not foreign_objects else None
    team = world.team if not foreign_objects else world.other_team
    from tertulia.api.models import ApiToken
    from tertulia.listening.models import Query

    query = Query.objects.create(brand=brand if not foreign_objects else world.o1, name="Q",
                                 text="coffee")
    token = ApiToken.objects.create(
        user=viewer or person, organization=foreign, name="t", prefix="tt_x",
        token_hash=f"{foreign.id}-{person.id}-{ApiToken.objects.count()}",
    )
    mention = _mention_for(brand if not foreign_objects else world.o1, query)
    from tertulia.listening.models import Source
    from tertulia.networks.models import WebhookEndpoint

    source = Source.objects.create(organization=foreign, kind=Source.Kind.WEBHOOK, name="S")
    report = _report_for(brand if not foreign_objects else world.o1)
    WebhookEndpoint.objects.create(source=source)
    from tertulia.listening.models import ImportJob

    job = ImportJob.objects.create(organization=foreign, file_name="f.jsonl",
                                   stored_path="/nonexistent/f.jsonl", status="done")
    values = {
        "org_slug": org.slug, "brand_slug": brand.slug, "team_id": team.id,
        "user_id": person.id, "account_id": account.id, "competitor_id": competitor.id,
        "invitation_id": invitation.id, "membership_id": membership.id if membership else 0,
        "grant_id": grant.id if grant else 999999, "token": "not-a-token",
        "query_id": query.id, "token_id": token.id, "mention_id": mention.id,
        "source_id": source.id, "job_id": job.id, "report_id": report.id,
        **_inbox_objects(brand if not foreign_objects else world.o1, mention),
    }
    values.update(_customer_objects(values["conversation_id"], foreign, viewer or person))
    values.update(_alert_objects(brand if not foreign_objects else world.o1))
    values.update(_case_objects(values["conversation_id"]))
    values.update(_business_objects(brand if not foreign_objects else world.o1))
    url = "/" + route.pattern
    for name in re.findall(r"<(?:\w+:)?(\w+)>", route.pattern):
        url = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), url)
    return url


def _alert_objects(brand: Any) -> dict[str, Any]:
    """An alert, an alert webhook and a report schedule of `brand` (insights)."""
    from django.utils import timezone

    from tertulia.insights.alert_models import Alert, AlertWebhook
    from tertulia.insights.schedule_models import ReportSchedule

    now = timezone.now()
    alert = Alert.objects.create(organization=brand.organization, brand=brand,
                                 kind="volume_spike", fired_at=now, window_min=5, observed=40,
                                 expected=4.0)
    hook = AlertWebhook.objects.create(brand=brand, url="https://hooks.example/a",
                                       secret_encrypted="x", created_at=now)
    schedule = ReportSchedule.objects.create(
        brand=brand, name="Weekly", template="pr", format="pdf", language="en",
        cadence="weekly", recipients="boss@example.com", created_at=now)
    return {"alert_id": alert.id, "webhook_id": hook.id, "schedule_id": schedule.id,
            "share_token": "not-a-share-token"}


def _business_objects(brand: Any) -> dict[str, int]:
    """A business data import of `brand` (insights)."""
    from django.utils import timezone

    from tertulia.insights.models import BusinessImport

    record = BusinessImport.objects.create(brand=brand, source="csv", file_name="f.csv",
                                           created_at=timezone.now())
    return {"import_id": record.id}


def _case_objects(conversation_id: int) -> dict[str, int]:
    """A case of the conversation, a lead and a published article of its brand (cases)."""
    from django.utils import timezone

    from tertulia.cases.models import Article, Case, CaseConversation, Lead
    from tertulia.engagement.models import Conversation

    conv = Conversation.objects.select_related("brand").get(id=conversation_id)
    now = timezone.now()
    case = Case.objects.create(organization=conv.organization, brand=conv.brand,
                               number=Case.objects.count() + 1, title="Case", created_at=now,
                               updated_at=now)
    CaseConversation.objects.create(case=case, conversation=conv, linked_at=now)
    lead = Lead.objects.create(organization=conv.organization, brand=conv.brand, name="Lead",
                               origin_at=now, created_at=now, updated_at=now)
    article = Article.objects.create(organization=conv.organization, brand=conv.brand,
                                     language="es", title="A", body="B", published=True,
                                     created_at=now, updated_at=now)
    return {"case_id": case.id, "lead_id": lead.id, "article_id": article.id}


def _inbox_objects(brand: Any, mention: Any) -> dict[str, int]:
    """A conversation (holding `mention`), a rule and a reply template of `brand`."""
    from tertulia.engagement.actions import receive_message
    from tertulia.engagement.models import ReplyTemplate, Rule

    conv = receive_message(mention, brand, channel="", now=mention.created_at).conversation
    rule = Rule.objects.create(brand=brand, key=f"r{Rule.objects.count()}", name="R",
                               actions=[{"type": "pull_into_inbox"}])
    template = ReplyTemplate.objects.create(brand=brand, key="t", name="T", language="es",
                                            body=f"Hola {ReplyTemplate.objects.count()}")
    return {"conversation_id": conv.id, "rule_id": rule.id, "template_id": template.id}


def _customer_objects(conversation_id: int, org: Any, viewer: Any) -> dict[str, int]:
    """The conversation's customer, a merge into it, a saved view of the viewer in ``org``
    and a reply of the conversation held for approval."""
    from django.utils import timezone

    from tertulia.engagement.customer_actions import do_merge_customers
    from tertulia.engagement.models import Conversation, Customer, Reply, SavedView
    from tertulia.governance.audit import Actor

    conv = Conversation.objects.get(id=conversation_id)
    now = timezone.now()
    other = Customer.objects.create(organization=conv.organization, name="Twin",
                                    first_seen_at=now, last_seen_at=now)
    merge = do_merge_customers(conv.customer, other, actor=Actor.system("tests"))
    view = SavedView.objects.create(organization=org, owner=viewer,
                                    name=f"v{SavedView.objects.count()}", created_at=now)
    reply = Reply.objects.create(
        organization=conv.organization, brand=conv.brand, conversation=conv, text="held",
        state=Reply.State.AWAITING, idempotency_key=f"matrix-{Reply.objects.count()}",
        created_by_label="someone", created_at=now)
    return {"customer_id": conv.customer_id, "merge_id": merge.id, "view_id": view.id,
            "reply_id": reply.id}


def _report_for(brand: Any) -> Any:
    """A finished report file of the brand (insights)."""
    from django.utils import timezone

    from tertulia.insights.models import Report
    from tertulia.insights.reports.files import path_of

    report = Report.objects.create(
        organization=brand.organization, brand=brand, template="pr", format="pdf",
        language="en", period_start="2026-01-01", period_end="2026-01-31", compare="previous",
        status=Report.Status.DONE, file_name=f"matrix-{Report.objects.count()}.pdf",
        created_at=timezone.now())
    path_of(report).parent.mkdir(parents=True, exist_ok=True)
    path_of(report).write_bytes(b"%PDF-1.7 matrix")
    return report


def _mention_for(brand: Any, query: Any) -> Any:
    from django.utils import timezone

    from tertulia.listening.models import Author, Mention, MentionMatch

    now = timezone.now()
    author = Author.objects.create(organization=brand.organization, network="x",
                                   handle=f"h{Author.objects.count()}", first_seen_at=now,
                                   last_seen_at=now)
    mention = Mention.objects.create(
        organization=brand.organization, network="x", external_id=f"m{Mention.objects.count()}",
        kind="post", author=author, text="coffee", created_at=now, ingested_at=now,
        updated_at=now, language="en",
    )
    MentionMatch.objects.create(mention=mention, query=query, brand=brand, created_at=now,
                                sentiment="neutral", network="x", language="en")
    return mention


def request(client: Client, route: Route, url: str) -> Any:
    return client.post(url) if route.post_only else client.get(url)


CASES = [
    pytest.param(route, key, id=f"{route.name}-{key}") for route in PROTECTED for key in PEOPLE
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "key"), CASES)
def test_route_role_tenant(route: Route, key: str, client: Client, module_world: World) -> None:
    world = module_world
    brand_target = "<slug:brand_slug>" in route.pattern
    url = url_for(route, world, brand=world.a1, viewer=world.person(key))
    client.force_login(world.person(key))
    response = request(client, route, url)
    held = expected_permissions(world, key, brand_target, world.a1)
    if held is None:
        assert response.status_code == 404, url
    elif route.permission in held:
        # An empty POST passes the permission check and may then be refused as invalid.
        allowed = {200, 302, 400} if route.post_only else {200, 302}
        assert response.status_code in allowed, (url, response.status_code)
    else:
        assert response.status_code == 403, (url, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in PROTECTED if "brand_slug" in r.pattern],
                         ids=lambda r: r.name)
def test_brands_out_of_reach_are_not_found(route: Route, client: Client,
                                           module_world: World) -> None:
    """A brand-scoped person and the agency see only their granted brand: the other brand
    of the same organization does not exist for them."""
    world = module_world
    url = url_for(route, world, brand=world.a2)
    for key in ("manager", "agent", "agency"):
        client.force_login(world.person(key))
        assert request(client, route, url).status_code == 404, (key, url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in PROTECTED if re.search(r"<int:\w+>", r.pattern)], ids=lambda r: r.name
)
def test_other_tenants_objects_are_not_found(route: Route, client: Client,
                                             module_world: World) -> None:
    """Even the owner gets 404 for another organization's object under their own org."""
    world = module_world
    url = url_for(route, world, brand=world.a1, foreign_objects=True)
    client.force_login(world.person("owner"))
    assert request(client, route, url).status_code == 404, url


@pytest.mark.django_db
@pytest.mark.parametrize("route", PROTECTED, ids=lambda r: r.name)
def test_anonymous_is_sent_to_sign_in(route: Route, client: Client, module_world: World) -> None:
    world = module_world
    response = request(client, route, url_for(route, world, brand=world.a1))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_other_organization_itself_is_not_found(client: Client, module_world: World) -> None:
    world = module_world
    client.force_login(world.person("owner"))
    assert client.get(f"/o/{world.other.slug}/").status_code == 404
    assert client.get(f"/o/{world.other.slug}/settings/audit/").status_code == 404
