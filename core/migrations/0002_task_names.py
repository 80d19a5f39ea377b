from django.db import migrations

from core.task_renames import rename_outbox_tasks

# Tasks are named after the services they run and routed by the queue they declare, no longer by a prefix.

RENAMED = {
    "notify.deliver_notification": "core.notification_deliver",
}


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [rename_outbox_tasks(RENAMED)]
