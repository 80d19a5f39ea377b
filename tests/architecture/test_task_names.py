"""Tasks: one constant per name, named after the service they run, routed by the queue each declares (not by
a prefix of its name), and every name beat or the outbox uses belongs to a task."""

from django.conf import settings

from core import queueing
from core.queueing import celery_app, queues, route_task

# Every task of the project: name -> (queue, the service it runs)
EXPECTED = {
    "core.ping": ("celery", None),
    "core.outbox_sweep": ("celery", "core.queueing.outbox_sweep"),
    "core.notification_deliver": ("notify", "core.notifications.notification_deliver"),
    "designs.design_version_analyse": ("meshes", "designs.services.analysis.design_version_analyse"),
    "designs.design_versions_sweep_stuck": ("celery", "designs.services.analysis.design_versions_sweep_stuck"),
    "orders.order_dispatch": ("dispatch", "orders.services.dispatch.order_dispatch"),
    "orders.job_offers_expire": ("dispatch", "orders.services.dispatch.job_offers_expire"),
    "orders.orders_sweep_stuck": ("dispatch", "orders.services.dispatch.orders_sweep_stuck"),
    "orders.payouts_release_due": ("dispatch", "orders.services.checkout.payouts_release_due"),
    "billing.payments_reconcile": ("celery", "billing.services.payments_reconcile"),
    "slicing.slice_run": ("slicing", "slicing.services.slice_run"),
    "slicing.slices_sweep_stuck": ("celery", "slicing.services.slices_sweep_stuck"),
}


def project_tasks() -> dict:
    return {name: task for name, task in celery_app().tasks.items() if not name.startswith("celery.")}


def test_every_task_is_routed_to_the_queue_it_declares():
    tasks = project_tasks()

    assert sorted(tasks) == sorted(EXPECTED)
    for name, (queue, _) in EXPECTED.items():
        assert route_task(name, (), {}, {}) == {"queue": queue}, name
        assert queue in queues()


def test_routing_does_not_read_names():
    # The router is the declared-queue lookup; no pattern on names such as "meshes.*" is left.
    assert tuple(settings.CELERY_TASK_ROUTES) == ("core.queueing.route_task",)
    assert route_task("meshes.something_new", (), {}, {}) is None


def test_a_task_carries_the_name_of_the_service_it_runs():
    for name, task in project_tasks().items():
        app_label, function = name.split(".", 1)
        assert task.__module__ == f"{app_label}.tasks", name
        assert task.run.__name__ == function, name
        service = EXPECTED[name][1]
        assert service is None or service.rsplit(".", 1)[1] == function, name


def test_a_task_cannot_be_declared_on_two_queues():
    queueing.task_options(name="core.test_only_task", queue="celery")
    try:
        queueing.task_options(name="core.test_only_task", queue="meshes")
    except ValueError as error:
        assert "declared on two queues" in str(error)
    else:
        raise AssertionError("a second queue for one task was accepted")
    finally:
        queueing._QUEUE_OF_TASK.pop("core.test_only_task")


def test_beat_runs_only_tasks_that_exist():
    tasks = project_tasks()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in tasks
