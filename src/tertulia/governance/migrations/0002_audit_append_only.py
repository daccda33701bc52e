"""Make the audit table append-only in the database itself, not only in the ORM.

UPDATE is refused on both engines. DELETE is refused on PostgreSQL; on SQLite a DELETE
trigger would also block the test runner's table flush, and the hash chain catches a
deleted row anyway (`tertulia audit verify`).
"""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON governance_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_no_update;"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON governance_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only();",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_no_update ON governance_auditevent;",
    "DROP FUNCTION IF EXISTS audit_append_only();",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else POSTGRES if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DOWN if vendor == "sqlite" else POSTGRES_DOWN:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
