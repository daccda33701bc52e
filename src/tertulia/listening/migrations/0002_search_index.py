"""The full-text index: an FTS5 table on SQLite, a tsvector table with GIN on PostgreSQL."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tertulia.listening.search import create_schema

    create_schema(schema_editor.connection)


def backwards(apps, schema_editor):
    from tertulia.listening.search import DROP

    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("listening", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
