import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalogue", "0001_initial"),
        ("orders", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The model moved here from the orders app with its table: only Django's idea of the models changes,
    # not the database (the tables keep their names, see each model's Meta.db_table).
    state_operations = [
        migrations.CreateModel(
            name="Maker",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120)),
                ("slug", models.SlugField(max_length=64, unique=True)),
                ("city", models.CharField(max_length=80)),
                ("country", models.CharField(help_text="ISO 3166 code", max_length=2)),
                ("latitude", models.FloatField(db_index=True)),
                ("longitude", models.FloatField(db_index=True)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("about", models.TextField(blank=True)),
                ("capacity", models.PositiveIntegerField(default=3, help_text="jobs it can run at once")),
                ("hours_to_respond", models.PositiveIntegerField(default=4, help_text="usual time to answer an offer")),
                (
                    "price_factor",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("1.00"),
                        help_text="its prices against the catalogue",
                        max_digits=4,
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                ("offers_received", models.PositiveIntegerField(default=0)),
                ("offers_accepted", models.PositiveIntegerField(default=0)),
                ("average_response_hours", models.FloatField(default=0)),
                ("jobs_shipped", models.PositiveIntegerField(default=0)),
                ("jobs_shipped_on_time", models.PositiveIntegerField(default=0)),
                ("jobs_failed", models.PositiveIntegerField(default=0)),
                (
                    "reliability",
                    models.FloatField(default=0.8, help_text="0..1, from acceptance, speed, punctuality, failures"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("members", models.ManyToManyField(blank=True, related_name="makers", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "db_table": "orders_maker",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Printer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120)),
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
                ("build_x_mm", models.PositiveIntegerField()),
                ("build_y_mm", models.PositiveIntegerField()),
                ("build_z_mm", models.PositiveIntegerField()),
                ("colours", models.JSONField(blank=True, default=list, help_text="colours loaded; empty means any")),
                ("is_online", models.BooleanField(default=True)),
                (
                    "maker",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="printers", to="makers.maker"
                    ),
                ),
                ("materials", models.ManyToManyField(blank=True, related_name="printers", to="catalogue.material")),
            ],
            options={
                "db_table": "orders_printer",
                "ordering": ["maker_id", "name"],
            },
        ),
        migrations.AddIndex(
            model_name="maker",
            index=models.Index(fields=["latitude", "longitude"], name="maker_location"),
        ),
    ]
    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
