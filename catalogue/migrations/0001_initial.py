from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orders", "0001_initial"),
    ]

    # The model moved here from the orders app with its table: only Django's idea of the models changes,
    # not the database (the tables keep their names, see each model's Meta.db_table).
    state_operations = [
        migrations.CreateModel(
            name="Material",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=32, unique=True)),
                ("name", models.CharField(max_length=100)),
                (
                    "process",
                    models.CharField(
                        choices=[
                            ("fdm", "FDM (filament)"),
                            ("sla", "SLA (resin)"),
                            ("sls", "SLS (powder bed, nylon)"),
                            ("mjf", "MJF (powder bed, multi jet fusion)"),
                            ("metal", "Metal (powder bed fusion / bound metal)"),
                        ],
                        max_length=8,
                    ),
                ),
                ("description", models.TextField(blank=True)),
                ("density_g_cm3", models.DecimalField(decimal_places=3, max_digits=6)),
                (
                    "price_per_cm3",
                    models.DecimalField(decimal_places=3, help_text="EUR per cm3 of material", max_digits=8),
                ),
                ("machine_rate_per_hour", models.DecimalField(decimal_places=2, max_digits=8)),
                ("setup_fee", models.DecimalField(decimal_places=2, help_text="per batch", max_digits=8)),
                ("handling_per_part", models.DecimalField(decimal_places=2, default=Decimal("0.50"), max_digits=8)),
                ("min_wall_mm", models.DecimalField(decimal_places=2, max_digits=5)),
                ("min_detail_mm", models.DecimalField(decimal_places=2, max_digits=5)),
                ("max_x_mm", models.PositiveIntegerField(help_text="largest build size")),
                ("max_y_mm", models.PositiveIntegerField()),
                ("max_z_mm", models.PositiveIntegerField()),
                ("colours", models.JSONField(blank=True, default=list)),
                ("is_recycled", models.BooleanField(default=False)),
                ("is_bio_based", models.BooleanField(default=False)),
                ("is_active", models.BooleanField(default=True)),
                ("currency", models.CharField(default="EUR", max_length=3)),
            ],
            options={
                "db_table": "orders_material",
                "ordering": ["process", "code"],
            },
        ),
    ]
    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
