"""For migrations that rename tasks: messages waiting in the outbox move to the new names.

Beat's schedule rows need nothing: beat rewrites them from ``CELERY_BEAT_SCHEDULE`` (by entry name) when it
starts. Messages already in the broker under an old name are not renamed; the stuck-work sweeps re-queue
their work.
"""

from django.db import migrations


def rename_outbox_tasks(renamed: dict[str, str]) -> migrations.RunPython:
    """A reversible migration operation: outbox rows named like a key of ``renamed`` take its value."""

    def move(apps, pairs):
        OutboxMessage = apps.get_model("core", "OutboxMessage")
        for old, new in pairs:
            OutboxMessage.objects.filter(task_name=old).update(task_name=new)

    def forwards(apps, schema_editor):
        move(apps, renamed.items())

    def backwards(apps, schema_editor):
        move(apps, [(new, old) for old, new in renamed.items()])

    return migrations.RunPython(forwards, backwards)
