"""The audit trail is append-only and hash-chained: tampering is detected and named."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from typer.testing import CliRunner

from tertulia.cli import app
from tertulia.governance import actions
from tertulia.governance.audit import Actor, AuditAction, record, verify
from tertulia.governance.models import AuditEvent, Organization
from tests.conftest import SYSTEM, make_org


def _events(org: Organization, n: int) -> list[AuditEvent]:
    for i in range(n):
        actions.do_create_team(org, f"Team {i}", actor=SYSTEM)
    return list(AuditEvent.objects.filter(organization=org).order_by("seq"))


def _tamper(sql: str, params: list[object]) -> None:
    """What a database administrator could do: drop the guard and rewrite rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Replica mode skips ordinary triggers for this transaction (superuser only).
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_intact_chain_verifies() -> None:
    org = make_org("Intact")
    _events(org, 5)
    assert verify(org) is None
    assert AuditEvent.objects.filter(organization=org).count() == 6


@pytest.mark.django_db
def test_edited_row_is_named() -> None:
    org = make_org("Edited")
    events = _events(org, 5)
    _tamper("UPDATE governance_auditevent SET actor_label = %s WHERE id = %s",
            ["someone-else", events[3].id])
    problem = verify(org)
    assert problem is not None
    assert problem.seq == events[3].seq
    assert "edited" in str(problem)


@pytest.mark.django_db
def test_deleted_row_is_named() -> None:
    org = make_org("Deleted")
    events = _events(org, 5)
    _tamper("DELETE FROM governance_auditevent WHERE id = %s", [events[2].id])
    problem = verify(org)
    assert problem is not None
    assert problem.seq == events[3].seq
    assert "missing" in str(problem)


@pytest.mark.django_db
def test_deleted_tail_is_detected() -> None:
    org = make_org("Tail")
    events = _events(org, 3)
    _tamper("DELETE FROM governance_auditevent WHERE id = %s", [events[-1].id])
    problem = verify(org)
    assert problem is not None
    assert "deleted from the end" in str(problem)


@pytest.mark.django_db
def test_reordered_rows_are_detected() -> None:
    org = make_org("Reordered")
    events = _events(org, 5)
    a, b = events[1], events[2]
    _tamper("UPDATE governance_auditevent SET seq = -1 WHERE id = %s", [a.id])
    _tamper("UPDATE governance_auditevent SET seq = %s WHERE id = %s", [a.seq, b.id])
    _tamper("UPDATE governance_auditevent SET seq = %s WHERE id = %s", [b.seq, a.id])
    problem = verify(org)
    assert problem is not None
    assert problem.seq in {a.seq, b.seq}


@pytest.mark.django_db
def test_rows_refuse_update_and_delete_through_the_orm() -> None:
    org = make_org("Guarded")
    event = AuditEvent.objects.filter(organization=org).first()
    assert event is not None
    event.actor_label = "x"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


@pytest.mark.django_db
def test_database_refuses_update() -> None:
    org = make_org("Trigger")
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(organization=org).update(actor_label="rewritten")


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused() -> None:
    org = make_org("Outside")
    with pytest.raises(RuntimeError, match="inside transaction"):
        record(org, SYSTEM, AuditAction.ORG_UPDATED)


@pytest.mark.django_db
def test_cli_verify_exit_codes() -> None:
    org = make_org("Cli Org")
    events = _events(org, 2)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--org", org.slug])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    _tamper("UPDATE governance_auditevent SET after = %s WHERE id = %s", ['{"x": 1}', events[1].id])
    bad = runner.invoke(app, ["audit", "verify", "--org", org.slug])
    assert bad.exit_code == 1
    assert f"event #{events[1].seq}" in bad.output


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_valid_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer; concurrency is PostgreSQL's to prove")
    org = make_org("Busy")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with transaction.atomic():
                    record(org, Actor.system(f"w{n}"), AuditAction.TEAM_UPDATED,
                           after={"i": i, "writer": n})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEvent.objects.filter(organization=org).count() == 1 + 6 * 15
    assert verify(org) is None
