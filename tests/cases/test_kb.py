"""The knowledge base: articles per brand and language, safe rendering, suggestions while
replying (inserted as a link or as text), promoting a community answer, the public page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tertulia.cases import actions
from tertulia.cases.demo import ARTICLES, seed_cases
from tertulia.cases.models import Article, SurveySettings
from tertulia.engagement import actions as inbox_actions
from tests.cases.conftest import Inbox
from tests.conftest import SYSTEM, World


def _article(world: World, title: str, body: str, language: str = "es", *,
             published: bool = True, brand=None) -> Article:
    return actions.do_save_article(brand or world.a1, actor=SYSTEM, title=title, body=body,
                                   language=language, tags="pedidos, #Pedidos, envíos",
                                   published=published)


@pytest.mark.django_db
def test_articles_are_validated_and_audited(world: World) -> None:
    article = _article(world, "Plazos de entrega", "Llegan en **48 h**.")
    assert article.tags == ["pedidos", "envíos"]
    for kwargs, message in (({"title": " "}, "title"), ({"body": ""}, "text"),
                            ({"language": "fr"}, "language")):
        data = {"title": "T", "body": "B", "language": "es", **kwargs}
        with pytest.raises(ValidationError, match=message):
            actions.do_save_article(world.a1, actor=SYSTEM, **data)
    with pytest.raises(ValidationError, match="another brand"):
        actions.do_save_article(world.a2, actor=SYSTEM, title="x", body="y", language="es",
                                article=article)
    from tertulia.governance.models import AuditEvent

    assert AuditEvent.objects.filter(action="kb.article_saved").count() == 1


@pytest.mark.django_db
def test_suggestions_for_the_message_being_answered(world: World, inbox: Inbox,
                                                    client: Client) -> None:
    seed_cases(world.acme)
    seed_cases(world.acme)  # twice: nothing more
    assert Article.objects.filter(brand=world.a1).count() == len(ARTICLES)
    assert SurveySettings.objects.get(brand=world.a1).enabled
    _article(world, "Borrador secreto de pedidos", "pedido pedido pedido", published=False)
    conv = inbox.dm("m1", "¿Cuándo llega mi pedido? Ya han pasado días")
    client.force_login(world.person("agent"))
    url = f"/o/{world.acme.slug}/inbox/c/{conv.id}/kb/"
    page = client.get(url)
    assert page.status_code == 200
    rows = page.context["rows"]
    assert rows[0]["article"].title == "Plazos de entrega de los pedidos"
    assert all(r["article"].published for r in rows)
    assert rows[0]["link"].endswith(
        f"/help/{world.acme.slug}/{world.a1.slug}/{rows[0]['article'].id}/")
    assert "24–48 horas laborables" in rows[0]["text"] and "**" not in rows[0]["text"]
    html = page.content.decode()
    assert 'class="btn btn-sm kb-insert"' in html and "Insert link" in html
    top = rows[0]["article"]
    actions.do_save_article(world.a1, actor=SYSTEM, title=top.title, body=top.body,
                            language="es", published=False, article=top)
    again = client.get(url).context["rows"]  # the cached index notices the change
    assert top.id not in [r["article"].id for r in again]
    english = client.get(url, {"q": "how do I return it and get a refund"}).context["rows"]
    assert english[0]["article"].title == "Returns and refunds"
    conversation = client.get(f"/o/{world.acme.slug}/inbox/c/{conv.id}/").content.decode()
    assert 'id="kb-suggestions"' in conversation and "cases/kb.js" in conversation
    client.force_login(world.person("publisher"))
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_hostile_articles_are_inert_everywhere(world: World, client: Client) -> None:
    article = _article(world, "<img src=x onerror=alert(1)>",
                       "<script>alert(1)</script>\n\n[x](javascript:alert(1)) **ok**")
    client.force_login(world.person("agent"))
    for url in (f"/o/{world.acme.slug}/b/{world.a1.slug}/kb/{article.id}/",
                f"/help/{world.acme.slug}/{world.a1.slug}/{article.id}/",
                f"/o/{world.acme.slug}/b/{world.a1.slug}/kb/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert 'href="javascript' not in html, url
    body = client.get(f"/help/{world.acme.slug}/{world.a1.slug}/{article.id}/").content.decode()
    assert "<strong>ok</strong>" in body


@pytest.mark.django_db
def test_the_public_page_shows_only_published_articles(world: World, client: Client) -> None:
    draft = _article(world, "Borrador", "texto", published=False)
    live = _article(world, "Publicado", "texto")
    assert client.get(f"/help/{world.acme.slug}/{world.a1.slug}/{draft.id}/").status_code == 404
    assert client.get(f"/help/{world.acme.slug}/{world.a1.slug}/{live.id}/").status_code == 200
    assert client.get(f"/help/{world.acme.slug}/{world.a2.slug}/{live.id}/").status_code == 404
    assert client.get(f"/help/{world.other.slug}/{world.a1.slug}/{live.id}/").status_code == 404


@pytest.mark.django_db
def test_a_community_answer_becomes_an_article_in_one_action(world: World, inbox: Inbox,
                                                            client: Client) -> None:
    question = inbox.public("f1", "¿Cómo se limpia la cafetera italiana?", handle="ana")
    answer = inbox.public("f2", "Agua caliente y nada de jabón; se deja secar desmontada.",
                          handle="ana", minutes=3)
    assert question.id == answer.id  # one customer's loose mentions: one conversation
    item = answer.items.order_by("created_at").last()
    client.force_login(world.person("agent"))
    response = client.post(f"/o/{world.acme.slug}/inbox/c/{answer.id}/promote/",
                           {"item": item.id})
    article = Article.objects.get()
    assert response["Location"] == (f"/o/{world.acme.slug}/b/{world.a1.slug}/kb/"
                                    f"{article.id}/edit/")
    assert article.title == "¿Cómo se limpia la cafetera italiana?"
    assert article.body.startswith("Agua caliente y nada de jabón")
    assert "https://x.example/ana/f2" in article.body
    assert (article.published, article.source_item, article.language) == (False, item, "es")
    reply = inbox_actions.do_queue_reply(answer, "Nuestra respuesta oficial.", actor=SYSTEM)
    promoted = actions.do_promote_item(reply.item, actor=SYSTEM)
    assert promoted.body == "Nuestra respuesta oficial."
    foreign = inbox.foreign("x1", "hola")
    foreign_item = foreign.items.get()
    missing = client.post(f"/o/{world.acme.slug}/inbox/c/{answer.id}/promote/",
                          {"item": foreign_item.id}, follow=True)
    assert "Choose a message" in missing.content.decode()
    client.force_login(world.person("analyst"))
    assert client.post(f"/o/{world.acme.slug}/inbox/c/{answer.id}/promote/",
                       {"item": item.id}).status_code == 403


@pytest.mark.django_db
def test_kb_pages_edit_and_search(world: World, client: Client) -> None:
    client.force_login(world.person("manager"))
    base = f"/o/{world.acme.slug}/b/{world.a1.slug}/kb/"
    made = client.post(base + "new/", {"title": "Horarios", "language": "es",
                                       "body": "Abrimos a las 8.", "tags": "horario",
                                       "published": "on"})
    article = Article.objects.get()
    assert made["Location"] == f"{base}{article.id}/"
    client.post(f"{base}{article.id}/edit/", {"title": "Horarios de apertura", "language": "es",
                                              "body": "Abrimos a las 8:00.", "tags": ""})
    article.refresh_from_db()
    assert (article.title, article.published, article.tags) == ("Horarios de apertura",
                                                               False, [])
    found = client.get(base, {"q": "¿Cuál es vuestro horario?"}).context["rows"]
    assert found == [article]
    client.force_login(world.person("analyst"))
    assert client.get(base).status_code == 200
    assert client.get(base + "new/").status_code == 403
    client.force_login(world.person("manager"))
    client.post(f"{base}{article.id}/delete/")
    assert not Article.objects.exists()
