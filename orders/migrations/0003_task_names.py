from django.db import migrations

from core.task_renames import rename_outbox_tasks

# Tasks are named after the services they run and routed by the queue they declare, no longer by a prefix.

RENAMED = {
    "dispatch.dispatch_order": "orders.order_dispatch",
    "dispatch.expire_offers": "orders.job_offers_expire",
    "dispatch.sweep_stuck_orders": "orders.orders_sweep_stuck",
}


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("orders", "0002_models_to_their_apps"),
    ]

    operations = [rename_outbox_tasks(RENAMED)]
