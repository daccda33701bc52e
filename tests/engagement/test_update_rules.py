"""Rules run on changes a person makes (``event`` = ``updated``): flag, tags, status,
assignee, priority; with a loop guard, and the dry run replays exactly what fired."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tertulia.engagement import actions
from tertulia.engagement.brandconf import conf_for
from tertulia.engagement.dryrun import dry_run, replay_update
from tertulia.engagement.models import ConversationEvent, Notification
from tertulia.governance.audit import Actor
from tests.conftest import World
from tests.engagement.inbox_world import SYSTEM, conversation_of, deliver, dm, own, rule

UPDATED = {"field": "event", "op": "eq", "value": "updated"}


@pytest.fixture
def ruled(world: World, django_capture_on_commit_callbacks) -> World:
    own(world.a1, "demo", "acme")
    rule(world.a1, "red-escalates", {"all": [UPDATED, {"field": "flag", "op": "eq",
                                                       "value": "red"}]},
         [{"type": "set_priority", "value": "urgent"}, {"type": "add_tags", "value": ["crisis"]},
          {"type": "notify", "to": ["team:Service"], "message": "Red flag"}], order=1)
    # A rule that changes what the first one tests: it must not start another run.
    rule(world.a1, "crisis-flags", {"all": [UPDATED, {"field": "tags", "op": "contains_any",
                                                      "value": ["crisis"]}]},
         [{"type": "set_flag", "value": "yellow"}], order=2)
    rule(world.a1, "new-only", {"field": "event", "op": "eq", "value": "created"},
         [{"type": "add_tags", "value": ["seen"]}], order=3)
    deliver(world, django_capture_on_commit_callbacks, dm("d1", "Esto es un escándalo"))
    return world


def _update_runs(conv_id: int) -> list[ConversationEvent]:
    return list(ConversationEvent.objects.filter(conversation_id=conv_id, kind="rules",
                                                 data__event="updated").order_by("id"))


@pytest.mark.django_db
def test_a_person_changing_the_flag_runs_the_rules_once(ruled: World) -> None:
    conv = conversation_of("d1")
    actions.do_set_flag(conv, "red", actor=Actor.of(ruled.person("agent")))
    conv.refresh_from_db()
    assert conv.priority == "urgent"
    assert actions.tags_of(conv) == ["crisis", "seen"]
    # the second rule saw the first one's tag within the same run (one run, not two)
    assert conv.flag == "yellow"
    runs = _update_runs(conv.id)
    assert len(runs) == 1
    assert runs[0].data["fired"] == ["red-escalates", "crisis-flags"]
    assert runs[0].data["after"] == "flag" and runs[0].data["by"] == "agent@acme.test"
    assert Notification.objects.filter(kind="rule", text="Red flag").count() == 1


@pytest.mark.django_db
def test_rules_and_system_changes_do_not_run_update_rules(ruled: World) -> None:
    conv = conversation_of("d1")
    actions.do_set_flag(conv, "red", actor=SYSTEM)  # no person: no run
    assert _update_runs(conv.id) == []
    assert conversation_of("d1").priority == "normal"


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["tag", "status", "assign", "priority"])
def test_each_kind_of_change_runs_them(ruled: World, change: str) -> None:
    rule(ruled.a1, "any-update", UPDATED, [{"type": "add_tags", "value": ["touched"]}], order=0)
    conv = conversation_of("d1")
    person = Actor.of(ruled.person("agent"))
    if change == "tag":
        actions.do_tag(conv, add=["vip"], actor=person)
    elif change == "status":
        actions.do_change_status(conv, "pending", actor=person)
    elif change == "assign":
        actions.do_assign(conv, ruled.person("agent"), actor=person)
    else:
        actions.do_set_priority(conv, "high", actor=person)
    assert "touched" in actions.tags_of(conversation_of("d1"))
    assert [r.data["after"] for r in _update_runs(conv.id)] == [
        {"tag": "tags", "assign": "assignee"}.get(change, change)]


@pytest.mark.django_db
def test_the_dry_run_replays_update_runs_as_they_fired(ruled: World, client: Client) -> None:
    conv = conversation_of("d1")
    actions.do_set_flag(conv, "red", actor=Actor.of(ruled.person("agent")))
    run = dry_run(conv)
    assert [u.live_fired for u in run.updates] == [["red-escalates", "crisis-flags"]]
    assert all(u.same_as_live for u in run.updates)
    client.force_login(ruled.person("agent"))
    html = client.get(f"/o/{ruled.acme.slug}/inbox/c/{conv.id}/rules/").content.decode()
    assert 'id="dry-run-updates"' in html and "red-escalates" in html


FLAGS = ["none", "note", "green", "yellow", "red"]


@pytest.mark.django_db
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["flag", "tag", "priority"]),
                                st.sampled_from(FLAGS)), min_size=1, max_size=5))
def test_dry_run_equals_live_for_updated_events(ruled: World,
                                                steps: list[tuple[str, str]]) -> None:
    """Whatever a person does, replaying every stored ``updated`` run gives the rules that
    fired live, with the same changes."""
    conv = conversation_of("d1")
    person = Actor.of(ruled.person("manager"))
    for what, value in steps:
        if what == "flag":
            actions.do_set_flag(conv, value, actor=person)
        elif what == "tag":
            actions.do_tag(conv, add=[value], actor=person)
        else:
            actions.do_set_priority(conv, {"none": "low", "note": "normal", "green": "high"}
                                    .get(value, "urgent"), actor=person)
    conf = conf_for(conv.brand_id)
    for event in _update_runs(conv.id):
        replay = replay_update(conf, event)
        assert replay.fired_rule_ids == event.data["fired"]
        assert replay.changes.to_dict() == event.data["changes"]
