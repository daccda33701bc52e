"""Sign in as each demo role, see the right navigation, switch language, manage a team."""

from __future__ import annotations

from typing import Any

import pytest

from tertulia.governance.demo import DEMO_PASSWORD, seed_demo
from tertulia.governance.models import User
from tests.browser.conftest import shot

# Settings pages each demo person must (and must not) see in the menu.
EXPECTED_SETTINGS = {
    "owner@cafe-aurora.example": {"Organization", "Brands", "Sources", "Import", "Teams",
                                  "People", "Agencies", "Roles", "Audit log"},
    "admin@cafe-aurora.example": {"Organization", "Brands", "Sources", "Import", "Teams",
                                  "People", "Roles", "Audit log"},
    "manager@cafe-aurora.example": {"Brands", "Teams", "Roles"},
    "analyst@cafe-aurora.example": {"Brands", "Teams", "Roles"},
    "agent@cafe-aurora.example": {"Brands", "Teams", "Roles"},
    "publisher@cafe-aurora.example": {"Brands", "Teams", "Roles"},
    "approver@cafe-aurora.example": {"Brands", "Teams", "Roles"},
    "maria@agenciafaro.example": {"Brands", "Roles"},
}


SPANISH = {"Organization": "Organización", "Brands": "Marcas", "Sources": "Fuentes",
           "Import": "Importar", "Teams": "Equipos",
           "People": "Personas", "Agencies": "Agencias", "Roles": "Roles",
           "Audit log": "Registro de auditoría"}


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/o/**")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("email", sorted(EXPECTED_SETTINGS))
def test_each_demo_role_sees_its_navigation(page: Any, live_server: Any, email: str) -> None:
    seed_demo()
    sign_in(page, live_server.url, email)
    if email.startswith("maria@"):
        # The agency person lands on her own agency; the client is one click away.
        page.goto(f"{live_server.url}/o/cafe-aurora/")
    page.click("#settings-menu")
    items = {i.strip() for i in page.locator("#settings-menu + .dropdown-menu a").all_inner_texts()}
    expected = EXPECTED_SETTINGS[email]
    if User.objects.get(email=email).language == "es":
        expected = {SPANISH[label] for label in expected}
    assert items == expected
    brands = page.locator("#overview-brands").inner_text()
    if email.startswith(("maria@", "publisher@", "approver@")):
        assert "Café Aurora" in brands and "Aurora Express" not in brands
    shot(page, "role-" + email.split("@")[0])


@pytest.mark.django_db(transaction=True)
def test_owner_switches_to_spanish_and_manages_a_team_member(page: Any, live_server: Any) -> None:
    seed_demo()
    base = live_server.url
    sign_in(page, base, "owner@cafe-aurora.example")
    page.click("#user-menu")
    page.select_option("#language-select", "es")
    page.click("#language-save")
    page.wait_for_load_state()
    assert page.locator("#sections").inner_text().startswith("Resumen")
    page.goto(f"{base}/o/cafe-aurora/settings/teams/")
    page.click("text=Ventas")
    page.select_option("select[name=person]", label="Sam Carter")
    page.click("#add-member-form button[type=submit]")
    assert "Miembro añadido." in page.locator("#messages").inner_text()
    assert "Sam Carter" in page.locator("#team-members").inner_text()
    shot(page, "team-member-added-es")
    page.locator("#team-members form button").first.click()
    assert "Miembro quitado." in page.locator("#messages").inner_text()
    page.goto(f"{base}/o/cafe-aurora/settings/audit/")
    audit = page.locator("#audit-table").inner_text()
    assert "team.member_removed" in audit and "team.member_added" in audit
    shot(page, "audit-log-es")


@pytest.mark.django_db(transaction=True)
def test_works_on_a_phone_width_screen(browser: Any, live_server: Any) -> None:
    seed_demo()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server.url, "admin@cafe-aurora.example")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"page scrolls sideways on a phone: {width}px"
    page.click(".navbar-toggler")
    page.click("#settings-menu")
    page.click("#settings-menu + .dropdown-menu a[href$='/settings/people/']")
    assert page.locator("#people-table").is_visible()
    shot(page, "phone-people")
    context.close()
