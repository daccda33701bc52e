"""The full-text index follows deletions and truncations by triggers, without a foreign key
(PostgreSQL refused to truncate the mentions while the index referenced them)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tertulia.listening.search import create_schema

    create_schema(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("listening", "0003_tags_corrections_backfill")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
