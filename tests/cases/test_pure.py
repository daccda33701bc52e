"""The pure modules: article ranking in Spanish and English, safe Markdown, the timeline
order and the CSAT figures."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tertulia.cases import csat, ranking, timeline
from tertulia.cases import markdown as md

ARTICLES = [
    ranking.Document(1, "Plazos de entrega de los pedidos",
                     "Los pedidos llegan en 24–48 horas. Recibirás el número de seguimiento.",
                     "es", ("pedidos", "envíos")),
    ranking.Document(2, "Devoluciones y reembolsos",
                     "Tienes 30 días para devolver el café; escríbenos con tu número de pedido. "
                     "El reembolso llega en 5–7 días.",
                     "es", ("devoluciones",)),
    ranking.Document(3, "Horarios de las cafeterías",
                     "Abrimos de lunes a viernes de 8:00 a 20:00.", "es", ("horario",)),
    ranking.Document(4, "Delivery times for orders",
                     "Orders arrive in 1–2 working days. You get a tracking number.", "en",
                     ("orders",)),
    ranking.Document(5, "Returns and refunds",
                     "You have 30 days to return unopened coffee; refunds take 5–7 days.", "en",
                     ("returns",)),
    ranking.Document(6, "Café opening hours", "Our cafés open Monday to Friday.", "en",
                     ("hours",)),
]


@pytest.mark.parametrize(("message", "language", "best"), [
    ("¿Cuándo llega mi pedido? Hace días que lo pedí", "es", 1),
    ("Quiero devolver el café, ¿cómo pido el reembolso?", "es", 2),
    ("¿A qué hora abrís la cafetería el viernes?", "es", 3),
    ("Where is my order? It was delivered late last time", "en", 4),
    ("How do I get a refund for my return?", "en", 5),
    ("What are your opening hours on Friday?", "en", 6),
    ("ENVÍO retrasado del PEDIDO", "es", 1),  # case and accents do not matter
])
def test_the_best_article_answers_the_message(message: str, language: str, best: int) -> None:
    found = ranking.suggest(ARTICLES, message, language=language)
    assert found, message
    assert found[0].key == best, (message, found)


def test_nothing_matches_small_talk_and_ties_are_stable() -> None:
    assert ranking.suggest(ARTICLES, "hola, gracias!!") == []
    assert ranking.suggest(ARTICLES, "") == []
    assert ranking.suggest([], "pedido") == []
    twins = [ranking.Document(9, "pedido", "x"), ranking.Document(8, "pedido", "x")]
    assert [m.key for m in ranking.suggest(twins, "pedido")] == [8, 9]


def test_the_language_bonus_breaks_ties_but_never_invents_a_match() -> None:
    docs = [ranking.Document(1, "Café", "café", "en"), ranking.Document(2, "Café", "café", "es")]
    assert ranking.suggest(docs, "café", language="es")[0].key == 2
    assert ranking.suggest(docs, "café", language="en")[0].key == 1
    assert ranking.suggest(ARTICLES, "bicicleta", language="es") == []


def test_spanish_and_english_normalization() -> None:
    assert ranking.fold("ENVÍO Añejo") == "envio añejo"
    assert ranking.terms("pedidos") == ranking.terms("pedido") == ranking.terms("PEDÍDO")
    assert ranking.terms("orders") == ranking.terms("ordered") == ranking.terms("order")
    assert ranking.terms("llegan") == ranking.terms("llega") == ranking.terms("llegar")
    assert ranking.terms("abrimos") == ranking.terms("abrir")
    assert ranking.terms("the and el la de") == []


HOSTILE = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '[x](data:text/html;base64,PHNjcmlwdD4=)',
    '"><svg onload=alert(1)>',
    '**<b onmouseover=alert(1)>bold</b>**',
    '`<script>`',
]


ALLOWED = {"p", "strong", "em", "code", "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
           "br"}


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_renders_inert(source: str) -> None:
    html = md.render(source)
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z0-9]+)", html))
    assert tags <= ALLOWED, (source, html)
    assert all(h.startswith(("http://", "https://", "mailto:"))
               for h in re.findall(r'href="([^"]*)"', html)), html
    assert not re.search(r"<[a-z0-9]+ [^>]*on\w+=", html), html


def test_markdown_subset() -> None:
    html = md.render("# Title\n\nSome **bold** and *soft* text with `code` and a "
                     "[link](https://example.com/a?b=1&c=2).\n\n- one\n- two\n\n1. first\n"
                     "2. second\n\n> quoted")
    assert "<h2>Title</h2>" in html
    assert "<strong>bold</strong>" in html and "<em>soft</em>" in html
    assert "<code>code</code>" in html
    assert ('<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">'
            "link</a>") in html
    assert "<ul><li>one</li><li>two</li></ul>" in html
    assert "<ol><li>first</li><li>second</li></ol>" in html
    assert "<blockquote><p>quoted</p></blockquote>" in html
    assert md.plain_text("## Hi\n\n- **a** [b](https://x.example)") == "Hi\n\n• a b (https://x.example)"
    assert md.render("\x01 0 \x01 \x00 1 \x00 [a](http://x)") .count("<a ") == 1


T = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def test_the_timeline_orders_by_time_then_source_then_id() -> None:
    case = [timeline.Entry(T + timedelta(minutes=5), timeline.CASE, 2, "handoff", "H",
                           handoff=True),
            timeline.Entry(T, timeline.CASE, 1, "created", "C")]
    conv = [timeline.Entry(T, timeline.CONVERSATION, 7, "message", "M"),
            timeline.Entry(T - timedelta(hours=1), timeline.CONVERSATION, 3, "created", "S"),
            timeline.Entry(T + timedelta(minutes=5), timeline.CONVERSATION, 9, "assigned",
                           "A", handoff=True)]
    merged = timeline.merge(case, conv)
    assert [(e.source, e.row_id) for e in merged] == [(0, 3), (0, 7), (1, 1), (0, 9), (1, 2)]
    assert [e.row_id for e in timeline.handoffs(merged)] == [9, 2]


def test_csat_figures_per_period_and_agent() -> None:
    monday = datetime(2026, 11, 16, 10, tzinfo=UTC)
    rows = [csat.SurveyRow(monday, 5, "ana"), csat.SurveyRow(monday + timedelta(days=1), 4, "ana"),
            csat.SurveyRow(monday + timedelta(days=2), None, "luis"),
            csat.SurveyRow(monday + timedelta(days=7), 1, "luis"),
            csat.SurveyRow(monday + timedelta(days=8), None, "ana")]
    summary = csat.summarize(rows, "week")
    assert summary.total.as_dict() == {
        "sent": 5, "answered": 3, "average": 3.33, "csat_pct": 66.7, "response_rate_pct": 60.0,
        "scores": {1: 1, 2: 0, 3: 0, 4: 1, 5: 1}}
    weeks = summary.by_period
    assert list(weeks) == [date(2026, 11, 16), date(2026, 11, 23)]
    assert (weeks[date(2026, 11, 16)].average, weeks[date(2026, 11, 16)].response_rate_pct) == (
        4.5, 66.7)
    assert summary.by_agent["luis"].average == 1.0
    assert csat.summarize([], "month").total.average is None
    assert csat.period_start(monday + timedelta(days=10), "month") == date(2026, 11, 1)
    with pytest.raises(ValueError, match="1 to 5"):
        csat.summarize([csat.SurveyRow(monday, 6)])
