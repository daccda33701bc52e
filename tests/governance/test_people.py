"""Inviting, deactivating and agencies: the governance actions as people use them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from tertulia.api.models import ApiToken
from tertulia.governance import actions
from tertulia.governance.access import can, visible_brands
from tertulia.governance.models import AuditEvent, Membership, User, new_token
from tertulia.governance.permissions import Permission as P
from tertulia.governance.permissions import Role
from tests.conftest import PASSWORD, SYSTEM, World


def _invite_link() -> str:
    match = re.search(r"http://\S+/invite/(\S+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return f"/invite/{match.group(1)}/"


@pytest.mark.django_db(transaction=True)
def test_invitation_by_email_link_creates_the_person_with_the_role(client: Client) -> None:
    from tests.conftest import build_world

    world = build_world()
    client.force_login(world.person("owner"))
    response = client.post(f"/o/{world.acme.slug}/settings/people/invite/",
                           {"email": "New.Agent@acme.test", "role": "agent",
                            "brand": world.a2.id})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new.agent@acme.test"]
    link = _invite_link()
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "new.agent@acme.test" in page.content.decode()
    accepted = client.post(link, {"full_name": "Nora Agent", "password": "a-long-password-1"})
    assert accepted.status_code == 302
    person = User.objects.get(email="new.agent@acme.test")
    assert Membership.objects.filter(user=person, role=Role.AGENT, brand=world.a2).exists()
    assert client.get(link).status_code == 404, "an invitation works once"
    assert AuditEvent.objects.filter(organization=world.acme,
                                     action="invitation.accepted").exists()


@pytest.mark.django_db
def test_invalid_invitation_token_is_not_found(client: Client) -> None:
    assert client.get("/invite/made-up/").status_code == 404


@pytest.mark.django_db
def test_deactivation_ends_sessions_and_stops_api_tokens(world: World) -> None:
    agent = world.person("agent")
    raw, token_hash = new_token()
    ApiToken.objects.create(user=agent, organization=world.acme, name="ci", prefix=raw[:8],
                            token_hash=token_hash)
    raw = "tt_" + raw
    ApiToken.objects.filter(token_hash=token_hash).update(
        token_hash=__import__("tertulia.governance.models", fromlist=["hash_token"]).hash_token(raw)
    )
    browser = Client()
    browser.force_login(agent)
    assert browser.get(f"/o/{world.acme.slug}/").status_code == 200
    api = Client()
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

    actions.do_deactivate_person(world.acme, agent, actor=SYSTEM)

    assert browser.get(f"/o/{world.acme.slug}/").status_code == 302, "session ended"
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    agent.refresh_from_db()
    assert not agent.is_active
    assert not Client().login(email=agent.email, password=PASSWORD)
    event = AuditEvent.objects.get(organization=world.acme, action="person.deactivated")
    assert event.before["roles"] == ["agent"]


@pytest.mark.django_db
def test_the_last_owner_cannot_be_removed(world: World) -> None:
    owner_membership = Membership.objects.get(organization=world.acme, role=Role.ORG_OWNER)
    with pytest.raises(ValidationError):
        actions.do_revoke_role(owner_membership, actor=SYSTEM)
    with pytest.raises(ValidationError):
        actions.do_deactivate_person(world.acme, world.person("owner"), actor=SYSTEM)


@pytest.mark.django_db
def test_org_roles_cannot_be_scoped_to_one_brand(world: World) -> None:
    with pytest.raises(ValidationError):
        actions.do_grant_role(world.acme, world.person("agent"), Role.ORG_ADMIN, world.a1,
                              actor=SYSTEM)


@pytest.mark.django_db
def test_agency_sees_only_granted_brands_and_revocation_is_immediate(world: World,
                                                                    client: Client) -> None:
    staff = world.person("agency")
    assert list(visible_brands(staff, world.acme)) == [world.a1]
    assert can(staff, P.BRAND_INBOX_REPLY, world.a1)
    assert not can(staff, P.BRAND_INBOX_REPLY, world.a2)
    assert not can(staff, P.ORG_PEOPLE_VIEW, org=world.acme)
    client.force_login(staff)
    assert client.get(f"/o/{world.acme.slug}/").status_code == 200
    overview = client.get(f"/o/{world.acme.slug}/").content.decode()
    assert world.a1.name in overview and world.a2.name not in overview

    grant = world.acme.grants_given.get()
    actions.do_revoke_agency(grant, actor=SYSTEM)

    assert client.get(f"/o/{world.acme.slug}/").status_code == 404
    assert not can(User.objects.get(id=staff.id), P.BRAND_VIEW, world.a1)


@pytest.mark.django_db
def test_agency_actions_are_audited_as_acting_for_the_agency(world: World,
                                                            client: Client) -> None:
    actions.do_grant_agency(world.acme, world.agency, Role.BRAND_MANAGER, [world.a1],
                            actor=SYSTEM)
    client.force_login(world.person("agency"))
    response = client.post(f"/o/{world.acme.slug}/b/{world.a1.slug}/settings/competitors/",
                           {"name": "Café Latido", "handles": "@latido"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(organization=world.acme,
                                      action="brand.competitor_added").latest("seq")
    assert event.actor_label == "staff@agency.test"
    assert event.acting_for == world.agency
    assert event.ip == "127.0.0.1"


@pytest.mark.django_db
def test_mandatory_two_factor_sends_people_to_set_it_up(world: World, client: Client) -> None:
    actions.do_update_organization(world.acme, {"require_mfa": True}, actor=SYSTEM)
    client.force_login(world.person("analyst"))
    response = client.get(f"/o/{world.acme.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate")
    # The outsider's organization does not require it.
    other = Client()
    other.force_login(world.person("outsider"))
    assert other.get(f"/o/{world.other.slug}/").status_code == 200


@pytest.mark.django_db
def test_sign_in_is_throttled_after_repeated_failures(world: World, client: Client) -> None:
    from django.core.cache import cache

    cache.clear()
    email = world.person("analyst").email
    for _ in range(6):
        client.post("/accounts/login/", {"login": email, "password": "wrong"})
    # Even the right password is refused while throttled.
    blocked = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert blocked.status_code == 200
    assert "Too many failed login attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()
    ok = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert ok.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_password_reset_sends_a_link(world: World, client: Client) -> None:
    response = client.post("/accounts/password/reset/", {"email": world.person("agent").email})
    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


@pytest.mark.django_db
def test_open_sign_up_is_closed(client: Client) -> None:
    response = client.post("/accounts/signup/", {"email": "x@y.test", "password1": "abc12345xyz!",
                                                 "password2": "abc12345xyz!"})
    assert not User.objects.filter(email="x@y.test").exists()
    assert response.status_code in {200, 302, 403}
