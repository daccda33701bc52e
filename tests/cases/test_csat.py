"""Satisfaction surveys: sent once through the conversation's channel after a case is resolved
(when the brand wants it), answered once on a public signed page; expired, reused and
tampered links; hostile comments stay inert; the figures insights reads."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tertulia.cases import actions, stats, surveys
from tertulia.cases.models import CaseEvent, Survey
from tertulia.engagement.models import DemoDelivery, Reply
from tertulia.governance.models import AuditEvent
from tests.cases.conftest import Inbox
from tests.conftest import SYSTEM, World

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> "quoted"'


def _resolved_case(world: World, inbox: Inbox, capture: Any, *, enabled: bool = True,
                   handle: str = "lucia", text: str = "Mi pedido llegó roto"):
    actions.do_save_survey_settings(world.a1, enabled=enabled, valid_days=7, actor=SYSTEM)
    conv = inbox.dm(f"m-{handle}", text, handle=handle)
    case = actions.do_open_case(conv, actor=SYSTEM, owner=world.person("agent"))
    with capture(execute=True):
        case = actions.do_set_case_status(case, "resolved", actor=SYSTEM)
    return case, conv


def _link(text: str) -> str:
    found = re.search(r"https?://\S+/survey/(\S+)/", text)
    assert found, text
    return found.group(1)


@pytest.mark.django_db
def test_resolving_sends_one_survey_through_the_channel(
        world: World, inbox: Inbox, django_capture_on_commit_callbacks: Any) -> None:
    case, conv = _resolved_case(world, inbox, django_capture_on_commit_callbacks)
    survey = Survey.objects.get(case=case)
    assert (survey.conversation, survey.agent, survey.language) == (conv, world.person("agent"),
                                                                    "es")
    reply = Reply.objects.get(id=survey.reply_id)
    assert (reply.state, reply.private, reply.template_key) == ("sent", True, "csat-survey")
    delivery = DemoDelivery.objects.get(idempotency_key=reply.idempotency_key)
    assert "#1" in delivery.text and ("1 al 5" in delivery.text or "1 to 5" in delivery.text)
    assert surveys.read_token(_link(delivery.text), timezone.now()) == survey
    assert CaseEvent.objects.filter(case=case, kind="csat_sent", data__sent=True).exists()
    assert AuditEvent.objects.filter(action="csat.sent").count() == 1
    # Reopened and resolved again: no second survey.
    actions.do_set_case_status(case, "open", actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_set_case_status(case, "resolved", actor=SYSTEM)
    assert Survey.objects.count() == 1 and DemoDelivery.objects.count() == 1


@pytest.mark.django_db
def test_no_survey_when_the_brand_does_not_want_it(
        world: World, inbox: Inbox, django_capture_on_commit_callbacks: Any) -> None:
    _resolved_case(world, inbox, django_capture_on_commit_callbacks, enabled=False)
    assert not Survey.objects.exists() and not DemoDelivery.objects.exists()


@pytest.mark.django_db
def test_the_customer_answers_once(world: World, inbox: Inbox, client: Client,
                                   django_capture_on_commit_callbacks: Any) -> None:
    case, _conv = _resolved_case(world, inbox, django_capture_on_commit_callbacks)
    token = _link(DemoDelivery.objects.get().text)
    url = f"/survey/{token}/"
    page = client.get(url)
    assert page.status_code == 200 and b'id="survey-form"' in page.content
    assert client.post(url, {"score": "9", "comment": "x"}).status_code == 400
    assert client.post(url, {"score": "", "comment": "x"}).status_code == 400
    done = client.post(url, {"score": "2", "comment": HOSTILE})
    assert done.status_code == 200 and b'id="survey-thanks"' in done.content
    again = client.post(url, {"score": "5", "comment": "changed my mind"})
    assert b'id="survey-answered"' in again.content
    survey = Survey.objects.get()
    assert (survey.score, survey.comment) == (2, HOSTILE)
    assert CaseEvent.objects.filter(case=case, kind="csat_answered").count() == 1
    client.force_login(world.person("agent"))
    for page_url in (f"/o/{world.acme.slug}/b/{world.a1.slug}/cases/{case.id}/",
                     f"/o/{world.acme.slug}/b/{world.a1.slug}/cases/satisfaction/"):
        html = client.get(page_url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, page_url
        assert "&lt;script&gt;alert(&quot;x&quot;)" in html, page_url


@pytest.mark.django_db
def test_expired_tampered_and_unknown_links(world: World, inbox: Inbox, client: Client,
                                            django_capture_on_commit_callbacks: Any) -> None:
    _case, _conv = _resolved_case(world, inbox, django_capture_on_commit_callbacks)
    token = _link(DemoDelivery.objects.get().text)
    nonce, signature = token.split(":", 1)
    tampered = [f"{nonce[:-1]}{'0' if nonce[-1] != '0' else '1'}:{signature}",
                f"{nonce}:{signature[:-2]}xx", nonce, "", "x" * 300, "../../etc/passwd",
                f"{'f' * 32}:{signature}"]
    for bad in tampered:
        if not bad:
            continue
        response = client.get(f"/survey/{bad}/")
        assert response.status_code == 404, bad
        assert client.post(f"/survey/{bad}/", {"score": "5"}).status_code == 404, bad
    survey = Survey.objects.get()
    with pytest.raises(surveys.SurveyLinkExpired):
        surveys.read_token(token, survey.expires_at)
    Survey.objects.filter(id=survey.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.post(f"/survey/{token}/", {"score": "5"})
    assert expired.status_code == 410 and b'id="survey-expired"' in expired.content
    survey.refresh_from_db()
    assert survey.score is None
    with pytest.raises(actions.SurveyClosed):
        actions.do_answer_survey(survey, 5, "")


@pytest.mark.django_db
def test_figures_for_insights(world: World, inbox: Inbox,
                              django_capture_on_commit_callbacks: Any) -> None:
    start = timezone.now() - timedelta(days=1)
    for handle, score in (("a", 5), ("b", 4), ("c", None), ("d", 1)):
        _resolved_case(world, inbox, django_capture_on_commit_callbacks, handle=handle)
        if score is not None:
            actions.do_answer_survey(Survey.objects.order_by("-id").first(), score, "")
    summary = stats.csat_stats([world.a1], start, timezone.now() + timedelta(days=1),
                               period="week", tz="Europe/Madrid")
    assert summary.total.as_dict()["average"] == 3.33
    assert summary.total.response_rate_pct == 75.0
    assert summary.total.csat_pct == 66.7
    assert list(summary.by_agent) == [world.person("agent").display_name]
    assert stats.csat_stats([world.a2], start, timezone.now()).total.sent == 0


@pytest.mark.django_db
def test_survey_settings_page(world: World, client: Client) -> None:
    url = f"/o/{world.acme.slug}/b/{world.a1.slug}/cases/satisfaction/settings/"
    client.force_login(world.person("agent"))
    assert client.get(url).status_code == 403
    client.force_login(world.person("manager"))
    assert client.post(url, {"enabled": "on", "valid_days": "0"}).status_code == 200
    assert not actions.survey_settings(world.a1).enabled
    saved = client.post(url, {"enabled": "on", "valid_days": "14"})
    assert saved.status_code == 302
    config = actions.survey_settings(world.a1)
    assert (config.enabled, config.valid_days) == (True, 14)
