from django.db import migrations

from core.task_renames import rename_outbox_tasks

# Tasks are named after the services they run and routed by the queue they declare, no longer by a prefix.

RENAMED = {
    "meshes.analyse_design_version": "designs.design_version_analyse",
    "designs.sweep_stuck_analyses": "designs.design_versions_sweep_stuck",
}


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("designs", "0001_initial"),
    ]

    operations = [rename_outbox_tasks(RENAMED)]
