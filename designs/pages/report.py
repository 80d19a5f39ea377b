"""The analysis report of a design version, arranged for reading: facts, issues by severity, verdicts, repair.

Reports come from the geometry package and grow over time; every key is optional here, so an older report
(or a newer one with keys this page does not know) still renders.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.formatting import number_text

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_LABELS = {
    "error": pgettext_lazy("issue severity", "error"),
    "warning": pgettext_lazy("issue severity", "warning"),
    "info": pgettext_lazy("issue severity", "info"),
}


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    tone: str = ""  # "good", "bad" or "" (neutral): a colour hint for the page


@dataclass(frozen=True)
class Verdict:
    code: str
    name: str
    printable: bool
    reasons: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    thin_fraction: float | None = None
    # The slicer check of a surface repair could not close: "pending" while PrusaSlicer is being asked.
    slicer_check: str = ""


@dataclass(frozen=True)
class ReportView:
    facts: list
    issues: list
    verdicts: list
    repair: dict | None
    repair_changes: list
    thin_wall: list
    orientation: list
    highlights: dict | None


def number(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number_text(value, 0 if value.is_integer() else digits)


def size_text(extents) -> str:
    if not extents:
        return "-"
    return " x ".join(number(v) for v in extents) + " mm"


def units_text(units) -> str:
    """``{"applied": "mm", "source": "default", ...}`` as "mm (default)"; plain strings as they are."""
    if not isinstance(units, dict):
        return str(units)
    applied = units.get("applied") or "mm"
    source = {"default": _("assumed"), "file": _("from the file"), "customer": _("as you chose")}.get(
        units.get("source"), units.get("source")
    )
    return f"{applied} ({source})" if source else str(applied)


def _yes_no(value, *, good_when: bool = True) -> tuple[str, str] | None:
    return None if value is None else (_("yes") if value else _("no"), "good" if bool(value) == good_when else "bad")


def _fact(label: str, value, tone: str = "") -> Fact:
    return Fact(label=label, value=value, tone=tone)


def _facts(report: dict) -> list[Fact]:
    facts = [
        _fact(_("Faces"), number(report.get("faces"))),
        _fact(_("Vertices"), number(report.get("vertices"))),
        _fact(_("Bodies"), number(report.get("shells"))),
        _fact(_("Size"), size_text(report.get("bounding_box_mm"))),
        _fact(_("Volume"), f"{number((report.get('volume_mm3') or 0) / 1000, 2)} cm³"),
        _fact(_("Surface area"), f"{number((report.get('area_mm2') or 0) / 100, 1)} cm²"),
    ]
    for label, key, good_when in (
        (_("Watertight"), "watertight", True),
        (_("Winding consistent"), "winding_consistent", True),
    ):
        pair = _yes_no(report.get(key), good_when=good_when)
        if pair:
            facts.append(_fact(label, *pair))
    for label, key in (
        (_("Open edges"), "open_edges"),
        (_("Non-manifold edges"), "non_manifold_edges"),
        (_("Degenerate faces"), "degenerate_faces"),
        (_("Duplicate faces"), "duplicate_faces"),
    ):
        if report.get(key) is not None:
            facts.append(_fact(label, number(report[key]), "bad" if report[key] else "good"))
    if report.get("units"):
        facts.append(_fact(_("Units"), units_text(report["units"])))
    if report.get("units_suspected"):
        facts.append(_fact(_("Units suspected"), str(report["units_suspected"]), "bad"))
    return facts


def _issues(report: dict) -> list[dict]:
    issues = [
        {**issue, "severity_label": SEVERITY_LABELS.get(issue.get("severity"), issue.get("severity", ""))}
        for issue in report.get("issues") or []
        if isinstance(issue, dict)
    ]
    return sorted(issues, key=lambda issue: SEVERITY_ORDER.get(issue.get("severity"), 3))


def _verdicts(report: dict, material_names: dict[str, str]) -> list[Verdict]:
    thin = (report.get("thin_wall") or {}).get("fraction_below_minimum") or {}
    verdicts = []
    for code, verdict in sorted((report.get("materials") or {}).items()):
        if not isinstance(verdict, dict):
            continue
        verdicts.append(
            Verdict(
                code=code,
                name=material_names.get(code, code),
                printable=bool(verdict.get("printable")),
                reasons=list(verdict.get("reasons") or []),
                warnings=list(verdict.get("warnings") or []),
                thin_fraction=thin.get(code),
                slicer_check=str(verdict.get("slicer_check") or ""),
            )
        )
    # Printable materials first, then by name: what the customer can order comes first.
    return sorted(verdicts, key=lambda v: (not v.printable, v.name.lower()))


def _repair_changes(repair: dict) -> list[Fact]:
    changes = repair.get("changes") or {}
    return [
        _fact(name.replace("_", " ").capitalize(), number(value))
        for name, value in sorted(changes.items())
        if value not in (0, None, False)
    ]


def _thin_wall(report: dict) -> list[Fact]:
    thin = report.get("thin_wall") or {}
    facts = []
    if report.get("min_wall_mm") is not None:
        facts.append(_fact(_("Thinnest wall (robust)"), f"{number(report['min_wall_mm'], 2)} mm"))
    if thin.get("thinnest_mm") is not None:
        facts.append(_fact(_("Thinnest sample"), f"{number(thin['thinnest_mm'], 2)} mm"))
    if thin.get("median_mm") is not None:
        facts.append(_fact(_("Median wall"), f"{number(thin['median_mm'], 2)} mm"))
    if thin.get("samples"):
        facts.append(_fact(_("Samples"), number(thin["samples"])))
    if report.get("overhang_area_mm2") is not None:
        facts.append(_fact(_("Overhang beyond 45°"), f"{number(report['overhang_area_mm2'] / 100, 1)} cm²"))
    if report.get("support_volume_mm3") is not None:
        facts.append(_fact(_("Support estimate"), f"{number(report['support_volume_mm3'] / 1000, 2)} cm³"))
    return facts


def _orientation(report: dict) -> list[Fact]:
    pose = report.get("suggested_orientation") or {}
    facts = []
    if pose.get("description"):
        facts.append(_fact(_("Suggested orientation"), str(pose["description"])))
    if report.get("print_extents_mm"):
        facts.append(_fact(_("Size as printed"), size_text(report["print_extents_mm"])))
    return facts


def report_view(report: dict | None, *, material_names: dict[str, str]) -> ReportView | None:
    if not report:
        return None
    repair = report.get("repair") if isinstance(report.get("repair"), dict) else None
    highlights = report.get("highlights") if isinstance(report.get("highlights"), dict) else None
    return ReportView(
        facts=_facts(report),
        issues=_issues(report),
        verdicts=_verdicts(report, material_names),
        repair=repair,
        repair_changes=_repair_changes(repair) if repair else [],
        thin_wall=_thin_wall(report),
        orientation=_orientation(report),
        highlights=highlights,
    )
