"""Shared fixtures: factories that read like the domain and a two-tenant world."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction

from tertulia.governance import actions
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand, Organization, Team, User
from tertulia.governance.permissions import Role

PASSWORD = "correct-horse-battery"
SYSTEM = Actor.system("tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The browser tests run in their own pass (scripts/test.sh), against a live server.
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the cache; each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()
    yield


def make_user(email: str, *, name: str = "", language: str = "en") -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name or email.split("@")[0],
                                    language=language)


def make_org(name: str, *, owner: User | None = None,
             kind: str = Organization.Kind.CLIENT) -> Organization:
    return actions.do_create_organization(name, owner=owner, kind=kind, actor=SYSTEM)


def make_brand(org: Organization, name: str, **fields: object) -> Brand:
    return actions.do_create_brand(org, name, actor=SYSTEM, **fields)


def make_team(org: Organization, name: str, *members: User) -> Team:
    team = actions.do_create_team(org, name, actor=SYSTEM)
    for member in members:
        actions.do_add_team_member(team, member, actor=SYSTEM)
    return team


@dataclass
class World:
    """Two client organizations and one agency.

    `acme` has brands `a1` and `a2` and one person per role (brand roles on `a1` only);
    `agency` holds an agent grant on `a1`; `other` is a separate tenant with brand `o1`.
    """

    acme: Organization
    a1: Brand
    a2: Brand
    other: Organization
    o1: Brand
    agency: Organization
    people: dict[str, User] = field(default_factory=dict)
    team: Team | None = None
    other_team: Team | None = None

    def person(self, key: str) -> User:
        return self.people[key]


ORG_ROLE_PEOPLE = {"owner": Role.ORG_OWNER, "admin": Role.ORG_ADMIN, "analyst": Role.ANALYST}
BRAND_ROLE_PEOPLE = {
    "manager": Role.BRAND_MANAGER, "agent": Role.AGENT, "publisher": Role.PUBLISHER,
    "approver": Role.APPROVER,
}


def build_world() -> World:
    owner = make_user("owner@acme.test")
    acme = make_org("Acme", owner=owner)
    world = World(
        acme=acme, a1=make_brand(acme, "Acme One"), a2=make_brand(acme, "Acme Two"),
        other=make_org("Other", owner=make_user("outsider@other.test")), o1=None,  # type: ignore[arg-type]
        agency=make_org("Faro", owner=make_user("staff@agency.test"),
                        kind=Organization.Kind.AGENCY),
    )
    world.o1 = make_brand(world.other, "Other One")
    world.people["owner"] = owner
    world.people["outsider"] = User.objects.get(email="outsider@other.test")
    world.people["agency"] = User.objects.get(email="staff@agency.test")
    for key, role in ORG_ROLE_PEOPLE.items():
        if key != "owner":
            world.people[key] = make_user(f"{key}@acme.test")
            actions.do_grant_role(acme, world.people[key], role, None, actor=SYSTEM)
    for key, role in BRAND_ROLE_PEOPLE.items():
        world.people[key] = make_user(f"{key}@acme.test")
        actions.do_grant_role(acme, world.people[key], role, world.a1, actor=SYSTEM)
    actions.do_grant_agency(acme, world.agency, Role.AGENT, [world.a1], actor=SYSTEM)
    world.team = make_team(acme, "Service", world.people["agent"])
    world.other_team = make_team(world.other, "Other team", world.people["outsider"])
    return world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """One world for a whole module, built once inside a transaction that is rolled back at
    the end; each test (with `db`) runs in a savepoint inside it, so tests stay isolated."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
