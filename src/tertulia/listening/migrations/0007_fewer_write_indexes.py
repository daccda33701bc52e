"""Drop the single-column indexes that composite ones already lead with (each cost every
ingest insert a write). SQLite alters a table by rebuilding it, which drops its triggers:
the full-text index's delete trigger is put back afterwards."""

from django.db import migrations, models
from django.db.models import CASCADE, PROTECT


def recreate_search_triggers(apps, schema_editor):
    from tertulia.listening.search import create_schema

    create_schema(schema_editor.connection)


def _fk(to, related_name, on_delete=CASCADE):
    return models.ForeignKey(db_index=False, on_delete=on_delete, related_name=related_name,
                             to=to)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_organization_retention"),
        ("listening", "0006_country_alpha3"),
    ]

    operations = [
        migrations.AlterField("author", "organization", _fk("governance.organization", "+")),
        migrations.AlterField("mention", "author",
                              _fk("listening.author", "mentions", PROTECT)),
        migrations.AlterField("mention", "organization", _fk("governance.organization", "+")),
        migrations.AlterField("mentionmatch", "brand", _fk("governance.brand", "+")),
        migrations.AlterField("mentionmatch", "query", _fk("listening.query", "matches")),
        migrations.RunPython(recreate_search_triggers, migrations.RunPython.noop),
    ]
