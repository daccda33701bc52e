"""The conversation page's knowledge-base panel in a real browser: suggestions load for the
customer's message, "Insert link" puts the article's public link into the reply box (static
JS under the CSP), and the case made from the conversation shows its timeline."""

from __future__ import annotations

from typing import Any

import pytest

from tertulia.cases.demo import seed_cases
from tertulia.cases.models import Article
from tertulia.listening.pipeline import ingest
from tests.browser.conftest import shot
from tests.conftest import PASSWORD, build_world
from tests.engagement.inbox_world import dm, own


@pytest.mark.django_db(transaction=True)
def test_suggest_insert_and_make_a_case(page: Any, live_server: Any) -> None:
    world = build_world()
    own(world.a1, "demo", "acme")
    seed_cases(world.acme)
    ingest(world.acme, [dm("b1", "Hola, ¿cuándo llega mi pedido? <b>urgente</b>")])
    from tertulia.engagement.models import Conversation

    conv = Conversation.objects.get(brand=world.a1)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "agent@acme.test")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/o/**")
    page.goto(f"{base}/o/{world.acme.slug}/inbox/c/{conv.id}/")
    first = page.locator("#kb-suggestions .kb-suggestion").first
    first.wait_for()
    article = Article.objects.get(brand=world.a1, title="Plazos de entrega de los pedidos")
    assert first.get_attribute("data-article") == str(article.id)
    page.fill("#reply-text", "Hola Lucía, aquí lo tienes:")
    first.locator("button.kb-insert").first.click()
    value = page.input_value("#reply-text")
    assert value.startswith("Hola Lucía, aquí lo tienes: http")
    assert value.endswith(f"/help/{world.acme.slug}/{world.a1.slug}/{article.id}/")
    page.fill("#kb-query", "refund")
    page.wait_for_function(
        "() => (document.querySelector('#kb-suggestions .kb-suggestion a') || {})"
        ".textContent === 'Returns and refunds'")
    shot(page, "cases-conversation-kb")
    page.click("#form-open-case button")
    page.wait_for_url(f"{base}/o/{world.acme.slug}/b/{world.a1.slug}/cases/*/")
    assert page.locator("#timeline .timeline-entry").count() >= 2
    assert "<b>urgente</b>" in page.locator("#conversations").inner_text()
    shot(page, "cases-case-page")
    assert not [e for e in errors if "Content Security Policy" in e], errors
