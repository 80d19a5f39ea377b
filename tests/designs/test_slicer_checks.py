"""The report side of the slicer check: a refusal only for an unclosed surface becomes a risk warning when the
slicer made a solid of the part, and stays (saying so) when it did not; only under the version's lock, only for
the slice the report waits for."""

import pytest

from designs.geometry.materials import refused_only_as_open, verdict_after_slicer_check
from designs.models import DesignVersion
from designs.selectors import open_materials
from designs.services import design_version_record_slicer_check
from tests.factories import MaterialFactory, ReadyVersionFactory, cube_report

REASON = (
    "The surface is not a closed solid (6 open edges remain after repair), so PLA cannot be printed from it reliably."
)


def open_verdict(*reason_codes) -> dict:
    details = [{"code": code, "message": REASON if code == "not_closed" else code} for code in reason_codes]
    return {
        "printable": False,
        "reasons": [detail["message"] for detail in details],
        "reason_details": details,
        "warnings": ["Needs support material."],
        "warning_details": [{"code": "needs_support", "message": "Needs support material."}],
        "needs_risk_acceptance": False,
    }


def test_only_a_verdict_refused_for_an_unclosed_surface_alone_is_one_the_slicer_may_turn():
    assert refused_only_as_open(open_verdict("not_closed")) is True
    assert refused_only_as_open(open_verdict("not_closed", "no_volume")) is False
    assert refused_only_as_open(open_verdict("thin_wall")) is False
    assert open_materials({"materials": {"pla": open_verdict("not_closed"), "x": open_verdict("too_large")}}) == ["pla"]


def test_done_makes_it_printable_at_risk_and_failed_or_drops_keep_the_refusal_naming_the_slicer():
    done = verdict_after_slicer_check(
        open_verdict("not_closed"), material_name="PLA", status="done", detail="6 open edges"
    )
    failed = verdict_after_slicer_check(
        open_verdict("not_closed"),
        material_name="PLA",
        status="failed",
        detail="6 open edges",
        slicer_reason="PrusaSlicer found nothing to print.",
    )
    drops = verdict_after_slicer_check(
        open_verdict("not_closed"), material_name="PLA", status="drops", detail="6 open edges", slicer_reason="x"
    )
    other = open_verdict("not_closed", "too_large")

    assert (done["printable"], done["reasons"], done["needs_risk_acceptance"], done["slicer_check"]) == (
        True,
        [],
        True,
        "done",
    )
    assert [detail["code"] for detail in done["warning_details"]] == ["not_closed", "needs_support"]
    assert done["warnings"][0] == (
        "The surface is not closed (6 open edges after repair); PrusaSlicer closes it when slicing, so PLA can "
        "print it, but check the preview: what the slicer fills in may differ from what you meant, so it can only "
        "be printed at your own risk."
    )
    assert failed["printable"] is False and failed["reasons"] == [
        "The surface is not a closed solid (6 open edges remain after repair) and PrusaSlicer could not slice it "
        "either (PrusaSlicer found nothing to print), so PLA cannot be printed from it."
    ]
    assert (
        drops["printable"] is False
        and "PrusaSlicer leaves out much of it when slicing either (x)" in drops["reasons"][0]
    )
    assert verdict_after_slicer_check(other, material_name="PLA", status="done", detail="6 open edges") is other


@pytest.fixture
def open_version(db):
    MaterialFactory()
    report = cube_report(materials=["pla"])
    report.update(watertight=False, open_edges=51, repair={"performed": True, "open_edges_after": 6})
    report["materials"]["pla"] = open_verdict("not_closed")
    return ReadyVersionFactory(analysis=report)


def record(version, status, slice_id=7, **extra):
    return design_version_record_slicer_check(
        version_id=version.pk, process="fdm", status=status, slice_id=slice_id, **extra
    )


def test_the_report_waits_for_its_slice_and_settles_once(open_version):
    record(open_version, "pending", profile="PrusaResearch/MK3S/0.4", material_code="pla", material_codes=["pla"])
    open_version.refresh_from_db()
    assert open_version.analysis["slicer_check"]["fdm"] == {
        "status": "pending",
        "profile": "PrusaResearch/MK3S/0.4",
        "material": "pla",
        "slice": 7,
        "materials": ["pla"],
        "reason": "",
    }
    assert open_version.analysis["materials"]["pla"]["printable"] is False
    assert open_version.analysis["materials"]["pla"]["slicer_check"] == "pending"

    # An outcome of another slice (a stale delivery) changes nothing
    before = open_version.analysis
    assert record(open_version, "done", slice_id=8) == before

    report = record(open_version, "drops", reason="PrusaSlicer leaves out much of this part.")
    assert report["slicer_check"]["fdm"]["status"] == "drops"
    assert report["materials"]["pla"]["printable"] is False
    # Settled: neither a later outcome nor a new pending check changes it
    assert record(open_version, "done") == report
    assert record(open_version, "pending", slice_id=9, material_codes=["pla"]) == report
    assert DesignVersion.objects.get(pk=open_version.pk).analysis == report


def test_a_done_check_turns_the_refusal_into_a_warning(open_version):
    record(open_version, "pending", material_codes=["pla"])

    report = record(open_version, "done", reason="PrusaSlicer sliced it.")

    verdict = report["materials"]["pla"]
    assert (verdict["printable"], verdict["needs_risk_acceptance"], verdict["slicer_check"]) == (True, True, "done")
    assert verdict["warnings"][0].startswith("The surface is not closed (6 open edges after repair); PrusaSlicer")
    assert DesignVersion.objects.get(pk=open_version.pk).analysis == report


def test_a_material_not_refused_for_the_surface_alone_is_not_checked(open_version):
    report = record(open_version, "pending", material_codes=["petg"])

    assert "slicer_check" not in report
    assert "slicer_check" not in DesignVersion.objects.get(pk=open_version.pk).analysis
