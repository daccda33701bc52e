"""Mentions stored a network's two-letter country code; queries speak alpha-3."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tertulia.listening.countries import alpha3

    Mention = apps.get_model("listening", "Mention")
    codes = (Mention.objects.exclude(country="").values_list("country", flat=True)
             .distinct().order_by())
    for code in list(codes):
        if len(code) == 2:
            Mention.objects.filter(country=code).update(country=alpha3(code))


class Migration(migrations.Migration):
    dependencies = [("listening", "0005_import_jobs")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
