"""Deleted upstream, erased on request, or past retention: hidden at once, purged on time."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from tertulia.governance.audit import Actor
from tertulia.governance.models import AuditEvent
from tertulia.listening import search
from tertulia.listening.models import Author, Mention, MentionMatch, Query
from tertulia.listening.pipeline import ingest
from tertulia.listening.retention import (
    DELETED_UPSTREAM_GRACE,
    do_erase_author,
    hide_deleted,
    purge,
)
from tertulia.networks.inbound import process_event
from tertulia.networks.webhooks import PayloadInvalid, parse_generic
from tests.api.test_listening_api import _auth
from tests.conftest import World
from tests.listening.test_pipeline import T0, post
from tests.networks.django.conftest import make_webhook_source

ADMIN = Actor.system("tests")


def fts_rows() -> int:
    table = "listening_mention_fts" if connection.vendor == "sqlite" else "listening_mention_search"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


@pytest.fixture
def stored(world: World) -> World:
    Query.objects.create(brand=world.a1, name="Aurora", text="aurora")
    ingest(world.acme, [
        post("1", "Café Aurora, el mejor flat white", handle="lucia"),
        post("2", "Aurora me cobró dos veces", handle="lucia", minutes=1),
        post("3", "Aurora abre en Chamberí", handle="prensa", minutes=2),
    ], now=T0)
    return world


def visible(world: World) -> list[str]:
    return sorted(Mention.objects.filter(organization=world.acme, hidden_at=None)
                  .values_list("external_id", flat=True))


@pytest.mark.django_db
def test_a_delete_notice_hides_at_once_and_the_purge_removes_everything(stored: World) -> None:
    world = stored
    assert hide_deleted(world.acme, [("x", "2"), ("x", "unknown")], now=T0) == 1
    assert visible(world) == ["1", "3"]
    assert search.match_sql("cobró") is not None
    assert purge(T0 + DELETED_UPSTREAM_GRACE - timedelta(seconds=1)) == {}
    assert purge(T0 + DELETED_UPSTREAM_GRACE) == {world.acme.id: 1}
    assert not Mention.objects.filter(external_id="2").exists()
    assert MentionMatch.objects.count() == 2 and fts_rows() == 2
    event = AuditEvent.objects.filter(organization=world.acme).last()
    assert event.action == "mentions.purged" and event.after["mentions"] == 1


@pytest.mark.django_db
def test_a_second_notice_for_the_same_item_changes_nothing(stored: World) -> None:
    assert hide_deleted(stored.acme, [("x", "2")], now=T0) == 1
    assert hide_deleted(stored.acme, [("x", "2")], now=T0 + timedelta(hours=5)) == 0
    assert Mention.objects.get(external_id="2").purge_after == T0 + DELETED_UPSTREAM_GRACE


@pytest.mark.django_db
def test_an_erasure_request_forgets_the_person_and_says_so_without_naming_them(
    stored: World,
) -> None:
    world = stored
    assert do_erase_author(world.acme, "x", "lucia", actor=ADMIN, now=T0) == 2
    assert visible(world) == ["3"]
    assert set(Mention.objects.filter(external_id__in=["1", "2"]).values_list("text", flat=True)) \
        == {""}
    author = Author.objects.get(organization=world.acme, mentions__external_id="1")
    assert author.handle.startswith("erased-") and author.name == "" and author.followers is None
    event = AuditEvent.objects.filter(organization=world.acme, action="author.erased").get()
    assert "lucia" not in json.dumps(event.after) + event.object_repr
    assert purge(T0) == {world.acme.id: 2}
    assert visible(world) == ["3"] and Mention.objects.count() == 1
    with pytest.raises(Author.DoesNotExist, match="@nadie"):
        do_erase_author(world.acme, "x", "nadie", actor=ADMIN)


@pytest.mark.django_db
def test_retention_deletes_only_what_is_older_and_only_where_set(stored: World) -> None:
    world = stored
    ingest(world.other, [post("9", "Aurora", minutes=0)], now=T0)
    world.acme.mention_retention_days = 30
    world.acme.save()
    assert purge(T0 + timedelta(days=29)) == {}
    assert purge(T0 + timedelta(days=30, minutes=1, seconds=30)) == {world.acme.id: 2}
    assert visible(world) == ["3"]
    assert Mention.objects.filter(organization=world.other).count() == 1


@pytest.mark.django_db
def test_hidden_mentions_leave_the_stream_the_api_and_the_mention_page(
    stored: World, client: Client,
) -> None:
    world = stored
    hidden = Mention.objects.get(external_id="2")
    hide_deleted(world.acme, [("x", "2")])
    page = client.get(f"/api/v1/orgs/{world.acme.slug}/brands/{world.a1.slug}/mentions",
                      **_auth(world)).json()
    assert sorted(m["external_id"] for m in page["items"]) == ["1", "3"]
    client.force_login(world.person("owner"))
    url = f"/o/{world.acme.slug}/b/{world.a1.slug}/mentions/{hidden.id}/"
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_delete_notices_arrive_through_the_api_and_webhooks(stored: World, client: Client) -> None:
    world = stored
    answer = client.post(f"/api/v1/orgs/{world.acme.slug}/ingest",
                         {"deleted": [{"network": "x", "external_id": "1"}]},
                         content_type="application/json", **_auth(world)).json()
    assert answer["hidden"] == 1 and answer["created"] == 0
    _source, endpoint, _secret = make_webhook_source(world.acme)
    raw = json.dumps({"id": "evt-del", "deleted": [{"network": "X", "external_id": 3}]}).encode()
    event = endpoint.events.create(event_id="evt-del", received_at=T0, raw_body=raw)
    process_event(event.pk)
    event.refresh_from_db()
    assert event.status == "processed" and visible(world) == ["2"]


@pytest.mark.parametrize(("deleted", "message"), [
    ("x", "deleted must be a list"),
    ([{"network": "x"}], r"deleted\[0\].external_id"),
    ([{"network": "", "external_id": "1"}], r"deleted\[0\].network"),
    (["x:1"], r"deleted\[0\] must be an object"),
])
def test_bad_delete_notices_are_refused_precisely(deleted: object, message: str) -> None:
    with pytest.raises(PayloadInvalid, match=message):
        parse_generic(json.dumps({"id": "e", "deleted": deleted}).encode())


@pytest.mark.django_db
def test_the_erase_command_forgets_a_person(stored: World) -> None:
    from typer.testing import CliRunner

    from tertulia.cli import app

    runner = CliRunner()
    done = runner.invoke(app, ["erase", "--org", stored.acme.slug, "--network", "x",
                               "--handle", "@lucia"])
    assert done.exit_code == 0 and "2 mentions hidden" in done.output
    assert visible(stored) == ["3"]
    missing = runner.invoke(app, ["erase", "--org", stored.acme.slug, "--network", "x",
                                  "--handle", "nadie"])
    assert missing.exit_code == 1
