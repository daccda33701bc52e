"""The demo brands' knowledge base (articles in Spanish and English) and their satisfaction
survey setting. Running it twice changes nothing, and it never overwrites what a person
edited: an article is only created when the brand has none with its title."""

from __future__ import annotations

from tertulia.cases import actions
from tertulia.cases.models import Article, SurveySettings
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand, Organization

ACTOR = Actor.system("demo")

# (language, title, tags, body)
ARTICLES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("es", "Plazos de entrega de los pedidos", ("pedidos", "envíos"),
     "Los pedidos en la península llegan en **24–48 horas laborables**; a Baleares y "
     "Canarias, en 3–5 días.\n\n"
     "- Recibirás un correo con el número de seguimiento en cuanto salga el pedido.\n"
     "- Si han pasado más de 5 días, escríbenos con tu número de pedido.\n\n"
     "Puedes seguir tu envío en [nuestra página de seguimiento](https://cafeaurora.example/"
     "seguimiento)."),
    ("es", "Devoluciones y reembolsos", ("devoluciones", "reembolso"),
     "Tienes **30 días** desde la entrega para devolver el café sin abrir.\n\n"
     "1. Escríbenos por mensaje privado con tu número de pedido.\n"
     "2. Te enviamos la etiqueta de devolución gratuita.\n"
     "3. El reembolso llega a tu tarjeta en 5–7 días desde que recibimos el paquete.\n\n"
     "Si el producto llegó dañado, envíanos una foto y te mandamos otro sin coste."),
    ("es", "Horarios de las cafeterías", ("horario", "cafeterías"),
     "Nuestras cafeterías abren de **lunes a viernes de 8:00 a 20:00** y los sábados de "
     "9:00 a 14:00. Domingos y festivos, cerrado.\n\n"
     "Los horarios de cada local están en [la web](https://cafeaurora.example/locales)."),
    ("es", "Pedidos para empresas y eventos", ("empresas", "ventas"),
     "Preparamos café para oficinas y eventos a partir de 20 personas, con **descuentos por "
     "volumen**.\n\nEscríbenos cuántas personas sois y la fecha, y el equipo de Ventas te "
     "prepara un presupuesto en un día laborable."),
    ("en", "Delivery times for orders", ("orders", "delivery"),
     "Orders within mainland Spain arrive in **1–2 working days**; the islands take 3–5 "
     "days.\n\n"
     "- You get an e-mail with the tracking number as soon as your order ships.\n"
     "- If more than 5 days have passed, write to us with your order number.\n\n"
     "Track your parcel on [our tracking page](https://cafeaurora.example/tracking)."),
    ("en", "Returns and refunds", ("returns", "refund"),
     "You have **30 days** from delivery to return unopened coffee.\n\n"
     "1. Send us a private message with your order number.\n"
     "2. We send you a free return label.\n"
     "3. The refund reaches your card 5–7 days after we receive the parcel.\n\n"
     "If the product arrived damaged, send us a photo and we ship a new one for free."),
    ("en", "Café opening hours", ("hours", "cafés"),
     "Our cafés open **Monday to Friday, 8:00 to 20:00**, and Saturdays 9:00 to 14:00. "
     "Closed on Sundays and public holidays.\n\nEach café's hours are on [the website]"
     "(https://cafeaurora.example/cafes)."),
    ("en", "Orders for businesses and events", ("business", "sales"),
     "We cater coffee for offices and events from 20 people, with **volume discounts**.\n\n"
     "Tell us how many people and the date, and our Sales team sends a quote within one "
     "working day."),
)


def seed_cases(org: Organization) -> None:
    """Create what is missing of the demo brands' knowledge base and survey settings."""
    for brand in Brand.objects.filter(organization=org):
        _seed_brand(brand)


def _seed_brand(brand: Brand) -> None:
    for language, title, tags, body in ARTICLES:
        if not Article.objects.filter(brand=brand, title=title).exists():
            actions.do_save_article(brand, actor=ACTOR, title=title, body=body,
                                    language=language, tags=list(tags), published=True)
    if not SurveySettings.objects.filter(brand=brand).exists():
        actions.do_save_survey_settings(brand, enabled=True, valid_days=7, actor=ACTOR)
