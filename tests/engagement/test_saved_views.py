"""Saved views: a named set of inbox filters, private or shared, listed with a live count
each; counts read the same indexes as the built-in views."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tertulia.engagement import actions, inbox
from tertulia.engagement.forms import InboxFilterForm
from tertulia.engagement.models import SavedView
from tertulia.governance.models import AuditEvent
from tests.conftest import World
from tests.engagement.inbox_world import SYSTEM, conversation_of, deliver, dm, own


@pytest.fixture
def flagged(world: World, django_capture_on_commit_callbacks) -> World:
    own(world.a1, "demo", "acme")
    own(world.a2, "demo", "acmetwo")
    deliver(world, django_capture_on_commit_callbacks,
            *[dm(f"a{i}", f"Mensaje {i}", handle=f"c{i}", minutes=i) for i in range(5)],
            dm("b1", "Other brand", handle="d1", to="demo:acmetwo", minutes=9))
    for i in (0, 1, 2):
        actions.do_set_flag(conversation_of(f"a{i}"), "red", actor=SYSTEM)
    actions.do_set_flag(conversation_of("b1"), "red", actor=SYSTEM)
    return world


def _inbox(world: World) -> str:
    return f"/o/{world.acme.slug}/inbox/"


@pytest.mark.django_db
def test_save_list_count_and_open_a_view(flagged: World, client: Client) -> None:
    client.force_login(flagged.person("owner"))
    response = client.post(_inbox(flagged) + "views/save/",
                           {"name": "Red ones", "query": "flag=red&view=open", "shared": "1"})
    view = SavedView.objects.get(name="Red ones")
    assert response.status_code == 302 and response["Location"].endswith(f"?saved={view.id}")
    assert (view.filters, view.base_view, view.shared) == ({"flag": "red"}, "open", True)
    assert AuditEvent.objects.filter(action="saved_view.saved").exists()
    page = client.get(_inbox(flagged), {"saved": view.id})
    assert len(page.context["rows"]) == 4 and page.context["current_saved"] == view
    counts = client.get(_inbox(flagged), {"fragment": "saved_counts"})
    assert dict((v.name, n) for v, n in counts.context["saved"]) == {"Red ones": 4}
    html = counts.content.decode()
    assert f'id="saved-{view.id}"' in html and 'id="saved-views"' in html
    # the agent of brand a1 sees the shared view, counted on their brands only
    client.force_login(flagged.person("agent"))
    counts = client.get(_inbox(flagged), {"fragment": "saved_counts"})
    assert dict((v.name, n) for v, n in counts.context["saved"]) == {"Red ones": 3}
    # only the owner deletes it
    assert client.post(_inbox(flagged) + f"views/{view.id}/delete/").status_code == 403


@pytest.mark.django_db
def test_private_views_stay_private_and_bad_filters_are_refused(flagged: World,
                                                                 client: Client) -> None:
    client.force_login(flagged.person("manager"))
    client.post(_inbox(flagged) + "views/save/", {"name": "Mine", "query": "view=mine"})
    view = SavedView.objects.get(name="Mine")
    refused = client.post(_inbox(flagged) + "views/save/",
                          {"name": "Bad", "query": "flag=purple"}, follow=True)
    assert not SavedView.objects.filter(name="Bad").exists()
    assert "flag" in refused.content.decode()
    nameless = client.post(_inbox(flagged) + "views/save/", {"name": " ", "query": "flag=red"})
    assert nameless.status_code == 302 and SavedView.objects.count() == 1
    client.force_login(flagged.person("agent"))
    assert client.get(_inbox(flagged), {"saved": view.id}).status_code == 404
    assert client.post(_inbox(flagged) + f"views/{view.id}/delete/").status_code == 404
    client.force_login(flagged.person("manager"))
    assert client.post(_inbox(flagged) + f"views/{view.id}/delete/").status_code == 302
    assert not SavedView.objects.exists()


@pytest.mark.django_db
def test_a_saved_view_naming_a_brand_out_of_reach_shows_nothing(flagged: World,
                                                                client: Client) -> None:
    client.force_login(flagged.person("owner"))
    client.post(_inbox(flagged) + "views/save/",
                {"name": "Two", "query": f"brand={flagged.a2.slug}", "shared": "1"})
    view = SavedView.objects.get(name="Two")
    client.force_login(flagged.person("agent"))
    assert client.get(_inbox(flagged), {"saved": view.id}).status_code == 404
    counts = client.get(_inbox(flagged), {"fragment": "saved_counts"})
    assert dict((v.name, n) for v, n in counts.context["saved"]) == {"Two": None}


@pytest.mark.django_db
def test_saved_view_counts_use_an_index(flagged: World) -> None:
    """The count of a saved view (flag red, open) is one range of ``conv_org_flag``."""
    scope = inbox.inbox_scope(flagged.person("owner"), flagged.acme)
    form = InboxFilterForm({"flag": "red"}, scope=scope)
    assert form.is_valid()
    qs = inbox.apply_view(inbox.apply_filters(inbox.base_queryset(scope), form.cleaned_data,
                                              flagged.person("owner")), "open",
                          flagged.person("owner"))
    sql, params = qs.order_by().values("id")[: inbox.COUNT_CAP].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "conv_org_flag" in plan, plan
        else:
            # A handful of rows would rather be scanned; ask what the planner does at scale.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan, plan
    assert inbox.capped_count(qs) == 4
