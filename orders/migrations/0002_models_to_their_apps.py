import django.db.models.deletion
from django.db import migrations, models


MOVED = {
    "material": "catalogue",
    "maker": "makers",
    "printer": "makers",
    "message": "codesign",
    "revisionproposal": "codesign",
}


def move_content_types(apps, schema_editor):
    # Permissions and admin history point at content types: move them with their models, so that groups
    # keep their permissions. On a fresh database there is nothing to move yet.
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        ContentType.objects.filter(app_label="orders", model=model).update(app_label=app_label)


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        ContentType.objects.filter(app_label=app_label, model=model).update(app_label="orders")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("makers", "0001_initial"),
        ("orders", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # The model moved here from the orders app with its table: only Django's idea of the models changes,
    # not the database (the tables keep their names, see each model's Meta.db_table).
    state_operations = [
        migrations.AlterField(
            model_name="job",
            name="maker",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="jobs", to="makers.maker"
            ),
        ),
        migrations.AlterField(
            model_name="batch",
            name="maker",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="batches", to="makers.maker"
            ),
        ),
        migrations.RemoveField(
            model_name="printer",
            name="maker",
        ),
        migrations.AlterField(
            model_name="quote",
            name="material",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalogue.material"
            ),
        ),
        migrations.RemoveField(
            model_name="printer",
            name="materials",
        ),
        migrations.AlterField(
            model_name="orderitem",
            name="material",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="catalogue.material"
            ),
        ),
        migrations.AlterField(
            model_name="batch",
            name="material",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="catalogue.material"
            ),
        ),
        migrations.AlterField(
            model_name="job",
            name="material",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="catalogue.material"
            ),
        ),
        migrations.RemoveField(
            model_name="message",
            name="author",
        ),
        migrations.RemoveField(
            model_name="message",
            name="design_version",
        ),
        migrations.RemoveField(
            model_name="message",
            name="job",
        ),
        migrations.RemoveField(
            model_name="revisionproposal",
            name="decided_by",
        ),
        migrations.RemoveField(
            model_name="revisionproposal",
            name="job",
        ),
        migrations.RemoveField(
            model_name="revisionproposal",
            name="order_item",
        ),
        migrations.RemoveField(
            model_name="revisionproposal",
            name="previous_version",
        ),
        migrations.RemoveField(
            model_name="revisionproposal",
            name="proposed_by",
        ),
        migrations.RemoveField(
            model_name="revisionproposal",
            name="version",
        ),
        migrations.DeleteModel(
            name="Maker",
        ),
        migrations.DeleteModel(
            name="Printer",
        ),
        migrations.DeleteModel(
            name="Material",
        ),
        migrations.DeleteModel(
            name="Message",
        ),
        migrations.DeleteModel(
            name="RevisionProposal",
        ),
    ]
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
