"""The query editor colours the query with the parser's own lexer and underlines errors."""

from __future__ import annotations

import pytest
from django.test import Client

from tertulia.listening.views import highlight_segments
from tests.conftest import World


def validate(client: Client, world: World, text: str) -> str:
    client.force_login(world.person("manager"))
    url = f"/o/{world.acme.slug}/b/{world.a1.slug}/queries/validate/"
    return client.get(url, {"text": text}).content.decode()


def test_segments_cover_the_whole_query_in_order() -> None:
    text = '"café aurora" AND (refund* OR #fail) NEAR/3 author:lucia <<<vip>>>'
    segments = highlight_segments(text, [])
    assert "".join(piece for piece, _kind in segments) == text
    kinds = dict((piece.strip(), kind) for piece, kind in segments if piece.strip())
    assert kinds['"café aurora"'] == "qh-phrase" and kinds["AND"] == "qh-operator"
    assert kinds["refund*"] == "qh-wildcard" and kinds["#fail"] == "qh-hashtag"
    assert kinds["NEAR/3"] == "qh-proximity" and kinds["<<<vip>>>"] == "qh-comment"


@pytest.mark.django_db
def test_the_editor_gets_colours_and_the_error_underlined(world: World, client: Client) -> None:
    html = validate(client, world, "cafe AND")
    assert 'class="qh-operator' in html and "qh-problem" in html
    assert 'data-for="cafe AND"' in html and 'hx-swap-oob="true"' in html


@pytest.mark.django_db
def test_hostile_text_in_a_query_is_shown_inert(world: World, client: Client) -> None:
    html = validate(client, world, '"<img src=x onerror=alert(1)>"')
    assert "<img" not in html and "&lt;img" in html
