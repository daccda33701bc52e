"""Rules run on every new item and the dry run shows exactly what live did; SLA deadlines
are rows claimed once, so a restart neither loses nor doubles an escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from tertulia.engagement import actions, scheduler
from tertulia.engagement.dryrun import dry_run
from tertulia.engagement.models import (
    AgentActivity,
    ConversationEvent,
    Notification,
    SlaDeadline,
)
from tests.conftest import World
from tests.engagement.inbox_world import (
    SYSTEM,
    T0,
    conversation_of,
    deliver,
    dm,
    own,
    rule,
    sla,
)

Kind = ConversationEvent.Kind


@pytest.fixture
def owned(world: World) -> World:
    own(world.a1, "demo", "acme")
    return world


@pytest.mark.django_db
def test_rules_route_a_new_item_and_the_dry_run_shows_the_same(
    owned: World, django_capture_on_commit_callbacks,
) -> None:
    agent = owned.person("agent")
    AgentActivity.objects.create(user=agent, last_seen_at=T0)
    rule(owned.a1, "refunds", {"all": [{"field": "text", "op": "contains_any",
                                        "value": ["reembolso", "refund"]}]},
         [{"type": "set_priority", "value": "high"}, {"type": "add_tags", "value": ["refund"]},
          {"type": "assign", "team": "Service", "strategy": "least_busy"}], order=10)
    rule(owned.a1, "high-to-leads", {"all": [{"field": "priority", "op": "eq", "value": "high"}]},
         [{"type": "notify", "to": [f"user:{owned.person('manager').email}"]}], order=20,
         stop=True)
    rule(owned.a1, "never", {"all": [{"field": "language", "op": "eq", "value": "en"}]},
         [{"type": "set_flag", "value": "red"}], order=30)
    deliver(owned, django_capture_on_commit_callbacks,
            dm("d1", "Quiero un reembolso de mi pedido", minutes=1))
    conv = conversation_of("d1")
    assert (conv.priority, conv.assignee, conv.team) == ("high", agent, owned.team)
    assert list(conv.tags.values_list("tag", flat=True)) == ["refund"]
    assert Notification.objects.filter(user=owned.person("manager"), conversation=conv).exists()
    fired = conv.events.get(kind=Kind.RULES).data["fired"]
    assert fired == ["refunds", "high-to-leads"]
    run = dry_run(conv)
    assert [r.replay.fired_rule_ids for r in run.items] == [fired]
    assert all(r.same_as_live for r in run.items)
    rule(owned.a1, "spanish-first", {"all": [{"field": "language", "op": "eq", "value": "es"}]},
         [{"type": "set_flag", "value": "yellow"}], order=1, stop=True)
    changed = dry_run(conv)
    assert changed.items[0].replay.fired_rule_ids == ["spanish-first"]
    assert not changed.items[0].same_as_live


@pytest.mark.django_db
def test_a_rule_that_does_not_validate_is_refused_with_the_path(owned: World) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.do_save_rule(owned.a1, {"id": "bad", "conditions": {"all": [
            {"field": "followers", "op": "gte", "value": 10}]}, "actions": []}, actor=SYSTEM)
    text = " ".join(raised.value.messages)
    assert "conditions.all[0].field" in text and "actions" in text


@pytest.fixture
def with_sla(owned: World) -> World:
    sla(owned.a1, "normal", first_response_min=60, resolution_min=480, warn_min=15)
    sla(owned.a1, "high", first_response_min=30, resolution_min=240, warn_min=10)
    rule(owned.a1, "breach-escalates", {"all": [{"field": "event", "op": "eq",
                                                 "value": "sla_breach"}]},
         [{"type": "raise_priority"}, {"type": "escalate", "to": "team:Service",
                                       "reason": "first response late"}])
    return owned


def _first_response_rows(conv_id: int) -> dict[str, SlaDeadline]:
    return {d.key: d for d in SlaDeadline.objects.filter(conversation_id=conv_id,
                                                         target="first_response")}


@pytest.mark.django_db
def test_deadlines_are_rows_in_business_time(with_sla: World,
                                             django_capture_on_commit_callbacks) -> None:
    # Monday 09:30 UTC is 10:30 in Madrid: open, so the hour is a plain hour.
    deliver(with_sla, django_capture_on_commit_callbacks, dm("d1", "Hola"))
    conv = conversation_of("d1")
    rows = _first_response_rows(conv.id)
    assert rows["first_response:breach:0"].due_at == T0 + timedelta(hours=1)
    assert rows["first_response:warning:0"].due_at == T0 + timedelta(minutes=45)
    assert conv.sla_state == "ok" and conv.sla_due_at == T0 + timedelta(hours=1)
    # Friday 17:30 Madrid: the hour ends on Monday at 09:30 Madrid.
    friday = T0 + timedelta(days=4, hours=7)
    deliver(with_sla, django_capture_on_commit_callbacks,
            dm("d2", "Hi", handle="sam").model_copy(update={"created_at": friday}))
    late = conversation_of("d2")
    assert late.sla_due_at == T0 + timedelta(days=7, hours=-1)


@pytest.mark.django_db
def test_a_due_deadline_is_claimed_once_and_escalates_once(
    with_sla: World, django_capture_on_commit_callbacks,
) -> None:
    deliver(with_sla, django_capture_on_commit_callbacks, dm("d1", "Hola"))
    conv = conversation_of("d1")
    warned = scheduler.escalate_due(T0 + timedelta(minutes=50))
    assert (warned.claimed, warned.warnings, warned.breaches) == (1, 1, 0)
    conv.refresh_from_db()
    assert conv.sla_state == "warning"
    assert scheduler.escalate_due(T0 + timedelta(minutes=50)).claimed == 0, \
        "a second claim of the same row does nothing"
    breached = scheduler.escalate_due(T0 + timedelta(minutes=61))
    assert (breached.claimed, breached.breaches, breached.escalated) == (1, 1, 1)
    conv.refresh_from_db()
    assert (conv.sla_state, conv.priority) == ("breached", "high")
    assert conv.events.filter(kind=Kind.ESCALATED).count() == 1
    assert Notification.objects.filter(kind="escalation",
                                       user=with_sla.person("agent")).count() == 1
    again = scheduler.tick(T0 + timedelta(minutes=62))
    conv.refresh_from_db()
    assert conv.events.filter(kind=Kind.ESCALATED).count() == 1
    assert conv.priority == "high", "not raised twice"
    # The high priority's shorter targets are already past, but their breach belongs to the
    # rows of this cycle that already fired: the key "first_response:breach:0" is claimed.
    assert again.escalated == 0


@pytest.mark.django_db
def test_a_crash_during_an_escalation_loses_nothing_and_doubles_nothing(
    with_sla: World, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch,
) -> None:
    deliver(with_sla, django_capture_on_commit_callbacks, dm("d1", "Hola"))
    conv = conversation_of("d1")
    real = actions.apply_changes

    def power_cut(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("power cut after the escalation, before the commit")

    monkeypatch.setattr(actions, "apply_changes", power_cut)
    with pytest.raises(RuntimeError):
        scheduler.escalate_due(T0 + timedelta(minutes=61))
    assert SlaDeadline.objects.filter(conversation=conv, claimed_at=None).count() == 4, \
        "the claim rolled back with the escalation"
    conv.refresh_from_db()
    assert conv.priority == "normal" and not conv.events.filter(kind=Kind.ESCALATED).exists()
    monkeypatch.undo()
    result = scheduler.escalate_due(T0 + timedelta(minutes=61))
    assert (result.warnings, result.breaches, result.escalated) == (1, 1, 1)
    assert scheduler.escalate_due(T0 + timedelta(minutes=61)).claimed == 0
    conv.refresh_from_db()
    assert conv.events.filter(kind=Kind.ESCALATED).count() == 1


@pytest.mark.django_db
def test_pending_pauses_the_clock_and_the_answer_resumes_it(
    with_sla: World, django_capture_on_commit_callbacks,
) -> None:
    deliver(with_sla, django_capture_on_commit_callbacks, dm("d1", "Hola"))
    conv = conversation_of("d1")
    actions.do_change_status(conv, "pending", actor=SYSTEM, now=T0 + timedelta(minutes=20))
    conv.refresh_from_db()
    assert (conv.sla_state, conv.sla_due_at) == ("paused", None)
    assert not SlaDeadline.objects.filter(conversation=conv, claimed_at=None).exists()
    assert scheduler.escalate_due(T0 + timedelta(hours=3)).claimed == 0
    deliver(with_sla, django_capture_on_commit_callbacks, dm("d2", "Sigo aquí", minutes=120))
    conv.refresh_from_db()
    assert conv.status == "open"
    assert conv.sla_due_at == T0 + timedelta(minutes=120 + 40), "20 of 60 minutes were used"


@pytest.mark.django_db
def test_a_snooze_ends_on_its_own(with_sla: World, django_capture_on_commit_callbacks) -> None:
    deliver(with_sla, django_capture_on_commit_callbacks, dm("d1", "Hola"))
    conv = conversation_of("d1")
    actions.do_change_status(conv, "snoozed", actor=SYSTEM, until=T0 + timedelta(hours=2),
                             now=T0 + timedelta(minutes=5))
    conv.refresh_from_db()
    assert (conv.status, conv.queue) == ("snoozed", "snoozed")
    assert scheduler.wake_snoozed(T0 + timedelta(hours=1)) == 0
    assert scheduler.wake_snoozed(T0 + timedelta(hours=2)) == 1
    conv.refresh_from_db()
    assert (conv.status, conv.queue, conv.snoozed_until) == ("open", "open", None)
