"""Cases: numbering (also under concurrency), linking across channels, status moves, the
timeline and its handoffs, the audit trail, and the pages."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test import Client

from tertulia.cases import actions
from tertulia.cases.actions import next_number
from tertulia.cases.history import case_timeline
from tertulia.cases.models import Case, CaseEvent, CaseStatus, Department
from tertulia.engagement import actions as inbox_actions
from tertulia.governance.audit import AuditAction, verify
from tertulia.governance.models import AuditEvent
from tests.cases.conftest import Inbox
from tests.conftest import SYSTEM, World, make_org
from tests.engagement.inbox_world import T0


@pytest.mark.django_db
def test_numbers_are_sequential_per_organization(world: World, inbox: Inbox) -> None:
    conv = inbox.dm("m1", "Mi pedido no llega")
    assert inbox_actions.template_values(conv, "Ana")["case_number"] == conv.number
    first = actions.do_open_case(conv, actor=SYSTEM)
    conv.refresh_from_db()
    # Reply templates' {case_number} is the case's number once there is a case.
    assert inbox_actions.template_values(conv, "Ana")["case_number"] == "#1"
    second = actions.do_open_case(inbox.public("p1", "@acme vaya servicio", handle="ana"),
                                  actor=SYSTEM)
    other = actions.do_open_case(inbox.foreign("f1", "hola"), actor=SYSTEM)
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert first.label == "#1"
    with transaction.atomic():
        assert next_number(world.acme) == 3


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_under_concurrency() -> None:
    """Eight writers open twenty cases each at once: 1..160, no gap, no repeat."""
    if connection.vendor != "postgresql" and "memory" in str(
            connection.settings_dict.get("NAME", "")):
        pytest.skip("an in-memory SQLite database is one connection; the file database "
                    "serializes writers (IMMEDIATE transactions)")
    org = make_org("Busy cases")
    from tertulia.governance.models import Brand

    brand = Brand.objects.create(organization=org, name="B", slug="b")
    from django.utils import timezone

    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for _i in range(20):
                with transaction.atomic():
                    now = timezone.now()
                    Case.objects.create(organization=org, brand=brand, title=f"w{n}",
                                        number=next_number(org), created_at=now, updated_at=now)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    numbers = sorted(Case.objects.filter(organization=org).values_list("number", flat=True))
    assert numbers == list(range(1, 161))


@pytest.mark.django_db
def test_a_case_links_conversations_across_channels(world: World, inbox: Inbox) -> None:
    dm = inbox.dm("m1", "Mi pedido llegó roto", minutes=0)
    public = inbox.public("p1", "@acme mi pedido llegó roto, ¿nadie responde?", minutes=5)
    assert (dm.channel, dm.kind) != (public.channel, public.kind)
    case = actions.do_open_case(dm, actor=SYSTEM)
    assert case.customer_id == dm.customer_id
    actions.do_link_conversation(case, public, actor=SYSTEM)
    actions.do_link_conversation(case, public, actor=SYSTEM)  # again: nothing changes
    assert set(case.links.values_list("conversation__kind", flat=True)) == {"dm", "post"}
    assert CaseEvent.objects.filter(case=case, kind="linked").count() == 1
    with pytest.raises(ValidationError, match="already belongs"):
        actions.do_open_case(public, actor=SYSTEM)
    second = actions.do_open_case(inbox.dm("m2", "otra cosa", handle="pepe"), actor=SYSTEM)
    with pytest.raises(ValidationError, match="already belongs"):
        actions.do_link_conversation(second, public, actor=SYSTEM)
    foreign = inbox.foreign("f1", "hola")
    with pytest.raises(ValidationError, match="Only conversations of"):
        actions.do_link_conversation(case, foreign, actor=SYSTEM)
    actions.do_unlink_conversation(case, public, actor=SYSTEM)
    with pytest.raises(ValidationError, match="at least one"):
        actions.do_unlink_conversation(case, dm, actor=SYSTEM)
    kinds = list(AuditEvent.objects.filter(organization=world.acme,
                                           action__startswith="case.").values_list("action",
                                                                                  flat=True))
    assert kinds.count(AuditAction.CASE_OPENED) == 2
    assert AuditAction.CASE_LINKED in kinds and AuditAction.CASE_UNLINKED in kinds
    assert verify(world.acme) is None


@pytest.mark.django_db
def test_the_flag_sets_department_and_type(world: World, inbox: Inbox) -> None:
    conv = inbox.dm("m1", "Quiero comprar 30 cajas para mi oficina")
    inbox_actions.do_set_flag(conv, "green", actor=SYSTEM)
    case = actions.do_open_case(conv, actor=SYSTEM)
    assert (case.department, case.type) == ("sales", "opportunity")
    with pytest.raises(ValidationError, match="not a valid"):
        actions.do_open_case(inbox.dm("m2", "x", handle="b"), actor=SYSTEM, department="legal")


@pytest.mark.django_db
def test_status_moves_and_outcome(world: World, inbox: Inbox) -> None:
    case = actions.do_open_case(inbox.dm("m1", "no funciona"), actor=SYSTEM)
    actions.do_set_case_status(case, "pending", actor=SYSTEM)
    case = actions.do_set_case_status(case, "resolved", actor=SYSTEM)
    assert (case.status, case.outcome) == ("resolved", "solved")
    assert case.resolved_at is not None
    case = actions.do_set_case_status(case, "open", actor=SYSTEM)
    assert case.resolved_at is None
    case = actions.do_set_case_status(case, "resolved", actor=SYSTEM, outcome="workaround")
    case = actions.do_set_case_status(case, "closed", actor=SYSTEM)
    assert (case.status, case.outcome) == ("closed", "workaround")
    with pytest.raises(ValidationError, match="cannot become"):
        actions.do_set_case_status(case, "open", actor=SYSTEM)
    with pytest.raises(ValidationError, match="not a valid"):
        actions.do_set_case_status(case, "limbo", actor=SYSTEM)
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "status", "resolved", "reopened", "resolved", "status"]


@pytest.mark.django_db
def test_the_timeline_shows_every_event_and_handoff_in_order(world: World,
                                                              inbox: Inbox) -> None:
    dm = inbox.dm("m1", "Mi pedido no llega", minutes=0)
    at = T0 + timedelta(hours=1)
    inbox_actions.do_assign(dm, world.person("agent"), actor=SYSTEM, now=at)
    case = actions.do_open_case(dm, actor=SYSTEM, now=at + timedelta(minutes=1))
    public = inbox.public("p1", "@acme sigo sin pedido", minutes=90)
    actions.do_link_conversation(case, public, actor=SYSTEM, now=at + timedelta(minutes=40))
    actions.do_handoff_case(case, actor=SYSTEM, department=Department.PR,
                            owner=world.person("manager"), channel="phone",
                            context="Cliente enfadado en público; llamar hoy",
                            now=at + timedelta(minutes=50))
    inbox_actions.do_assign(dm, world.person("manager"), actor=SYSTEM,
                            now=at + timedelta(minutes=51))
    inbox.dm("m2", "¿Me llamáis?", minutes=100)
    actions.do_set_case_status(case, "resolved", actor=SYSTEM, now=at + timedelta(hours=2))
    entries = case_timeline(case)
    times = [(e.at, e.source, e.row_id) for e in entries]
    assert times == sorted(times)
    kinds = [e.kind for e in entries]
    for expected in ("created", "message", "assigned", "linked", "handoff", "resolved"):
        assert expected in kinds, expected
    assert {e.conversation for e in entries if e.source == 0} == {dm.id, public.id}
    handoff = next(e for e in entries if e.kind == "handoff")
    assert "llamar hoy" in handoff.detail and "phone" in handoff.detail
    assert handoff.actor == SYSTEM.label
    assert [e.kind for e in entries if e.handoff] == ["assigned", "handoff", "assigned",
                                                      "handoff"]
    case.refresh_from_db()
    assert (case.department, case.owner) == ("pr", world.person("manager"))
    with pytest.raises(ValidationError, match="context"):
        actions.do_handoff_case(case, actor=SYSTEM, context="  ")
    with pytest.raises(ValidationError, match="cannot see"):
        actions.do_handoff_case(case, actor=SYSTEM, context="x", owner=world.person("outsider"))


@pytest.mark.django_db
def test_update_records_changes_once(world: World, inbox: Inbox) -> None:
    case = actions.do_open_case(inbox.dm("m1", "hola"), actor=SYSTEM)
    before = AuditEvent.objects.count()
    actions.do_update_case(case, actor=SYSTEM, title="Nuevo título", priority="high",
                           type="incident")
    actions.do_update_case(case, actor=SYSTEM, title="Nuevo título")  # no change
    assert AuditEvent.objects.count() == before + 1
    case.refresh_from_db()
    assert (case.title, case.priority, case.type) == ("Nuevo título", "high", "incident")
    with pytest.raises(ValidationError, match="title"):
        actions.do_update_case(case, actor=SYSTEM, title=" ")


def _case_url(world: World, case: Case, suffix: str = "") -> str:
    return f"/o/{world.acme.slug}/b/{case.brand.slug}/cases/{case.id}/{suffix}"


@pytest.mark.django_db
def test_pages_make_link_and_show_a_case(world: World, inbox: Inbox, client: Client) -> None:
    conv = inbox.dm("m1", "<script>alert('x')</script> mi pedido")
    client.force_login(world.person("agent"))
    page = client.get(f"/o/{world.acme.slug}/inbox/c/{conv.id}/")
    assert b'id="form-open-case"' in page.content
    made = client.post(f"/o/{world.acme.slug}/inbox/c/{conv.id}/case/")
    case = Case.objects.get()
    assert made.status_code == 302 and made["Location"] == _case_url(world, case)
    again = client.post(f"/o/{world.acme.slug}/inbox/c/{conv.id}/case/")
    assert again["Location"] == _case_url(world, case) and Case.objects.count() == 1
    other = inbox.public("p1", "@acme hola", handle="ana")
    joined = client.post(f"/o/{world.acme.slug}/inbox/c/{other.id}/case/", {"case": "#1"})
    assert joined["Location"] == _case_url(world, case)
    detail = client.get(_case_url(world, case))
    assert detail.status_code == 200
    assert b"<script>alert" not in detail.content
    assert b"&lt;script&gt;alert" in detail.content
    assert b'id="timeline"' in detail.content
    response = client.post(_case_url(world, case, "update/"),
                           {"what": "handoff", "department": "sales", "owner": "",
                            "channel": "sms", "context": "Pasa a ventas"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.department == "sales"
    client.post(_case_url(world, case, "update/"), {"what": "status", "status": "resolved",
                                                    "outcome": "not_solved"})
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("resolved", "not_solved")
    bad = client.post(_case_url(world, case, "update/"), {"what": "status", "status": "x"},
                      follow=True)
    assert "not a valid" in bad.content.decode()
    listing = client.get(f"/o/{world.acme.slug}/cases/", {"status": "resolved"})
    assert [c.id for c in listing.context["rows"]] == [case.id]
    assert client.get(f"/o/{world.acme.slug}/cases/").context["rows"] == []
    assert [c.id for c in client.get(f"/o/{world.acme.slug}/b/{world.a1.slug}/cases/",
                                     {"status": "", "q": "1"}).context["rows"]] == [case.id]


@pytest.mark.django_db
def test_who_sees_and_changes_cases(world: World, inbox: Inbox, client: Client) -> None:
    case = actions.do_open_case(inbox.dm("m1", "hola"), actor=SYSTEM)
    url = _case_url(world, case)
    for key, status in (("owner", 200), ("manager", 200), ("agent", 200), ("agency", 200),
                        ("analyst", 200), ("publisher", 403), ("outsider", 404)):
        client.force_login(world.person(key))
        assert client.get(url).status_code == status, key
    client.force_login(world.person("analyst"))
    assert client.post(url + "update/", {"what": "status", "status": "pending"}
                       ).status_code == 403
    page = client.get(url)
    assert b'id="handoff-form"' not in page.content
    # Another brand's case under this brand's address does not exist.
    other = actions.do_open_case(inbox.foreign("f1", "hola"), actor=SYSTEM)
    client.force_login(world.person("owner"))
    assert client.get(f"/o/{world.acme.slug}/b/{world.a1.slug}/cases/{other.id}/"
                      ).status_code == 404


@pytest.mark.django_db
def test_case_status_choices_are_documented() -> None:
    assert set(CaseStatus.values) == {"open", "pending", "resolved", "closed"}


@pytest.mark.django_db
def test_odd_numbers_in_forms_are_refused_plainly(world: World, inbox: Inbox,
                                                  client: Client) -> None:
    conv = inbox.dm("m1", "hola")
    client.force_login(world.person("agent"))
    for raw in ("9" * 40, "²", "-1", "abc"):
        response = client.post(f"/o/{world.acme.slug}/inbox/c/{conv.id}/case/", {"case": raw},
                               follow=True)
        assert response.status_code == 200
        assert "No case" in response.content.decode(), raw
    assert not Case.objects.exists()
    listing = client.get(f"/o/{world.acme.slug}/cases/", {"q": "9" * 40, "before": "²"})
    assert listing.status_code == 200 and listing.context["rows"] == []
