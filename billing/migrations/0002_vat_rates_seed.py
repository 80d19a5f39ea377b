from django.db import migrations


def seed(apps, schema_editor):
    """The EU standard rates of billing/tax's table; staff edit them in the admin from then on."""
    from billing.tax import load_eu_rates  # noqa: PLC0415 (a migration reads the seed as it is when it runs)

    VatRate = apps.get_model("billing", "VatRate")
    for country, rate in sorted(load_eu_rates().items()):
        VatRate.objects.get_or_create(country=country, defaults={"rate": rate})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
