"""Customer records (CRM view): the page, contact data, consent, lifetime history, merge
suggestions, and merging that a person can undo exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tertulia.engagement import customer_match as match
from tertulia.engagement.customer_actions import (
    do_merge_customers,
    do_record_consent,
    do_unmerge_customers,
    do_update_customer,
)
from tertulia.engagement.models import (
    Conversation,
    ConversationEvent,
    Customer,
    CustomerConsent,
    CustomerHandle,
    CustomerMerge,
)
from tertulia.governance.models import AuditEvent
from tests.conftest import World
from tests.engagement.inbox_world import SYSTEM, conversation_of, deliver, dm, own

# -- pure matching -------------------------------------------------------------------------


def test_suggestions_by_email_website_bio_link_and_full_name() -> None:
    rows = [
        match.CustomerKeys(1, "Lucía Pérez", " Lucia@Example.com", "https://www.lucia.es/"),
        match.CustomerKeys(2, "lucia  perez", "lucia@example.com"),
        match.CustomerKeys(3, "Ana", bio_links=("http://lucia.es",)),
        match.CustomerKeys(4, "Ana"),
        match.CustomerKeys(5, "Bob Stone", website="bob.dev/shop?utm=1"),
        match.CustomerKeys(6, "Robert", website="https://bob.dev/shop/"),
    ]
    found = {(s.a, s.b): s.reasons for s in match.suggest(rows)}
    assert found == {(1, 2): ("email", "name"), (1, 3): ("bio_link",),
                     (5, 6): ("website",)}
    # one-word names ("Ana") suggest nothing; the strongest comes first
    assert match.suggest(rows)[0] == match.Suggestion(1, 2, ("email", "name"))


def test_normalising_keys() -> None:
    assert match.normalise_site("HTTPS://WWW.Example.com/a/?q=1#x") == "example.com/a"
    assert match.normalise_site("not a site") == ""
    assert match.normalise_email("no-at-sign") == ""
    assert match.normalise_name("  José   GARCÍA ") == "jose garcia"
    assert match.normalise_name("José") == ""


@given(st.lists(st.tuples(st.sampled_from(["", "a@x.es", "b@x.es"]),
                          st.sampled_from(["", "Ana Ruiz", "Eva Gil", "Ana"]),
                          st.sampled_from(["", "x.es", "y.es/p"])), max_size=8))
def test_suggestions_are_symmetric_and_never_self(data: list[tuple[str, str, str]]) -> None:
    rows = [match.CustomerKeys(i + 1, name, email, site) for i, (email, name, site)
            in enumerate(data)]
    found = match.suggest(rows)
    assert all(s.a < s.b and s.reasons for s in found)
    assert len({(s.a, s.b) for s in found}) == len(found)
    reversed_rows = list(reversed(rows))
    assert {(s.a, s.b, s.reasons) for s in match.suggest(reversed_rows)} == {
        (s.a, s.b, s.reasons) for s in found}


# -- the database side ------------------------------------------------------------------------


@pytest.fixture
def two_customers(world: World, django_capture_on_commit_callbacks) -> World:
    """Lucía wrote twice from two handles (two records); Pedro once on brand a2."""
    own(world.a1, "demo", "acme")
    own(world.a2, "demo", "acmetwo")
    deliver(world, django_capture_on_commit_callbacks,
            dm("l1", "Hola, mi pedido no llegó", handle="lucia"),
            dm("l2", "Sigo esperando <script>alert(1)</script>", handle="lucia_alt", minutes=5),
            dm("p1", "Order question", handle="pedro", to="demo:acmetwo", minutes=7))
    return world


def _customer(external_id: str) -> Customer:
    return conversation_of(external_id).customer


def _state() -> dict[str, object]:
    """Which customer owns each handle, conversation and consent, and each record's fields."""
    return {
        "handles": dict(CustomerHandle.objects.values_list("id", "customer_id")),
        "conversations": dict(Conversation.objects.values_list("id", "customer_id")),
        "consents": dict(CustomerConsent.objects.values_list("id", "customer_id")),
        "customers": {c.id: (c.name, c.email, c.phone, c.website, c.tags, c.bio_links,
                             c.is_vip, c.followers, c.engagement_received, c.reach_about_us,
                             c.influence, c.first_seen_at, c.last_seen_at, c.merged_into_id,
                             c.segment, c.company, c.crm_id, c.language)
                      for c in Customer.objects.all()},
    }


@pytest.mark.django_db
def test_merge_moves_everything_and_unmerge_restores_it_exactly(two_customers: World) -> None:
    lucia, alt = _customer("l1"), _customer("l2")
    do_update_customer(alt, {"email": "lucia@example.com", "tags": ["vip-lead"]}, actor=SYSTEM)
    do_record_consent(alt, "email", granted=True, given_at=timezone.now(), source="web form",
                      actor=SYSTEM)
    before = _state()
    merge = do_merge_customers(lucia, alt, actor=SYSTEM, reasons=["name"])
    lucia.refresh_from_db()
    assert lucia.email == "lucia@example.com" and lucia.tags == ["vip-lead"]
    assert set(Conversation.objects.filter(customer=lucia).values_list(
        "id", flat=True)) == {conversation_of("l1").id, conversation_of("l2").id}
    assert CustomerHandle.objects.filter(customer=alt).count() == 0
    assert Customer.objects.get(id=alt.id).merged_into_id == lucia.id
    assert ConversationEvent.objects.filter(kind="customer_merged").count() == 1  # alt's
    assert AuditEvent.objects.filter(action="customer.merged").exists()
    do_unmerge_customers(merge, actor=SYSTEM)
    assert _state() == before
    assert CustomerMerge.objects.get(id=merge.id).undone_at is not None
    assert AuditEvent.objects.filter(action="customer.unmerged").exists()


@pytest.mark.django_db
def test_unmerge_takes_back_conversations_the_source_started_while_merged(
        two_customers: World, django_capture_on_commit_callbacks) -> None:
    lucia, alt = _customer("l1"), _customer("l2")
    merge = do_merge_customers(lucia, alt, actor=SYSTEM)
    conv = conversation_of("l2")
    from tertulia.engagement import actions

    actions.do_change_status(conv, "closed", actor=SYSTEM)
    deliver(two_customers, django_capture_on_commit_callbacks,
            dm("l3", "Otra cosa", handle="lucia_alt", minutes=60))
    assert conversation_of("l3").customer_id == lucia.id  # the handle belongs to lucia now
    do_unmerge_customers(merge, actor=SYSTEM)
    assert conversation_of("l3").customer_id == alt.id
    assert conversation_of("l1").customer_id == lucia.id


@pytest.mark.django_db
def test_merging_refuses_self_other_tenants_and_twice(two_customers: World) -> None:
    from django.core.exceptions import ValidationError

    lucia, alt = _customer("l1"), _customer("l2")
    now = timezone.now()
    foreign = Customer.objects.create(organization=two_customers.other, name="X",
                                      first_seen_at=now, last_seen_at=now)
    with pytest.raises(ValidationError):
        do_merge_customers(lucia, lucia, actor=SYSTEM)
    with pytest.raises(ValidationError):
        do_merge_customers(lucia, foreign, actor=SYSTEM)
    merge = do_merge_customers(lucia, alt, actor=SYSTEM)
    with pytest.raises(ValidationError):
        do_merge_customers(lucia, alt, actor=SYSTEM)
    do_unmerge_customers(merge, actor=SYSTEM)
    with pytest.raises(ValidationError):
        do_unmerge_customers(merge, actor=SYSTEM)


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1,
                     max_size=4),
       emails=st.lists(st.sampled_from(["", "a@x.es", "b@x.es"]), min_size=4, max_size=4))
def test_merge_then_unmerge_in_reverse_is_the_identity(two_customers: World,
                                                       plan: list[tuple[int, int]],
                                                       emails: list[str]) -> None:
    """Any sequence of merges, undone newest first, leaves every record, handle,
    conversation and consent exactly where it was."""
    try:
        with transaction.atomic():
            now = timezone.now()
            people = [_customer("l1"), _customer("l2"), _customer("p1"),
                      Customer.objects.create(organization=two_customers.acme, name="Solo",
                                              first_seen_at=now, last_seen_at=now)]
            for customer, email in zip(people, emails, strict=True):
                do_update_customer(customer, {"email": email}, actor=SYSTEM)
            do_record_consent(people[1], "sms", granted=False, source="call",
                              given_at=now - timedelta(days=1), actor=SYSTEM)
            before = _state()
            merges = []
            for t, s in plan:
                target, source = Customer.objects.get(id=people[t].id), Customer.objects.get(
                    id=people[s].id)
                if t == s or target.merged_into_id or source.merged_into_id:
                    continue
                merges.append(do_merge_customers(target, source, actor=SYSTEM))
            for merge in reversed(merges):
                do_unmerge_customers(merge, actor=SYSTEM)
            assert _state() == before
            raise _Rollback
    except _Rollback:
        pass


# -- pages -----------------------------------------------------------------------------------


def _page(world: World, customer: Customer) -> str:
    return f"/o/{world.acme.slug}/customers/{customer.id}/"


@pytest.mark.django_db
def test_customer_page_shows_handles_history_influence_and_suggestions(
        two_customers: World, client: Client) -> None:
    lucia, alt = _customer("l1"), _customer("l2")
    do_update_customer(lucia, {"name": "Lucía Pérez"}, actor=SYSTEM)
    do_update_customer(alt, {"name": "Lucia Perez"}, actor=SYSTEM)
    client.force_login(two_customers.person("agent"))
    response = client.get(_page(two_customers, lucia))
    assert response.status_code == 200
    html = response.content.decode()
    assert "@lucia" in html and 'id="influence"' in html
    assert [(s.a.id, s.b.id, s.reasons) for s in response.context["suggestions"]] == [
        (lucia.id, alt.id, ("name",))]
    listing = client.get(f"/o/{two_customers.acme.slug}/customers/suggestions/")
    assert [(s.a.id, s.b.id) for s in listing.context["rows"]] == [(lucia.id, alt.id)]


@pytest.mark.django_db
def test_hostile_text_on_the_customer_page_is_inert(two_customers: World,
                                                     client: Client) -> None:
    alt = _customer("l2")
    do_update_customer(alt, {"name": "<img src=x onerror=alert(1)>", "company": "<b>x</b>"},
                       actor=SYSTEM)
    client.force_login(two_customers.person("owner"))
    html = client.get(_page(two_customers, alt)).content.decode()
    assert "<img src=x" not in html and "<script>alert(1)</script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_customers_are_scoped_to_the_brands_a_person_sees(two_customers: World,
                                                          client: Client) -> None:
    pedro = _customer("p1")  # wrote only to brand a2
    for key in ("agent", "agency", "manager"):
        client.force_login(two_customers.person(key))
        assert client.get(_page(two_customers, pedro)).status_code == 404, key
        rows = client.get(f"/o/{two_customers.acme.slug}/customers/").context["rows"]
        assert pedro not in rows
    client.force_login(two_customers.person("owner"))
    assert client.get(_page(two_customers, pedro)).status_code == 200
    client.force_login(two_customers.person("analyst"))
    assert client.get(_page(two_customers, pedro)).status_code == 403


@pytest.mark.django_db
def test_editing_contact_data_is_validated_and_audited(two_customers: World,
                                                       client: Client) -> None:
    lucia = _customer("l1")
    client.force_login(two_customers.person("agent"))
    url = _page(two_customers, lucia) + "edit/"
    bad = client.post(url, {"name": "Lucía", "email": "not-an-email", "phone": "call me"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"email", "phone"}
    ok = client.post(url, {"name": "Lucía Pérez", "email": "lucia@example.com",
                           "phone": "+34 600 000 000", "website": "lucia.es",
                           "company": "Pérez SL", "language": "es", "tags": "vip, prensa",
                           "segment": "retail", "crm_id": "CRM-7",
                           "bio_links": "https://linktr.ee/lucia"})
    assert ok.status_code == 302
    lucia.refresh_from_db()
    assert (lucia.email, lucia.phone, lucia.website, lucia.tags, lucia.crm_id,
            lucia.bio_links) == ("lucia@example.com", "+34 600 000 000", "https://lucia.es",
                                 ["vip", "prensa"], "CRM-7", ["https://linktr.ee/lucia"])
    audit = AuditEvent.objects.filter(action="customer.updated").latest("seq")
    assert audit.after["crm_id"] == "CRM-7" and audit.before["crm_id"] == ""
    client.force_login(two_customers.person("publisher"))
    assert client.post(url, {"name": "x"}).status_code == 403


@pytest.mark.django_db
def test_consent_per_channel_with_date_and_source(two_customers: World, client: Client) -> None:
    lucia = _customer("l1")
    client.force_login(two_customers.person("agent"))
    url = _page(two_customers, lucia) + "consent/"
    assert client.post(url, {"channel": "email", "granted": "1",
                             "given_at": "2026-11-01T10:00", "source": ""}).status_code == 400
    assert client.post(url, {"channel": "email", "granted": "1",
                             "given_at": "2026-11-01T10:00",
                             "source": "newsletter form"}).status_code == 302
    assert client.post(url, {"channel": "email", "granted": "0",
                             "given_at": "2026-11-10T10:00",
                             "source": "DM on X"}).status_code == 302
    page = client.get(_page(two_customers, lucia))
    state = {value: row for value, _label, row in page.context["consent_rows"]}
    assert state["email"].granted is False and state["email"].source == "DM on X"
    assert state["sms"] is None
    assert len(page.context["consent_log"]) == 2
    assert AuditEvent.objects.filter(action="customer.consent_recorded").count() == 2


@pytest.mark.django_db
def test_merge_and_undo_through_the_pages(two_customers: World, client: Client) -> None:
    lucia, alt = _customer("l1"), _customer("l2")
    client.force_login(two_customers.person("agent"))
    response = client.post(_page(two_customers, lucia) + "merge/",
                           {"other": alt.id, "reason": "name"})
    assert response.status_code == 302
    merge = CustomerMerge.objects.get()
    assert merge.reasons == ["name"] and merge.merged_by == two_customers.person("agent")
    page = client.get(_page(two_customers, alt))  # the merged-away record says where it went
    assert 'id="merged-banner"' in page.content.decode()
    response = client.post(f"/o/{two_customers.acme.slug}/customers/merges/{merge.id}/undo/")
    assert response.status_code == 302
    assert conversation_of("l2").customer_id == alt.id
    # a customer out of reach cannot be merged in
    pedro = _customer("p1")
    response = client.post(_page(two_customers, lucia) + "merge/", {"other": pedro.id})
    assert response.status_code == 404
