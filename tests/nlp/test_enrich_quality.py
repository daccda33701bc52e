"""Smoke tests of quality on hand-written Spanish and English posts."""

from __future__ import annotations

import pytest

from tertulia.nlp import batch_keywords, enrich


def one(text: str, **hint: object):
    return enrich([text], [hint] if hint else None)[0]


@pytest.mark.parametrize("text", [
    "I love this phone, the camera is amazing! 😍",
    "Thank you so much for the quick help, great service 👍",
    "Me encanta, muchísimas graciaaaas!! 😍",
    "Qué buen servicio, todo perfecto, os recomiendo",
])
def test_positive_posts(text: str) -> None:
    assert one(text).sentiment == "positive"


@pytest.mark.parametrize("text", [
    "This is the worst service ever, I hate it 😡",
    "Terrible experience, never flying with you again",
    "Odio esta compañía, son unos ladrones y un desastre",
    "Pésimo servicio, qué asco 😡",
])
def test_negative_posts(text: str) -> None:
    assert one(text).sentiment == "negative"


def test_negation_flips_sentiment() -> None:
    good, not_good = enrich(["the food was good", "the food was not good at all"])
    assert good.sentiment_polarity > not_good.sentiment_polarity


@pytest.mark.parametrize(("text", "language"), [
    ("Hola, ¿qué tal estáis todos? Mañana vamos a la playa", "es"),
    ("I can't wait to see you all tomorrow at the beach", "en"),
    ("Obrigado pela ajuda, vocês são demais", "pt"),
    ("Merci beaucoup pour votre aide, c'est très gentil", "fr"),
    ("Moltes gràcies per tot, ens veiem demà", "ca"),
    ("Grazie mille per l'aiuto, siete fantastici", "it"),
    ("Vielen Dank für die schnelle Hilfe, wirklich toll", "de"),
])
def test_languages(text: str, language: str) -> None:
    assert one(text).language == language


def test_hint_decides_short_text() -> None:
    assert one("ok 👍", lang="es").language == "es"
    assert one("gracias", lang="pt-BR").language == "pt"


def test_emoji_only_is_undetermined_but_has_sentiment() -> None:
    result = one("😍😍😍")
    assert result.language == "und"
    assert result.sentiment == "positive"


@pytest.mark.parametrize("text", [
    "How much is the premium plan? I want to buy it",
    "¿Cuánto cuesta el plan anual? Quiero contratarlo",
    "Do you ship to Mexico? Where can I buy one?",
])
def test_sales_posts_are_green(text: str) -> None:
    result = one(text)
    assert result.flag == "green"
    assert any(reason.startswith("sales:") for reason in result.intent)


@pytest.mark.parametrize("text", [
    "@airline my flight was cancelled and nobody answers, please help me rebook",
    "@tienda mi pedido no ha llegado y nadie me responde, necesito ayuda",
])
def test_service_issues_are_yellow(text: str) -> None:
    assert one(text).flag == "yellow"


def test_public_anger_is_red() -> None:
    result = one("@brand you are a disgrace, worst company ever, shame on you 😡😡")
    assert result.flag == "red"
    assert result.is_complaint or result.sentiment == "negative"


@pytest.mark.parametrize("text", [
    "WINNER!! You have won a £1000 prize. Call 09061701461 now to claim, T&Cs apply",
    "Check out my channel and subscribe!!! http://bit.ly/xyz",
])
def test_spam(text: str) -> None:
    result = one(text)
    assert result.is_spam
    assert result.flag == "spam"


def test_new_account_raises_spam_score() -> None:
    text = "great deals here http://example.com/deal"
    plain = one(text)
    suspicious = one(text, account_age_days=0.5, followers=0, author_handle="deals83921")
    assert suspicious.spam_score > plain.spam_score
    assert "spam:new_account" in suspicious.intent or suspicious.flag != "spam"


def test_keywords_drop_stop_words_and_keep_hashtags() -> None:
    result = one("El nuevo iPhone de Apple es increíble #TechNews")
    assert "#technews" in result.keywords
    assert "iphone" in result.keywords
    assert "el" not in result.keywords and "de" not in result.keywords


def test_batch_keywords_counts_posts() -> None:
    texts = ["la batería dura poco", "otra vez la batería", "me gusta la pantalla"]
    top = dict(batch_keywords(texts, top_n=5))
    assert top["batería"] == 2
