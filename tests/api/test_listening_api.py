"""Listening over the API: queries, mentions and ingest, scoped by token and brand."""

from __future__ import annotations

import pytest
from django.test import Client

from tertulia.listening.models import Mention, Query
from tests.api.test_api_foundation import _token
from tests.conftest import World

ITEM = {"network": "x", "external_id": "p1", "author_handle": "lucia", "author_followers": 50,
        "created_at": "2026-11-20T10:00:00Z", "text": "Me encanta @cafeaurora",
        "url": "https://x.example/p1"}


def _auth(world: World, key: str = "owner") -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {_token(world.person(key), world.acme)}"}


@pytest.mark.django_db
def test_validate_returns_the_editor_diagnostics(world: World, client: Client) -> None:
    response = client.get("/api/v1/queries/validate", {"q": "coffee AND", "lang": "es"},
                          **_auth(world))
    body = response.json()
    assert body["valid"] is False
    assert body["diagnostics"][0]["column"] >= 8
    assert client.get("/api/v1/queries/validate", {"q": "coffee"}, **_auth(world)).json()["valid"]


@pytest.mark.django_db
def test_query_crud_refuses_invalid_queries(world: World, client: Client) -> None:
    base = f"/api/v1/orgs/{world.acme.slug}/brands/{world.a1.slug}/queries"
    auth = _auth(world, "manager")
    bad = client.post(base, {"name": "x", "text": "a AND b OR c"}, content_type="application/json",
                      **auth)
    assert bad.status_code == 422 and bad.json()["diagnostics"][0]["code"]
    made = client.post(base, {"name": "Aurora", "text": "@cafeaurora"},
                       content_type="application/json", **auth)
    assert made.status_code == 201
    qid = made.json()["id"]
    changed = client.put(f"{base}/{qid}", {"name": "Aurora", "text": "@cafeaurora OR aurora"},
                         content_type="application/json", **auth)
    assert changed.json()["text"] == "@cafeaurora OR aurora"
    assert client.delete(f"{base}/{qid}", **auth).status_code == 204
    assert not Query.objects.filter(id=qid).exists()


@pytest.mark.django_db
def test_agency_and_brand_scoping(world: World, client: Client) -> None:
    other_brand = f"/api/v1/orgs/{world.acme.slug}/brands/{world.a2.slug}/queries"
    assert client.get(other_brand, **_auth(world, "agency")).status_code == 404
    assert client.get(other_brand, **_auth(world, "agent")).status_code == 404
    own = f"/api/v1/orgs/{world.acme.slug}/brands/{world.a1.slug}/queries"
    assert client.get(own, **_auth(world, "agent")).status_code == 200
    assert client.post(own, {"name": "x", "text": "y"}, content_type="application/json",
                       **_auth(world, "agent")).status_code == 403


@pytest.mark.django_db
def test_ingest_keeps_valid_items_and_names_the_bad_ones(world: World, client: Client) -> None:
    Query.objects.create(brand=world.a1, name="Aurora", text="@cafeaurora")
    bad = {**ITEM, "external_id": "p2", "author_followers": -1}
    response = client.post(f"/api/v1/orgs/{world.acme.slug}/ingest",
                           {"items": [ITEM, bad]}, content_type="application/json",
                           **_auth(world))
    body = response.json()
    assert (body["created"], len(body["errors"])) == (1, 1)
    assert body["errors"][0]["index"] == 1 and "followers" in body["errors"][0]["field"]
    again = client.post(f"/api/v1/orgs/{world.acme.slug}/ingest", {"items": [ITEM]},
                        content_type="application/json", **_auth(world)).json()
    assert (again["created"], again["unchanged"]) == (0, 1)
    assert Mention.objects.count() == 1
    page = client.get(f"/api/v1/orgs/{world.acme.slug}/brands/{world.a1.slug}/mentions",
                      {"q": "encanta"}, **_auth(world)).json()
    assert [m["external_id"] for m in page["items"]] == ["p1"]
    assert client.post(f"/api/v1/orgs/{world.acme.slug}/ingest", {"items": [ITEM]},
                       content_type="application/json",
                       **_auth(world, "agent")).status_code == 403


@pytest.mark.django_db
def test_mentions_export_streams_every_match_as_json_lines(world: World, client: Client) -> None:
    import json

    Query.objects.create(brand=world.a1, name="Aurora", text="@cafeaurora")
    items = [{**ITEM, "external_id": f"p{i}", "url": f"https://x.example/p{i}"}
             for i in range(60)]
    client.post(f"/api/v1/orgs/{world.acme.slug}/ingest", {"items": items},
                content_type="application/json", **_auth(world))
    url = f"/api/v1/orgs/{world.acme.slug}/brands/{world.a1.slug}/mentions/export"
    response = client.get(url, **_auth(world))
    assert response["Content-Type"] == "application/x-ndjson"
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert len(rows) == 60 and {r["author"] for r in rows} == {"lucia"}
    assert client.get(url, **_auth(world, "publisher")).status_code == 200
    other = f"/api/v1/orgs/{world.acme.slug}/brands/{world.a2.slug}/mentions/export"
    assert client.get(other, **_auth(world, "agency")).status_code == 404
