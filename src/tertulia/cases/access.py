"""Looking cases, leads and articles up and authorizing them in one step: another brand's or
tenant's object is a 404, like one that does not exist."""

from __future__ import annotations

from django.http import Http404

from tertulia.cases.models import Article, Case, Lead
from tertulia.governance.models import Brand


def access_case(brand: Brand, case_id: int) -> Case:
    case = (Case.objects.filter(id=case_id, brand=brand)
            .select_related("brand__organization", "owner", "customer").first())
    if case is None:
        raise Http404("No such case.")
    return case


def access_lead(brand: Brand, lead_id: int) -> Lead:
    lead = (Lead.objects.filter(id=lead_id, brand=brand)
            .select_related("brand__organization", "owner", "customer", "conversation",
                            "source_query", "case").first())
    if lead is None:
        raise Http404("No such lead.")
    return lead


def access_article(brand: Brand, article_id: int) -> Article:
    article = Article.objects.filter(id=article_id, brand=brand).first()
    if article is None:
        raise Http404("No such article.")
    return article
