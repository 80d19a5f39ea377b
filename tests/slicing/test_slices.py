"""The slicing stage in Django: one slice per cache key, reused; real PrusaSlicer runs through slice_run (eager);
failures in plain words; the stuck sweep; health with and without the slicer."""

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from core.errors import Conflict, DomainError
from core.models import OutboxMessage
from designs.models import DesignVersion
from slicing import prusa
from slicing.models import Slice, SliceEvent
from slicing.selectors import slice_for, slicer_health, slices_for_version
from slicing.services import (
    SLICE_RUN_TASK,
    PartOnBed,
    drop_check,
    normalise_build_volume,
    slice_request,
    slice_run,
    slices_sweep_stuck,
)
from tests.factories import MaterialFactory, ReadyVersionFactory
from tests.slicing.conftest import MK3S, box_stl, needs_slicer, stored_version

pytestmark = pytest.mark.django_db


def events(row) -> list[tuple[str, str]]:
    return list(SliceEvent.objects.filter(slice=row).order_by("id").values_list("from_status", "to_status"))


def request_and_run(capture, **key):
    with capture(execute=True):
        row = slice_request(**key)
    row.refresh_from_db()
    return row


def gcode_values(name: str) -> dict[str, str]:
    """The ``; key = value`` lines PrusaSlicer writes at the end of its G-code, read here independently."""
    with default_storage.open(name, "rb") as handle:
        text = handle.read().decode("utf-8", errors="replace")
    return dict(re.findall(r"^; ([^=\n]+?) = (.*)$", text, flags=re.MULTILINE))


# -- one slice per key, reused ------------------------------------------------------------------------------


@needs_slicer
def test_a_second_request_for_the_same_key_reuses_the_slice(cube_version, pla, django_capture_on_commit_callbacks):
    key = {"version_id": cube_version.pk, "material_code": "pla", "printer_profile": MK3S}
    first = request_and_run(django_capture_on_commit_callbacks, **key)
    assert first.status == "done", first.error

    # When the same version, material and profile are asked for again (the build volume left to the profile)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = slice_request(**key, build_volume_mm=None, copies=1)

    # Then it is the same row and no slicer ran: nothing queued, one delivery, one event per step.
    assert second.pk == first.pk and second.status == "done"
    assert callbacks == []
    assert Slice.objects.count() == 1
    assert OutboxMessage.objects.filter(task_name=SLICE_RUN_TASK).count() == 1
    second.refresh_from_db()
    assert second.attempts == 1
    assert events(second) == [("", "queued"), ("queued", "slicing"), ("slicing", "done")]
    assert slice_for(version_id=cube_version.pk, material_code="pla", printer_profile=MK3S) == second
    assert list(slices_for_version(version_id=cube_version.pk)) == [second]


def test_other_copies_or_build_volumes_are_other_keys(cube_version, pla):
    # Given slices not run (no on_commit here): only the rows are compared.
    plain = slice_request(version_id=cube_version.pk, material_code="pla", printer_profile=MK3S)
    two = slice_request(version_id=cube_version.pk, material_code="pla", printer_profile=MK3S, copies=2)
    small = slice_request(
        version_id=cube_version.pk, material_code="pla", printer_profile=MK3S, build_volume_mm=(180, 180.9, 180)
    )
    again = slice_request(
        version_id=cube_version.pk, material_code="pla", printer_profile=MK3S, build_volume_mm=[180, 180, 180]
    )

    assert len({plain.pk, two.pk, small.pk}) == 3
    assert again.pk == small.pk and small.build_volume_mm == [180, 180, 180]
    assert plain.build_volume_mm == [] and plain.status == "queued"


def test_requests_that_cannot_be_sliced_are_refused_and_store_nothing(cube_version, pla):
    queued = ReadyVersionFactory(status="queued")
    with pytest.raises(Conflict):
        slice_request(version_id=queued.pk, material_code="pla", printer_profile=MK3S)
    with pytest.raises(DomainError):
        slice_request(version_id=cube_version.pk, material_code="pla", printer_profile=MK3S, copies=0)
    with pytest.raises(DomainError):
        slice_request(version_id=cube_version.pk, material_code="pla", printer_profile=MK3S, build_volume_mm=[1, 2])
    with pytest.raises(DomainError):
        slice_request(version_id=cube_version.pk, material_code="unobtainium", printer_profile=MK3S)
    assert Slice.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_build_volumes_are_whole_millimetres_or_the_profiles():
    assert normalise_build_volume(None) == [] and normalise_build_volume(()) == []
    assert normalise_build_volume((250.9, 210, "210")) == [250, 210, 210]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_key_make_one_slice(settings):
    """Threads with their own database connections ask for the same key at once: one row, one queued event."""
    settings.PRUSASLICER_BIN = "/nonexistent/prusa-slicer"  # the one run that follows ends at once
    MaterialFactory()
    version = stored_version(box_stl((10, 10, 10)))
    barrier = threading.Barrier(12)
    results, errors = [], []

    def request():
        from django.db import connections

        try:
            barrier.wait()
            results.append(slice_request(version_id=version.pk, material_code="pla", printer_profile=MK3S).pk)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == [], (connection.vendor, errors)
    assert len(results) == 12 and len(set(results)) == 1
    assert Slice.objects.count() == 1
    assert SliceEvent.objects.filter(to_status="queued").count() == 1
    assert OutboxMessage.objects.filter(task_name=SLICE_RUN_TASK).count() == 1


# -- real slices ----------------------------------------------------------------------------------------------


@needs_slicer
def test_a_cube_is_sliced_with_the_figures_of_prusaslicers_own_gcode(
    cube_version, pla, django_capture_on_commit_callbacks
):
    row = request_and_run(
        django_capture_on_commit_callbacks, version_id=cube_version.pk, material_code="pla", printer_profile=MK3S
    )

    assert row.status == "done", row.error
    written = gcode_values(row.print_file.name)
    factors = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    duration = re.findall(r"(\d+)([dhms])", written["estimated printing time (normal mode)"])
    assert row.print_time_s == sum(int(number) * factors[unit] for number, unit in duration)
    assert row.material_cm3 == pytest.approx(float(written["filament used [cm3]"]), abs=0.01)
    assert row.mass_g == pytest.approx(row.material_cm3 * 1.24, rel=1e-3)
    # PrusaSlicer's own grams use its profile's density (Generic PLA 1.24 g/cm3): the same figure.
    assert row.mass_g == pytest.approx(float(written["total filament used [g]"]), abs=0.02)
    # A 20 mm cube at 0.2 mm layers, 2 perimeters, 20 % infill on a MK3S: about half an hour and 3 cm3.
    assert 20 * 60 < row.print_time_s < 45 * 60
    assert 2.0 < row.material_cm3 < 4.5
    assert row.layers == 100 and row.max_z_mm == pytest.approx(20.0)
    assert row.part_height_mm == pytest.approx(20.0) and row.part_volume_mm3 == pytest.approx(8000.0)
    assert row.drops_part is False and row.dropped_share == 0.0 and row.drop_reason == ""
    assert row.technology == "FFF" and row.slicer_version.startswith("2.")
    assert row.presets["printer"] == written["printer_settings_id"]
    assert row.presets["print"] == written["print_settings_id"] == "0.20mm QUALITY @MK3"
    assert written["filament_settings_id"].strip('"') == row.presets["material"] == "Generic PLA"
    assert row.print_file.name == f"slices/{cube_version.pk}/slice-{row.pk}.gcode"
    assert row.started_at <= row.finished_at and row.error == "" and row.attempts == 1


@needs_slicer
def test_the_versions_units_are_respected(pla, django_capture_on_commit_callbacks):
    # Given a 2 x 2 x 2 cube uploaded in centimetres
    version = stored_version(box_stl((2, 2, 2)), units="cm")

    row = request_and_run(
        django_capture_on_commit_callbacks, version_id=version.pk, material_code="pla", printer_profile=MK3S
    )

    assert row.status == "done", row.error
    assert row.part_height_mm == pytest.approx(20.0) and row.max_z_mm == pytest.approx(20.0) and row.layers == 100


@needs_slicer
def test_the_repaired_file_is_sliced_when_there_is_one(pla, django_capture_on_commit_callbacks):
    version = stored_version(b"not a mesh at all", repaired=box_stl((10, 10, 5)))

    row = request_and_run(
        django_capture_on_commit_callbacks, version_id=version.pk, material_code="pla", printer_profile=MK3S
    )

    assert row.status == "done", row.error
    assert row.max_z_mm == pytest.approx(5.0)


@needs_slicer
def test_copies_are_on_one_plate(cube_version, pla, django_capture_on_commit_callbacks):
    one = request_and_run(
        django_capture_on_commit_callbacks, version_id=cube_version.pk, material_code="pla", printer_profile=MK3S
    )
    three = request_and_run(
        django_capture_on_commit_callbacks,
        version_id=cube_version.pk,
        material_code="pla",
        printer_profile=MK3S,
        copies=3,
    )

    assert three.status == "done", three.error
    assert three.material_cm3 == pytest.approx(3 * one.material_cm3, rel=0.05)
    # A lone small cube waits for each layer to cool (minimum layer time); three share that wait.
    assert 1.5 * one.print_time_s < three.print_time_s < 3.2 * one.print_time_s
    assert three.drops_part is False


@needs_slicer
def test_resin_is_sliced_on_a_resin_printer(django_capture_on_commit_callbacks):
    MaterialFactory(code="resin-standard", name="Standard resin", process="sla", density_g_cm3=Decimal("1.10"))
    version = stored_version(box_stl((20, 20, 20)))

    row = request_and_run(
        django_capture_on_commit_callbacks,
        version_id=version.pk,
        material_code="resin-standard",
        printer_profile="PrusaResearch/SL1S/default",
    )

    assert row.status == "done", row.error
    assert row.technology == "SLA" and row.print_file.name.endswith((".sl1s", ".sl1"))
    # A solid cube needs its whole volume in resin (8 cm3), plus supports and pad.
    assert 7.5 < row.material_cm3 < 20 and row.mass_g == pytest.approx(row.material_cm3 * 1.10, rel=1e-3)
    assert row.drops_part is False


# -- failures in plain words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "The file is empty"),
        (b"solid garbage\nthis is not a triangle\nendsolid\n" * 3, "The STL file contains no triangles."),
        (bytes(range(256)) * 40, "it was probably cut off while saving or uploading"),
    ],
)
@needs_slicer
def test_a_garbage_or_empty_mesh_fails_with_a_readable_reason(pla, content, words, django_capture_on_commit_callbacks):
    version = stored_version(content)

    row = request_and_run(
        django_capture_on_commit_callbacks, version_id=version.pk, material_code="pla", printer_profile=MK3S
    )

    assert row.status == "failed"
    assert words in row.error, row.error
    assert "Traceback" not in row.error and row.print_file.name in ("", None)
    assert events(row)[-1] == ("slicing", "failed")


@needs_slicer
def test_a_part_taller_than_the_printer_fails_readably(pla, django_capture_on_commit_callbacks):
    version = stored_version(box_stl((20, 20, 250)))

    row = request_and_run(
        django_capture_on_commit_callbacks, version_id=version.pk, material_code="pla", printer_profile=MK3S
    )

    assert row.status == "failed"
    assert row.error == "The part is 250 mm tall; this printer prints up to 210 mm"
    assert row.error_code == "slicer_refused"


@needs_slicer
def test_the_makers_own_build_volume_is_the_one_sliced_for(cube_version, pla, django_capture_on_commit_callbacks):
    row = request_and_run(
        django_capture_on_commit_callbacks,
        version_id=cube_version.pk,
        material_code="pla",
        printer_profile=MK3S,
        build_volume_mm=[150, 150, 15],
    )

    assert row.status == "failed"
    assert row.error == "The part is 20 mm tall; this printer prints up to 15 mm"


def test_a_missing_slicer_fails_the_slice_and_health_says_so_but_stays_200(
    settings, cube_version, pla, django_capture_on_commit_callbacks, api, monkeypatch
):
    settings.PRUSASLICER_BIN = "/nonexistent/prusa-slicer"
    row = request_and_run(
        django_capture_on_commit_callbacks, version_id=cube_version.pk, material_code="pla", printer_profile=MK3S
    )

    assert row.status == "failed"
    assert row.error == "PrusaSlicer is not installed on this server" and row.error_code == "slicer_missing"
    assert slicer_health() == "unavailable: /nonexistent/prusa-slicer is not installed"

    # The platform's own parts are up (no worker runs in unit tests, so that answer is given here).
    monkeypatch.setattr("core.health.check_worker", lambda **kwargs: "ok")
    response = api.get("/api/health/")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "slicer": "unavailable: /nonexistent/prusa-slicer is not installed",
    }


def test_health_names_only_the_required_parts_as_down(settings, api, monkeypatch, db):
    settings.PRUSASLICER_BIN = "/nonexistent/prusa-slicer"
    monkeypatch.setattr("core.health.check_worker", lambda **kwargs: "down: no worker answered")

    response = api.get("/api/health/")

    assert response.status_code == 503
    assert response.json()["detail"] == "Down: worker."
    assert response.json()["slicer"].startswith("unavailable: ")


@needs_slicer
def test_health_reports_the_installed_slicer(api, monkeypatch, db):
    monkeypatch.setattr("core.health.check_worker", lambda **kwargs: "ok")
    assert api.get("/api/health/").json()["slicer"] == "ok"


def test_a_temporary_failure_is_queued_again_by_a_later_request_and_a_final_one_is_not(
    settings, cube_version, pla, django_capture_on_commit_callbacks
):
    settings.PRUSASLICER_BIN = "/nonexistent/prusa-slicer"
    key = {"version_id": cube_version.pk, "material_code": "pla", "printer_profile": MK3S}
    failed = request_and_run(django_capture_on_commit_callbacks, **key)
    assert failed.error_code == "slicer_missing"

    # Asked again at once: the failure is recent, so it is answered as it is.
    assert slice_request(**key).status == "failed"
    # Later: queued again (attempts start over).
    Slice.objects.filter(pk=failed.pk).update(finished_at=timezone.now() - timedelta(hours=1))
    again = slice_request(**key)
    assert again.pk == failed.pk and again.status == "queued" and again.attempts == 0

    # A refusal of the part itself is final: never queued again.
    Slice.objects.filter(pk=failed.pk).update(
        error_code="slicer_refused", finished_at=timezone.now() - timedelta(days=1)
    )
    from slicing.services import slice_set_status

    slice_set_status(slice_id=failed.pk, to="failed", reason="test: refused")
    assert slice_request(**key).status == "failed"


def test_the_slicer_running_too_long_fails_readably(settings, cube_version, pla, django_capture_on_commit_callbacks):
    if not prusa.available():
        pytest.skip("PrusaSlicer is not installed")
    settings.SLICER_TIME_LIMIT_SECONDS = 0.001

    row = request_and_run(
        django_capture_on_commit_callbacks, version_id=cube_version.pk, material_code="pla", printer_profile=MK3S
    )

    assert row.status == "failed" and row.error_code == "slicer_timed_out"
    assert row.error.startswith("PrusaSlicer took longer than")


def test_the_tasks_soft_time_limit_ends_in_took_too_long(
    settings, cube_version, pla, django_capture_on_commit_callbacks, monkeypatch
):
    # Celery raises SoftTimeLimitExceeded inside the task when the queue's soft limit passes.
    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(prusa, "slice_plate", too_slow)
    monkeypatch.setattr(prusa, "available", lambda program=None: True)
    if not (prusa.bundles.profiles_dir() / "PrusaResearch.ini").is_file():
        pytest.skip("PrusaSlicer's vendor profiles are not installed")

    row = request_and_run(
        django_capture_on_commit_callbacks, version_id=cube_version.pk, material_code="pla", printer_profile=MK3S
    )

    assert row.status == "failed" and row.error_code == "too_slow"
    assert "took too long" in row.error


def test_an_unknown_printer_fails_readably(settings, cube_version, pla, django_capture_on_commit_callbacks):
    if not prusa.available():
        pytest.skip("PrusaSlicer is not installed")
    row = request_and_run(
        django_capture_on_commit_callbacks,
        version_id=cube_version.pk,
        material_code="pla",
        printer_profile="PrusaResearch/NO_SUCH_PRINTER/0.4",
    )

    assert row.status == "failed" and row.error_code == "unknown_printer"
    assert "NO_SUCH_PRINTER" in row.error or "printer" in row.error.lower()


# -- worker deaths --------------------------------------------------------------------------------------------


def test_the_sweep_requeues_slices_whose_worker_died(cube_version, pla):
    stale = slice_request(version_id=cube_version.pk, material_code="pla", printer_profile=MK3S)
    fresh = slice_request(version_id=cube_version.pk, material_code="pla", printer_profile=MK3S, copies=2)
    from slicing.services import slice_set_status

    long_ago = timezone.now() - timedelta(hours=1)
    slice_set_status(slice_id=stale.pk, to="slicing", updates={"started_at": long_ago, "attempts": 1})
    Slice.objects.filter(pk=fresh.pk).update(enqueued_at=timezone.now())

    assert slices_sweep_stuck() == 1

    stale.refresh_from_db()
    assert stale.status == "queued" and stale.attempts == 1  # deliveries keep counting: a killer part ends
    assert events(stale)[-1] == ("slicing", "queued")
    assert OutboxMessage.objects.filter(task_name=SLICE_RUN_TASK, kwargs={"slice_id": stale.pk}).count() == 2
    assert Slice.objects.get(pk=fresh.pk).status == "queued"


def test_a_part_that_kills_workers_is_given_up(settings, cube_version, pla):
    row = slice_request(version_id=cube_version.pk, material_code="pla", printer_profile=MK3S)
    Slice.objects.filter(pk=row.pk).update(attempts=settings.SLICING_MAX_ATTEMPTS)

    assert slice_run(slice_id=row.pk) == "failed"

    row.refresh_from_db()
    assert row.error_code == "worker_crashed" and "given up" in row.error


def test_a_finished_or_vanished_slice_is_skipped(cube_version, pla):
    assert slice_run(slice_id=987654) == "skipped"
    row = slice_request(version_id=cube_version.pk, material_code="pla", printer_profile=MK3S)
    DesignVersion.objects.filter(pk=cube_version.pk).delete()
    assert slice_run(slice_id=row.pk) == "skipped"


# -- the drop rule --------------------------------------------------------------------------------------------


def part(height=20.0, area=2400.0, volume=8000.0):
    return PartOnBed(path=None, height_mm=height, area_mm2=area, volume_mm3=volume)


def test_a_whole_part_drops_nothing():
    assert drop_check(part=part(), copies=1, max_z_mm=20.0, material_cm3=3.0, layer_height_mm=0.2) == (0.0, False, "")


def test_a_slice_that_stops_far_below_the_top_drops_the_part():
    share, drops, reason = drop_check(part=part(), copies=1, max_z_mm=8.0, material_cm3=3.0, layer_height_mm=0.2)

    assert drops is True and share == pytest.approx(0.6)
    assert "top layer is at 8.0 mm but the part is 20.0 mm tall" in reason


def test_a_layer_or_two_short_is_not_a_drop():
    # Rounding to layers (and a tiny part) is not a drop.
    assert drop_check(part=part(height=0.5), copies=1, max_z_mm=0.2, material_cm3=1.0, layer_height_mm=0.2)[1] is False


def test_material_far_below_the_shell_drops_the_part():
    # A 100 x 100 mm plate whose thin body the slicer left out: 0.5 cm3 where the shell alone needs 5 cm3.
    plate = part(height=0.5, area=20200.0, volume=5000.0)

    share, drops, reason = drop_check(part=plate, copies=1, max_z_mm=0.4, material_cm3=0.5, layer_height_mm=0.2)

    assert drops is True and share == pytest.approx(0.9)
    assert "plans 0.50 cm3 of material where the part's shell alone needs 5.00 cm3" in reason


def test_copies_multiply_the_material_needed():
    assert drop_check(part=part(), copies=4, max_z_mm=20.0, material_cm3=1.0, layer_height_mm=0.2)[1] is True
    assert drop_check(part=part(), copies=4, max_z_mm=20.0, material_cm3=12.0, layer_height_mm=0.2)[1] is False


# -- admin --------------------------------------------------------------------------------------------------


def test_staff_see_slices_in_the_admin(client, staff, cube_version, pla):
    from accounts.staff import grant_app_permissions, sync_staff_membership

    grant_app_permissions("slicing")
    sync_staff_membership(staff)
    row = slice_request(version_id=cube_version.pk, material_code="pla", printer_profile=MK3S)
    client.force_login(staff)

    listing = client.get("/admin/slicing/slice/?status__exact=queued")
    detail = client.get(f"/admin/slicing/slice/{row.pk}/change/")

    assert listing.status_code == 200 and MK3S in listing.content.decode()
    assert detail.status_code == 200 and "outer shell" in detail.content.decode()
