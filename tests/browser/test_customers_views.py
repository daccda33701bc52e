"""In a real browser: saving an inbox view and reaching it with the keyboard (counts load
after the page), the customer page with its merge suggestion, and the approval queue."""

from __future__ import annotations

from typing import Any

import pytest

from tertulia.engagement import actions
from tertulia.engagement.customer_actions import do_update_customer
from tertulia.engagement.models import Conversation
from tertulia.governance.audit import Actor
from tertulia.listening.pipeline import ingest
from tests.browser.conftest import shot
from tests.conftest import PASSWORD, build_world
from tests.engagement.inbox_world import SYSTEM, dm, own


def _login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/o/**")


@pytest.mark.django_db(transaction=True)
def test_customers_saved_views_and_approvals(page: Any, live_server: Any) -> None:
    world = build_world()
    own(world.a1, "demo", "acme")
    ingest(world.acme, [dm("b1", "Hola, ¿mi pedido? <b>urgente</b>", handle="lucia"),
                        dm("b2", "Sigo esperando", handle="lucia_p", minutes=3)])
    first, second = Conversation.objects.filter(brand=world.a1).order_by("id")
    do_update_customer(first.customer, {"name": "Lucía Pérez", "email": "l@example.com"},
                       actor=SYSTEM)
    do_update_customer(second.customer, {"name": "Lucia Perez <img src=x onerror=alert(1)>",
                                         "email": "L@example.com"}, actor=SYSTEM)
    actions.do_set_flag(first, "red", actor=SYSTEM)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    base = live_server.url
    _login(page, base, "owner@acme.test")
    page.goto(f"{base}/o/{world.acme.slug}/inbox/?flag=red")
    page.fill("#save-view input[name=name]", "Rojos")
    page.check("#save-view input[name=shared]")
    page.click("#save-view button[type=submit]")
    page.wait_for_url("**saved=*")
    page.locator("#saved-views .saved-view .badge").first.wait_for()
    assert page.locator("#saved-views .saved-view").first.inner_text().strip().endswith("1")
    page.locator("body").press("v")
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("saved-")
    shot(page, "engagement-saved-views")
    page.goto(f"{base}/o/{world.acme.slug}/customers/{first.customer_id}/")
    page.locator("#merge .merge-suggestion").first.wait_for()
    assert "same e-mail" in page.locator("#merge").inner_text()
    assert page.locator("#merge img").count() == 0
    shot(page, "engagement-customer-page")
    # approvals: an agency reply waits, the owner sees the queue
    actions.do_save_approval_settings(world.a1, enabled=True, roles=["agency"],
                                      reply_to_email="", actor=SYSTEM)
    actions.do_queue_reply(first, "Lo revisamos", actor=Actor.of(world.person("agency")))
    page.goto(f"{base}/o/{world.acme.slug}/inbox/approvals/")
    assert page.locator("#approval-queue .list-group-item").count() == 1
    shot(page, "engagement-approvals")
    assert not [e for e in errors if "Content Security Policy" in e], errors
