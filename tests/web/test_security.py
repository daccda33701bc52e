"""Headers, escaping and the content security policy."""

from __future__ import annotations

import pytest
from django.test import Client

from tertulia.governance import actions
from tests.conftest import SYSTEM, World


@pytest.mark.django_db
def test_security_headers_on_every_page(client: Client) -> None:
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_user_text_is_always_escaped(world: World, client: Client) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    actions.do_create_team(world.acme, hostile, actor=SYSTEM)
    actions.do_add_competitor(world.a1, hostile, handles=hostile, actor=SYSTEM)
    client.force_login(world.person("owner"))
    for url in (f"/o/{world.acme.slug}/settings/teams/",
                f"/o/{world.acme.slug}/b/{world.a1.slug}/settings/",
                f"/o/{world.acme.slug}/settings/audit/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url


@pytest.mark.django_db
def test_audit_csv_neutralizes_spreadsheet_formulas(world: World, client: Client) -> None:
    actions.do_create_team(world.acme, "=HYPERLINK(\"http://evil\")", actor=SYSTEM)
    client.force_login(world.person("owner"))
    response = client.get(f"/o/{world.acme.slug}/settings/audit/export.csv")
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in body
    assert response["Content-Type"] == "text/csv"


@pytest.mark.django_db
def test_language_switch_is_remembered_per_person(world: World, client: Client) -> None:
    person = world.person("owner")
    client.force_login(person)
    response = client.post("/account/language/", {"language": "es", "next": "//evil.test/"})
    assert response["Location"] == "/", "no open redirect"
    person.refresh_from_db()
    assert person.language == "es"
    page = client.get(f"/o/{world.acme.slug}/settings/teams/").content.decode()
    assert "Equipos" in page and "Crear equipo" in page


@pytest.mark.django_db
def test_health_check(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
