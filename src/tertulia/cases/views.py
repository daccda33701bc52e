"""Pages of cases, leads, the knowledge base and the public satisfaction survey.

Views parse and render; every change goes through ``actions``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tertulia.cases import actions, history, leads, ranking, stats, surveys
from tertulia.cases import markdown as md
from tertulia.cases.access import access_article, access_case, access_lead
from tertulia.cases.forms import (
    ACTIVE,
    ArticleForm,
    CaseDetailsForm,
    CaseFilterForm,
    HandoffForm,
    LeadForm,
    ResolveForm,
    SurveyAnswerForm,
    SurveySettingsForm,
)
from tertulia.cases.models import (
    Article,
    Case,
    CaseStatus,
    Lead,
    LeadStage,
    Survey,
)
from tertulia.engagement.access import access_conversation
from tertulia.engagement.actions import inbox_people
from tertulia.engagement.models import Conversation, ConversationItem
from tertulia.governance.access import can, visible_brands
from tertulia.governance.audit import Actor
from tertulia.governance.models import Brand, Organization, User
from tertulia.governance.permissions import Permission as P
from tertulia.web.routing import brand_route, org_route, post_only, public

PAGE = 100
SUGGESTIONS = 3
MAX_QUERY_CHARS = 2000


def _actor(request: HttpRequest, org: Organization) -> Actor:
    return Actor.from_request(request, org)


def _id(raw: str) -> int | None:
    """A number typed or sent by the page; None when it is not one (or too long to be an id,
    which PostgreSQL would refuse)."""
    raw = raw.strip().lstrip("#")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 15 else None


def _error(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, "; ".join(error.messages))


def _case_url(case: Case) -> str:
    return reverse("cases:case", args=[case.brand.organization.slug, case.brand.slug, case.id])


def _people(brand: Brand, permission: P) -> list[User]:
    return [u for u in inbox_people(brand) if can(u, permission, brand)]


def _person(brand: Brand, raw: Any, permission: P) -> User | None:
    if raw in (None, ""):
        return None
    person = User.objects.filter(id=raw, is_active=True).first()
    if person is None or not can(person, permission, brand):
        raise ValidationError(_("That person cannot work on this brand."))
    return person


# -- case lists --------------------------------------------------------------------------------


def _filtered(request: HttpRequest, cases: QuerySet[Case], form: CaseFilterForm) -> QuerySet[Case]:
    data = form.values()
    status = data.get("status")
    if status == ACTIVE:
        cases = cases.filter(status__in=[CaseStatus.OPEN, CaseStatus.PENDING])
    elif status:
        cases = cases.filter(status=status)
    for name in ("department", "priority", "type"):
        if data.get(name):
            cases = cases.filter(**{name: data[name]})
    if data.get("owner") == "me":
        cases = cases.filter(owner=request.user)
    elif data.get("owner") == "none":
        cases = cases.filter(owner=None)
    q = data.get("q", "").strip()
    if q:
        number = _id(q)
        cases = cases.filter(Q(number=number) if number is not None else Q(title__icontains=q))
    return cases


def _case_list(request: HttpRequest, org: Organization, brand: Brand | None) -> HttpResponse:
    brands = [b for b in ([brand] if brand else visible_brands(request.user, org))
              if can(request.user, P.BRAND_CASES_VIEW, b)]
    form = CaseFilterForm(request.GET or None)
    cases = _filtered(request, Case.objects.filter(organization=org, brand__in=brands), form)
    before = _id(request.GET.get("before", ""))
    if before is not None:
        cases = cases.filter(id__lt=before)
    rows = list(cases.select_related("brand", "owner", "customer").order_by("-id")[:PAGE + 1])
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "cases/case_list.html", {
        "org": org, "brand": brand, "section": "cases", "form": form, "rows": rows[:PAGE],
        "next_cursor": rows[PAGE - 1].id if len(rows) > PAGE else None,
        "query": query.urlencode(), "brands": brands,
    })


@org_route(P.BRAND_CASES_VIEW)
def case_list_all(request: HttpRequest, org: Organization) -> HttpResponse:
    """Cases of every brand the person may see, newest first."""
    return _case_list(request, org, None)


@brand_route(P.BRAND_CASES_VIEW)
def case_list(request: HttpRequest, brand: Brand) -> HttpResponse:
    return _case_list(request, brand.organization, brand)


# -- one case ----------------------------------------------------------------------------------


@brand_route(P.BRAND_CASES_VIEW)
def case_detail(request: HttpRequest, brand: Brand, case_id: int) -> HttpResponse:
    case = access_case(brand, case_id)
    can_manage = can(request.user, P.BRAND_CASES_MANAGE, brand)
    links = list(Conversation.objects.filter(case_link__case=case)
                 .select_related("customer").order_by("created_at"))
    owners = _people(brand, P.BRAND_CASES_VIEW) if can_manage else []
    handoff = HandoffForm(initial={"department": case.department, "owner": case.owner_id})
    handoff.fields["owner"].choices = [("", _("nobody"))] + [(u.id, str(u)) for u in owners]
    candidates: list[Conversation] = []
    if can_manage and case.customer_id:
        candidates = list(Conversation.objects.filter(
            brand=brand, customer_id=case.customer_id, case_link=None).order_by(
            "-last_message_at")[:20])
    entries = history.case_timeline(case)
    return render(request, "cases/case_detail.html", {
        "org": brand.organization, "brand": brand, "section": "cases", "case": case,
        "links": links, "timeline": entries, "handoffs": [e for e in entries if e.handoff],
        "can_manage": can_manage, "statuses": CaseStatus.choices,
        "details": CaseDetailsForm(initial={"title": case.title, "type": case.type,
                                            "priority": case.priority}),
        "handoff": handoff, "resolve": ResolveForm(initial={"outcome": case.outcome or
                                                            "solved"}),
        "candidates": candidates, "leads": list(case.leads.all()),
        "survey": Survey.objects.filter(case=case).first(),
    })


@brand_route(P.BRAND_CASES_MANAGE)
@post_only
def case_update(request: HttpRequest, brand: Brand, case_id: int) -> HttpResponse:
    """Status, details, handoff, linking and unlinking: one small form each (``what``)."""
    case = access_case(brand, case_id)
    actor = _actor(request, brand.organization)
    what = request.POST.get("what", "")
    try:
        if what == "status":
            actions.do_set_case_status(case, request.POST.get("status", ""), actor=actor,
                                       outcome=request.POST.get("outcome", ""))
        elif what == "details":
            form = CaseDetailsForm(request.POST)
            if not form.is_valid():
                raise ValidationError([f"{k}: {'; '.join(v)}" for k, v in form.errors.items()])
            actions.do_update_case(case, actor=actor, **form.cleaned_data)
        elif what == "handoff":
            form = HandoffForm(request.POST)
            form.fields["owner"].choices = [("", "")] + [
                (u.id, str(u)) for u in _people(brand, P.BRAND_CASES_VIEW)]
            if not form.is_valid():
                raise ValidationError([f"{k}: {'; '.join(v)}" for k, v in form.errors.items()])
            d = form.cleaned_data
            actions.do_handoff_case(case, actor=actor, context=d["context"],
                                    department=d["department"],
                                    owner=_person(brand, d["owner"], P.BRAND_CASES_VIEW),
                                    channel=d["channel"])
        elif what in ("link", "unlink"):
            raw = request.POST.get("conversation", "").strip().lstrip("#")
            conv = Conversation.objects.filter(
                id=_id(raw) or 0, brand=brand).first()
            if conv is None:
                raise ValidationError(_("No conversation %(n)s in %(brand)s.")
                                      % {"n": raw[:20], "brand": brand.name})
            if what == "link":
                actions.do_link_conversation(case, conv, actor=actor)
            else:
                actions.do_unlink_conversation(case, conv, actor=actor)
        else:
            raise ValidationError(_("Nothing to change."))
    except ValidationError as error:
        _error(request, error)
    return redirect(_case_url(case))


@org_route(P.BRAND_CASES_MANAGE)
@post_only
def open_case(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    """From a conversation: make it a case, or add it to the brand's case ``case`` (number)."""
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_CASES_MANAGE)
    existing = actions.case_of(conv)
    if existing is not None:
        return redirect(_case_url(existing))
    actor = _actor(request, org)
    raw = request.POST.get("case", "").strip().lstrip("#")
    try:
        if raw:
            case = Case.objects.filter(organization=org, brand=conv.brand,
                                       number=_id(raw) or 0).first()
            if case is None:
                raise ValidationError(_("No case %(n)s in %(brand)s.")
                                      % {"n": raw[:20], "brand": conv.brand.name})
            actions.do_link_conversation(case, conv, actor=actor)
        else:
            case = actions.do_open_case(conv, actor=actor)
    except ValidationError as error:
        _error(request, error)
        return redirect("engagement:conversation", org.slug, conv.id)
    messages.success(request, _("Case %(case)s.") % {"case": case.label})
    return redirect(_case_url(case))


# -- leads -------------------------------------------------------------------------------------


def _lead_url(lead: Lead) -> str:
    return reverse("cases:lead", args=[lead.brand.organization.slug, lead.brand.slug, lead.id])


@org_route(P.BRAND_LEADS_MANAGE)
@post_only
def open_lead(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_LEADS_MANAGE)
    existing = Lead.objects.filter(conversation=conv).select_related("brand__organization").first()
    if existing is not None:
        return redirect(_lead_url(existing))
    try:
        lead = actions.do_open_lead(conv, actor=_actor(request, org))
    except ValidationError as error:
        _error(request, error)
        return redirect("engagement:conversation", org.slug, conv.id)
    messages.success(request, _("Lead created."))
    return redirect(_lead_url(lead))


def _stage(request: HttpRequest) -> str:
    stage = request.GET.get("stage", "")
    return stage if stage in LeadStage.values else ""


@brand_route(P.BRAND_LEADS_VIEW)
def lead_list(request: HttpRequest, brand: Brand) -> HttpResponse:
    stage = _stage(request)
    rows = Lead.objects.filter(brand=brand)
    if stage:
        rows = rows.filter(stage=stage)
    before = _id(request.GET.get("before", ""))
    if before is not None:
        rows = rows.filter(id__lt=before)
    found = list(leads.with_contact(rows).select_related("customer").order_by("-id")[:PAGE + 1])
    for lead in found:
        lead.ttfc_s = leads.time_to_first_contact_s(lead)  # type: ignore[attr-defined]
    return render(request, "cases/lead_list.html", {
        "org": brand.organization, "brand": brand, "section": "cases", "rows": found[:PAGE],
        "next_cursor": found[PAGE - 1].id if len(found) > PAGE else None, "stage": stage,
        "stages": LeadStage.choices,
    })


@brand_route(P.BRAND_LEADS_VIEW)
def lead_export(request: HttpRequest, brand: Brand) -> StreamingHttpResponse:
    """Every lead of the brand (of one stage with ``?stage=``) as CSV, streamed."""
    stage = _stage(request)
    rows = Lead.objects.filter(brand=brand)
    if stage:
        rows = rows.filter(stage=stage)
    response = StreamingHttpResponse(leads.csv_lines(rows), content_type="text/csv")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="leads-{brand.slug}-{stamp}.csv"'
    return response


def _lead_form(brand: Brand, lead: Lead, data: Any = None) -> LeadForm:
    form = LeadForm(data, initial={"stage": lead.stage, "value": lead.value,
                                   "currency": lead.currency, "owner": lead.owner_id,
                                   "crm_ref": lead.crm_ref})
    form.fields["owner"].choices = [("", _("nobody"))] + [
        (u.id, str(u)) for u in _people(brand, P.BRAND_LEADS_VIEW)]
    return form


@brand_route(P.BRAND_LEADS_VIEW)
def lead_detail(request: HttpRequest, brand: Brand, lead_id: int) -> HttpResponse:
    lead = access_lead(brand, lead_id)
    lead = leads.with_contact(Lead.objects.filter(id=lead.id)).select_related(
        "customer", "conversation", "case").get()
    return render(request, "cases/lead_detail.html", {
        "org": brand.organization, "brand": brand, "section": "cases", "lead": lead,
        "first_contact_at": leads.first_contact_at(lead),
        "ttfc_s": leads.time_to_first_contact_s(lead),
        "can_manage": can(request.user, P.BRAND_LEADS_MANAGE, brand),
        "form": _lead_form(brand, lead),
    })


@brand_route(P.BRAND_LEADS_MANAGE)
@post_only
def lead_update(request: HttpRequest, brand: Brand, lead_id: int) -> HttpResponse:
    lead = access_lead(brand, lead_id)
    form = _lead_form(brand, lead, request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{form.fields[k].label if k in form.fields else k}: "
                                          f"{' '.join(v)}" for k, v in form.errors.items()))
        return redirect(_lead_url(lead))
    d = form.cleaned_data
    try:
        actions.do_update_lead(lead, actor=_actor(request, brand.organization), stage=d["stage"],
                               value=d["value"], currency=d["currency"],
                               owner=_person(brand, d["owner"], P.BRAND_LEADS_VIEW),
                               crm_ref=d["crm_ref"])
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Lead saved."))
    return redirect(_lead_url(lead))


# -- knowledge base ------------------------------------------------------------------------


def _documents(articles: Any) -> list[ranking.Document]:
    return [ranking.Document(a.id, a.title, a.body, a.language, tuple(a.tags)) for a in articles]


@brand_route(P.BRAND_KB_VIEW)
def kb_list(request: HttpRequest, brand: Brand) -> HttpResponse:
    language = request.GET.get("language", "")
    articles = Article.objects.filter(brand=brand)
    if language in ("es", "en"):
        articles = articles.filter(language=language)
    rows = list(articles.order_by("title", "id"))
    q = request.GET.get("q", "")[:MAX_QUERY_CHARS].strip()
    if q:
        by_id = {a.id: a for a in rows}
        rows = [by_id[m.key] for m in ranking.suggest(_documents(rows), q, limit=20)]
    return render(request, "cases/kb_list.html", {
        "org": brand.organization, "brand": brand, "section": "cases", "rows": rows, "q": q,
        "language": language, "can_edit": can(request.user, P.BRAND_KB_EDIT, brand),
    })


def public_article_url(article: Article) -> str:
    from django.conf import settings

    return settings.BASE_URL + reverse("cases:public_article", args=[
        article.brand.organization.slug, article.brand.slug, article.id])


@brand_route(P.BRAND_KB_VIEW)
def article_detail(request: HttpRequest, brand: Brand, article_id: int) -> HttpResponse:
    article = access_article(brand, article_id)
    return render(request, "cases/article_detail.html", {
        "org": brand.organization, "brand": brand, "section": "cases", "article": article,
        # render() escapes everything and emits only its own small set of tags.
        "body_html": mark_safe(md.render(article.body)),
        "public_url": public_article_url(article) if article.published else "",
        "can_edit": can(request.user, P.BRAND_KB_EDIT, brand),
    })


def _article_form(request: HttpRequest, brand: Brand, article: Article | None) -> HttpResponse:
    initial = ({"title": article.title, "language": article.language, "body": article.body,
                "tags": ", ".join(article.tags), "published": article.published}
               if article else {"language": brand.language})
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = actions.do_save_article(
                brand, actor=_actor(request, brand.organization), title=d["title"],
                body=d["body"], language=d["language"], tags=d["tags"],
                published=d["published"], article=article)
        except ValidationError as error:
            form.add_error(None, "; ".join(error.messages))
        else:
            messages.success(request, _("Article saved."))
            return redirect("cases:article", brand.organization.slug, brand.slug, saved.id)
    return render(request, "cases/article_form.html", {
        "org": brand.organization, "brand": brand, "section": "cases", "form": form,
        "article": article,
    })


@brand_route(P.BRAND_KB_EDIT)
def article_new(request: HttpRequest, brand: Brand) -> HttpResponse:
    return _article_form(request, brand, None)


@brand_route(P.BRAND_KB_EDIT)
def article_edit(request: HttpRequest, brand: Brand, article_id: int) -> HttpResponse:
    return _article_form(request, brand, access_article(brand, article_id))


@brand_route(P.BRAND_KB_EDIT)
@post_only
def article_delete(request: HttpRequest, brand: Brand, article_id: int) -> HttpResponse:
    actions.do_delete_article(access_article(brand, article_id),
                              actor=_actor(request, brand.organization))
    messages.success(request, _("Article deleted."))
    return redirect("cases:kb", brand.organization.slug, brand.slug)


@org_route(P.BRAND_KB_EDIT)
@post_only
def promote(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    """Turn one message of the conversation (a forum or community answer) into a draft
    article of the brand."""
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_KB_EDIT)
    raw = request.POST.get("item", "")
    item = ConversationItem.objects.filter(conversation=conv,
                                           id=_id(raw) or 0).first()
    if item is None:
        messages.error(request, _("Choose a message of this conversation to promote."))
        return redirect("engagement:conversation", org.slug, conv.id)
    try:
        article = actions.do_promote_item(item, actor=_actor(request, org))
    except ValidationError as error:
        _error(request, error)
        return redirect("engagement:conversation", org.slug, conv.id)
    messages.success(request, _("Draft article created from the answer; review and publish "
                                "it."))
    return redirect("cases:article_edit", org.slug, conv.brand.slug, article.id)


# brand id -> (what the published articles looked like, their index, the articles by id).
_INDEXES: dict[int, tuple[tuple[Any, ...], ranking.Index, dict[int, Article]]] = {}
MAX_INDEXES = 64


def _published_index(brand: Brand) -> tuple[ranking.Index, dict[int, Article]]:
    """The brand's published articles, indexed once and rebuilt when one is added, edited,
    unpublished or deleted (the signature query is one small aggregate)."""
    published = Article.objects.filter(brand=brand, published=True)
    signature = tuple(published.aggregate(n=Count("id"), last=Max("updated_at"),
                                          top=Max("id")).values())
    cached = _INDEXES.get(brand.id)
    if cached is not None and cached[0] == signature:
        return cached[1], cached[2]
    articles = list(published)
    entry = (signature, ranking.Index(_documents(articles)), {a.id: a for a in articles})
    if len(_INDEXES) >= MAX_INDEXES:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[brand.id] = entry
    return entry[1], entry[2]


@org_route(P.BRAND_KB_VIEW)
def kb_suggest(request: HttpRequest, org: Organization, conversation_id: int) -> HttpResponse:
    """The best articles for the message being answered (or the text typed, ``?q=``), with
    what the composer inserts: a link (published articles) or the text."""
    conv = access_conversation(request.user, org, conversation_id, P.BRAND_KB_VIEW)
    text = request.GET.get("q", "")[:MAX_QUERY_CHARS].strip()
    if not text:
        last = (ConversationItem.objects.filter(conversation=conv, direction="in")
                .exclude(mention=None).select_related("mention").order_by("-created_at",
                                                                          "-id").first())
        text = ((last.mention.title + " " + last.mention.text) if last else conv.subject)
    index, by_id = _published_index(conv.brand)
    found = index.search(text, language=conv.language, limit=SUGGESTIONS)
    rows = [{"article": by_id[m.key], "score": m.score,
             "link": public_article_url(by_id[m.key]) if by_id[m.key].published else "",
             "text": md.plain_text(by_id[m.key].body)} for m in found]
    return render(request, "cases/_kb_suggestions.html", {
        "org": org, "brand": conv.brand, "rows": rows,
        "can_reply": can(request.user, P.BRAND_INBOX_REPLY, conv.brand)})


@public
def public_article(request: HttpRequest, org_slug: str, brand_slug: str,
                   article_id: int) -> HttpResponse:
    """A published article, for customers: no sign-in, nothing else of the brand."""
    article = (Article.objects.filter(id=article_id, published=True, brand__slug=brand_slug,
                                      brand__organization__slug=org_slug, brand__is_active=True)
               .select_related("brand").first())
    if article is None:
        raise Http404("No such article.")
    return render(request, "cases/public_article.html", {
        "article": article, "brand": article.brand,
        "body_html": mark_safe(md.render(article.body)),
    })


# -- satisfaction --------------------------------------------------------------------------


@brand_route(P.BRAND_SETTINGS_MANAGE)
def survey_settings(request: HttpRequest, brand: Brand) -> HttpResponse:
    current = actions.survey_settings(brand)
    form = SurveySettingsForm(request.POST or None, initial={"enabled": current.enabled,
                                                             "valid_days": current.valid_days})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_survey_settings(brand, actor=_actor(request, brand.organization),
                                            **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, "; ".join(error.messages))
        else:
            messages.success(request, _("Survey settings saved."))
            return redirect("cases:csat", brand.organization.slug, brand.slug)
    return render(request, "cases/survey_settings.html", {
        "org": brand.organization, "brand": brand, "section": "cases", "form": form})


@brand_route(P.BRAND_CASES_VIEW)
def csat_report(request: HttpRequest, brand: Brand) -> HttpResponse:
    """Satisfaction of the last 12 weeks: totals, per week and per agent, and the latest
    comments."""
    end = timezone.now()
    start = end - timedelta(weeks=12)
    summary = stats.csat_stats([brand], start, end, period="week", tz=brand.timezone)
    recent = list(Survey.objects.filter(brand=brand).exclude(answered_at=None)
                  .select_related("case", "agent").order_by("-answered_at")[:20])
    return render(request, "cases/csat.html", {
        "org": brand.organization, "brand": brand, "section": "cases", "summary": summary,
        "recent": recent, "settings": actions.survey_settings(brand),
        "can_configure": can(request.user, P.BRAND_SETTINGS_MANAGE, brand),
    })


@public
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's page: no sign-in; the signed link is the key. One answer per survey."""
    now = timezone.now()
    try:
        found = surveys.read_token(token, now)
    except surveys.SurveyLinkInvalid:
        return render(request, "cases/survey.html", {"state": "invalid"}, status=404)
    except surveys.SurveyLinkExpired:
        return render(request, "cases/survey.html", {"state": "expired"}, status=410)
    context: dict[str, Any] = {"survey": found, "brand": found.brand, "state": "open"}
    if found.answered_at is not None:
        context["state"] = "answered"
        return render(request, "cases/survey.html", context)
    form = SurveyAnswerForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_answer_survey(found, form.cleaned_data["score"],
                                         form.cleaned_data["comment"], now=now)
            except actions.SurveyClosed:
                context["state"] = "answered"
                return render(request, "cases/survey.html", context)
            context["state"] = "thanks"
            return render(request, "cases/survey.html", context)
        context["form"] = form
        return render(request, "cases/survey.html", context, status=400)
    context["form"] = form
    return render(request, "cases/survey.html", context)
