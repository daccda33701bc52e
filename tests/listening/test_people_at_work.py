"""Corrections, tags, the mention page, live updates, XLSX export and query preview/backfill."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.test import Client

from tertulia.listening import views
from tertulia.listening.actions import accuracy
from tertulia.listening.models import Correction, Mention, MentionMatch, MentionTag, Query
from tertulia.listening.pipeline import ingest
from tests.conftest import World
from tests.listening.test_pipeline import BATCH, post


@pytest.fixture
def listened(world: World) -> World:
    Query.objects.create(brand=world.a1, name="Aurora", text='"cafe aurora" OR @cafeaurora')
    ingest(world.acme, [*BATCH, post("t1", "El café aurora llegó frío", handle="lu",
                                     network="x").model_copy(update={"thread_id": "th1"}),
                        post("t2", "@lu lo sentimos, te escribimos por privado",
                             handle="cafeaurora").model_copy(update={"thread_id": "th1"})])
    return world


def _base(world: World) -> str:
    return f"/o/{world.acme.slug}/b/{world.a1.slug}"


@pytest.mark.django_db
def test_one_click_correction_is_stored_and_measured(listened: World, client: Client) -> None:
    client.force_login(listened.person("agent"))
    mention = Mention.objects.get(external_id="1")
    model_said = mention.sentiment
    other = "negative" if model_said != "negative" else "positive"
    response = client.post(f"{_base(listened)}/mentions/{mention.id}/correct/",
                           {"field": "sentiment", "value": other}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="mention-{mention.id}"' in response.content.decode()
    mention.refresh_from_db()
    assert mention.sentiment == other and mention.model_sentiment == model_said
    assert set(MentionMatch.objects.filter(mention=mention).values_list("sentiment",
                                                                        flat=True)) == {other}
    correction = Correction.objects.get()
    assert (correction.old_value, correction.new_value, correction.user) == (
        model_said, other, listened.person("agent"))
    confirm = Mention.objects.get(external_id="2")
    client.post(f"{_base(listened)}/mentions/{confirm.id}/correct/",
                {"field": "sentiment", "value": confirm.sentiment})
    measured = accuracy(listened.a1)["sentiment"]
    assert (measured["reviewed"], measured["agreed"]) == (2, 1)
    bad = client.post(f"{_base(listened)}/mentions/{confirm.id}/correct/",
                      {"field": "sentiment", "value": "furious"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_an_analyst_without_inbox_can_still_correct_but_a_publisher_cannot(
    listened: World, client: Client
) -> None:
    mention = Mention.objects.get(external_id="1")
    client.force_login(listened.person("publisher"))
    response = client.post(f"{_base(listened)}/mentions/{mention.id}/correct/",
                           {"field": "flag", "value": "spam"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_bulk_tag_and_mark_spam(listened: World, client: Client) -> None:
    client.force_login(listened.person("manager"))
    ids = [str(m.id) for m in Mention.objects.filter(external_id__in=["1", "2"])]
    client.post(f"{_base(listened)}/listen/bulk/", {"mention": ids, "tag": "otoño",
                                                     "action": "tag"})
    assert MentionTag.objects.filter(brand=listened.a1, tag="otoño").count() == 2
    tagged = client.get(f"{_base(listened)}/listen/", {"tag": "otoño"}).context["mentions"]
    assert {m.external_id for m in tagged} == {"1", "2"}
    client.post(f"{_base(listened)}/listen/bulk/", {"mention": ids[:1], "action": "spam"})
    assert Mention.objects.get(id=ids[0]).flag == "spam"


@pytest.mark.django_db
def test_mention_page_shows_author_and_thread(listened: World, client: Client) -> None:
    client.force_login(listened.person("analyst"))
    mention = Mention.objects.get(external_id="t1")
    html = client.get(f"{_base(listened)}/mentions/{mention.id}/").content.decode()
    assert "te escribimos por privado" in html, "the brand's reply in the same thread"
    assert "@lu" in html
    other = Mention.objects.get(external_id="3")  # matched only another brand's query
    assert client.get(f"{_base(listened)}/mentions/{other.id}/").status_code == 404


@pytest.mark.django_db
def test_live_counts_new_mentions(listened: World) -> None:
    last = MentionMatch.objects.filter(brand=listened.a1).order_by("-mention_id").first()
    assert last is not None
    assert views._new_since(listened.a1.id, last.mention_id) == (0, last.mention_id)
    ingest(listened.acme, [post("new", "café aurora otra vez", minutes=5)])
    count, newest = views._new_since(listened.a1.id, last.mention_id)
    assert count == 1 and newest > last.mention_id


@pytest.mark.django_db
def test_live_endpoint_speaks_server_sent_events(listened: World, client: Client) -> None:
    client.force_login(listened.person("agent"))
    response = client.get(f"{_base(listened)}/listen/live/", {"last_id": "0", "poll": "0"})
    assert response["Content-Type"] == "text/event-stream"
    assert response.is_async


@pytest.mark.django_db
def test_xlsx_export_opens_with_the_rows(listened: World, client: Client) -> None:
    client.force_login(listened.person("analyst"))
    response = client.get(f"{_base(listened)}/listen/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("created_at", "network", "kind", "author")
    assert len(rows) - 1 == MentionMatch.objects.filter(brand=listened.a1).values(
        "mention").distinct().count()


@pytest.mark.django_db
def test_preview_and_backfill_of_a_new_query(listened: World, client: Client,
                                             django_capture_on_commit_callbacks: object) -> None:
    client.force_login(listened.person("manager"))
    preview = client.get(f"{_base(listened)}/queries/preview/", {"text": "tostadero"})
    assert "1 of the" in preview.content.decode()
    broken = client.get(f"{_base(listened)}/queries/preview/", {"text": "tostadero AND"})
    assert "column" in broken.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(f"{_base(listened)}/queries/new/",
                    {"name": "Rival", "kind": "competitor", "text": "tostadero",
                     "is_active": "on"})
    query = Query.objects.get(name="Rival")
    assert query.backfill_finished_at is not None and query.backfill_percent == 100
    assert list(query.matches.values_list("mention__external_id", flat=True)) == ["3"]


@pytest.mark.django_db
def test_the_queries_page_shows_model_accuracy_and_exports_the_corrections(
    listened: World, client: Client,
) -> None:
    client.force_login(listened.person("agent"))
    first, second = Mention.objects.get(external_id="1"), Mention.objects.get(external_id="2")
    for mention, value in ((first, "negative" if first.sentiment != "negative" else "positive"),
                           (second, second.sentiment)):
        client.post(f"{_base(listened)}/mentions/{mention.id}/correct/",
                    {"field": "sentiment", "value": value})
    client.force_login(listened.person("manager"))
    page = client.get(f"{_base(listened)}/queries/").content.decode()
    assert "50%" in page and "1 of 2 reviewed mentions agreed" in page
    export = client.get(f"{_base(listened)}/queries/corrections.jsonl")
    rows = [json.loads(line) for line in b"".join(export.streaming_content).splitlines()]
    assert sorted(r["text"] for r in rows) == sorted([first.text, second.text])
    assert {r["field"] for r in rows} == {"sentiment"} and rows[0]["brand"] == listened.a1.slug


@pytest.mark.django_db
def test_mentions_are_sent_to_the_inbox_from_the_stream_and_the_mention_page(
    listened: World, client: Client,
) -> None:
    from tertulia.engagement.models import ConversationItem

    first, second = Mention.objects.get(external_id="1"), Mention.objects.get(external_id="2")
    client.force_login(listened.person("agent"))
    page = client.get(f"{_base(listened)}/mentions/{first.id}/").content.decode()
    assert 'id="pull-form"' in page
    client.post(f"{_base(listened)}/listen/bulk/",
                {"action": "inbox", "mention": [first.id, second.id]})
    assert ConversationItem.objects.filter(mention__in=[first, second],
                                           conversation__brand=listened.a1).count() == 2
    client.force_login(listened.person("analyst"))  # triages mentions, has no inbox
    assert 'id="pull-form"' not in client.get(
        f"{_base(listened)}/mentions/{first.id}/").content.decode()
    refused = client.post(f"{_base(listened)}/listen/bulk/",
                          {"action": "inbox", "mention": [first.id]})
    assert refused.status_code == 403
