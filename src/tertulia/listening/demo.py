"""The demo organization's listening: its saved queries and the demo stream source."""

from __future__ import annotations

from tertulia.governance.models import Organization
from tertulia.listening.models import Query, Source

# (brand slug, name, kind, query text)
DEMO_QUERIES = (
    ("cafe-aurora", "Café Aurora — marca", Query.Kind.BRAND,
     '"café aurora" OR "cafe aurora" OR "aurora café" OR "cafeteria aurora" OR @cafeaurora '
     "OR #CafeAurora"),
    ("cafe-aurora", "Tostadero Norte", Query.Kind.COMPETITOR,
     '"tostadero norte" OR tostadero OR @tostaderonorte OR #TostaderoNorte'),
    ("cafe-aurora", "Bruma Coffee", Query.Kind.COMPETITOR,
     '"bruma coffee" OR @brumacoffee OR #BrumaCoffee'),
    ("cafe-aurora", "Vigilancia de crisis", Query.Kind.CRISIS,
     '("café aurora" OR "cafe aurora" OR @cafeaurora OR #CafeAurora) AND sentiment:negative'),
    ("cafe-aurora", "Oportunidades de venta", Query.Kind.TOPIC,
     '("café aurora" OR "cafe aurora" OR @cafeaurora) AND flag:green'),
    ("aurora-roasters", "Aurora Roasters", Query.Kind.BRAND,
     '"aurora roasters" OR @aurora_roasters OR (aurora NEAR/3 (beans OR subscription))'),
    ("aurora-express", "Aurora Express", Query.Kind.BRAND,
     '"aurora express" OR @auroraexpress OR (aurora NEAR/3 (domicilio OR delivery))'),
)


def seed_listening(org: Organization) -> None:
    """Create what is missing: the demo queries and the demo stream."""
    brands = {b.slug: b for b in org.brands.all()}
    for slug, name, kind, text in DEMO_QUERIES:
        brand = brands.get(slug)
        if brand is not None and not brand.queries.filter(name=name).exists():
            Query.objects.create(brand=brand, name=name, kind=kind, text=text)
    if not Source.objects.filter(organization=org, kind=Source.Kind.DEMO).exists():
        Source.objects.create(organization=org, kind=Source.Kind.DEMO,
                              name="Demo stream / Flujo de demostración")
