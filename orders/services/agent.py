"""The maker's print agent (issue 18): it claims the jobs planned on its printers, puts their files on the
printers, starts them once the maker confirmed the bed is clear, and reports progress, the end and failures.

Job statuses still change only through the job door (``job_report_progress`` and ``job_set_status``); what the
agent adds besides (claim, print state, progress, real print time) are plain fields written with conditional
updates under the job's row lock.
"""

import hashlib
import math
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalogue.models import Material
from core.errors import Conflict, DomainError, NotFound
from core.text import Reason, clean_text
from makers.models import Printer, PrinterState
from orders.models import Job, JobStatus, PrintState
from orders.services.dispatch import order_sync
from orders.services.estimates import printer_refresh_correction
from orders.services.jobs import job_report_progress
from orders.services.status import job_set_status

AGENT_JOB_STATUSES = (JobStatus.ACCEPTED, JobStatus.PRINTING)
AGENT_EVENTS = ("uploaded", "started", "progress", "finished", "failed", "cancelled")
AGENT_ID_MAX = 100


def agent_id_checked(agent) -> str:
    """The agent's id as sent: a short printable string."""
    agent = clean_text(str(agent or ""), field=_("The agent id"), max_length=AGENT_ID_MAX).strip()
    if not agent:
        raise DomainError(_('Say which agent calls: {"agent": "<agent id>"}.'), code="agent_required")
    return agent


def agent_job(*, user, job_id: int) -> Job:
    """One job of the caller's maker (any status), or 404: someone else's job is not found."""
    job = (
        Job.objects.filter(maker__members=user, pk=job_id).select_related("material", "printer", "print_slice").first()
    )
    if job is None:
        raise NotFound(_("Job %(job)s was not found among your maker's jobs.") % {"job": job_id})
    return job


def print_file_sha256(job: Job) -> str | None:
    """The SHA-256 of the job's print file, or None when it has none yet (the agent then waits). Files are stored
    under server-made names that never change content, so the digest is remembered by file name."""
    part_slice = job.sliced
    if part_slice is None or not part_slice.print_file:
        return None
    name = part_slice.print_file.name
    finished = part_slice.finished_at.timestamp() if part_slice.finished_at else ""
    key = f"print-file-sha256:{name}:{finished}"
    digest = cache.get(key)
    if digest is None:
        hasher = hashlib.sha256()
        with default_storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                hasher.update(chunk)
        digest = hasher.hexdigest()
        cache.set(key, digest, timeout=None)
    return digest


def print_file_name(job: Job) -> str | None:
    part_slice = job.sliced
    if part_slice is None or not part_slice.print_file:
        return None
    return f"job-{job.pk}.{part_slice.print_file.name.rsplit('.', 1)[-1]}"


def estimated_print_seconds(job: Job) -> float:
    """The slicer's time for the job's file (what the printer runs), else the instant estimate."""
    part_slice = job.sliced
    if part_slice is not None and part_slice.print_time_s:
        return float(part_slice.print_time_s)
    return float(job.estimated_hours) * 3600


def job_claim(*, user, job_id: int, agent: str) -> Job:
    """The agent takes the job: once taken, only that agent may report on it. Claiming again with the same id is
    a no-op (an agent restarted); another agent's claim, or a job not accepted/printing on a printer, is a 409."""
    agent = agent_id_checked(agent)
    job = agent_job(user=user, job_id=job_id)
    claimed = (
        Job.objects.filter(pk=job.pk, status__in=AGENT_JOB_STATUSES, printer__isnull=False)
        .filter(Q(claimed_by="") | Q(claimed_by=agent))
        .update(claimed_by=agent)
    )
    if claimed != 1:
        job.refresh_from_db()
        if job.status not in AGENT_JOB_STATUSES or job.printer_id is None:
            raise Conflict(
                _("Job %(job)s is not for an agent: it is %(status)s, and only accepted jobs planned on a printer are.")
                % {"job": job.pk, "status": job.status},
                code="not_claimable",
                details={"status": job.status},
            )
        raise Conflict(
            _("Job %(job)s is claimed by another agent (%(agent)s).") % {"job": job.pk, "agent": job.claimed_by},
            code="claimed_by_other_agent",
            details={"claimed_by": job.claimed_by},
        )
    job.refresh_from_db()
    return job


def job_confirm_start(*, user, job_id: int) -> Job:
    """The maker says the printer's bed is clear: the agent may start the job's print. Only for an accepted job
    planned on a printer (409 otherwise); confirming again changes nothing. After a failed print this is the
    retry: the agent puts the file on the printer again and starts it."""
    job = agent_job(user=user, job_id=job_id)
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status != JobStatus.ACCEPTED or job.printer_id is None:
            raise Conflict(
                _("Only an accepted job planned on a printer can be started; job %(job)s is %(status)s.")
                % {"job": job.pk, "status": job.status},
                code="cannot_confirm_start",
                details={"status": job.status},
            )
        if job.start_confirmed_at is None:
            fields = {"start_confirmed_at": timezone.now()}
            if job.print_state == PrintState.FAILED:
                fields.update(print_state=PrintState.WAITING, print_failure_reason="")
            Job.objects.filter(pk=job.pk).update(**fields)
            job.refresh_from_db()
    return job


def job_release_agent(*, user, job_id: int) -> Job:
    """The maker takes the job back from the agent that claimed it (that agent was replaced, or the job should
    go to another printer's agent): the next agent to poll claims it and puts the file on its printer again, and
    the maker confirms the start again. Not while it prints (409: cancel the print on the printer first; the agent
    reports it failed and the job is accepted again)."""
    job = agent_job(user=user, job_id=job_id)
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status != JobStatus.ACCEPTED or not job.claimed_by:
            raise Conflict(
                _("Only an accepted job an agent holds can be taken back; job %(job)s is %(status)s.")
                % {"job": job.pk, "status": job.status},
                code="cannot_release",
                details={"status": job.status, "claimed_by": job.claimed_by or None},
            )
        Job.objects.filter(pk=job.pk).update(
            claimed_by="", print_state=PrintState.WAITING, start_confirmed_at=None, progress=None
        )
        job.refresh_from_db()
    return job


@dataclass(frozen=True, kw_only=True)
class AgentReport:
    event: str
    percent: float | None = None
    layer: int | None = None
    seconds_left: float | None = None
    elapsed_seconds: float | None = None
    reason: str = ""
    photo: object = None


def job_agent_report(*, user, job_id: int, agent: str, report: AgentReport) -> Job:
    """What the agent saw on the printer (see the module's doc and the API contract): uploaded, started,
    progress, finished, failed or cancelled. Only the agent that claimed the job may report (409)."""
    agent = agent_id_checked(agent)
    if report.event not in AGENT_EVENTS:
        raise DomainError(_("event must be one of %(value)s.") % {"value": ", ".join(AGENT_EVENTS)}, code="bad_event")
    job = agent_job(user=user, job_id=job_id)
    if job.claimed_by != agent:
        raise Conflict(
            _("Job %(job)s is not claimed by this agent: claim it first.") % {"job": job.pk},
            code="not_claimed",
            details={"claimed_by": job.claimed_by or None},
        )
    handler = {
        "uploaded": _uploaded,
        "started": _started,
        "progress": _progress,
        "finished": _finished,
        "failed": _failed,
        "cancelled": _failed,
    }[report.event]
    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("printer", "print_slice").get(pk=job.pk)
        handler(job, actor=user, report=report)
    job.refresh_from_db()
    return job


def _not_for(job: Job, event: str) -> Conflict:
    return Conflict(
        _("The agent cannot report %(event)s for job %(job)s: it is %(status)s (print %(state)s).")
        % {"event": event, "job": job.pk, "status": job.status, "state": job.print_state},
        code="bad_print_state",
        details={"status": job.status, "print_state": job.print_state},
    )


def _uploaded(job: Job, *, actor, report: AgentReport) -> None:
    if job.status == JobStatus.PRINTING or job.print_state == PrintState.UPLOADED:
        return  # already on the printer, or running: a repeat
    if job.status != JobStatus.ACCEPTED:
        raise _not_for(job, report.event)
    Job.objects.filter(pk=job.pk).update(print_state=PrintState.UPLOADED, print_failure_reason="")


def _started(job: Job, *, actor, report: AgentReport) -> None:
    if job.status == JobStatus.PRINTING:
        if job.print_state not in (PrintState.PRINTING, PrintState.FINISHED):
            # The maker reported printing by hand before the agent did: the print's clock starts now.
            Job.objects.filter(pk=job.pk).update(print_state=PrintState.PRINTING, print_started_at=timezone.now())
        return  # a repeat (the agent restarted after reporting)
    if job.status != JobStatus.ACCEPTED:
        raise _not_for(job, report.event)
    if job.start_confirmed_at is None:
        raise Conflict(
            _("The maker has not confirmed that the bed of %(printer)s is clear: do not start job %(job)s.")
            % {"printer": job.printer.name if job.printer else "?", "job": job.pk},
            code="start_not_confirmed",
        )
    now = timezone.now()
    job_report_progress(
        job_id=job.pk,
        actor=actor,
        status=JobStatus.PRINTING,
        reason=Reason(gettext_noop("started on %(printer)s by the agent"), printer=job.printer.name),
    )
    Job.objects.filter(pk=job.pk).update(
        print_state=PrintState.PRINTING,
        print_started_at=now,
        progress={"percent": 0.0, "layer": None, "seconds_left": None, "reported_at": now.isoformat()},
    )


def _number(value, *, name: str, minimum: float = 0, maximum: float | None = None) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DomainError(_("%(name)s must be a number.") % {"name": name}, code="bad_number")
    if not math.isfinite(number) or number < minimum or (maximum is not None and number > maximum):
        raise DomainError(
            _("%(name)s must be between %(low)s and %(high)s.")
            % {"name": name, "low": f"{minimum:g}", "high": f"{maximum:g}" if maximum is not None else "∞"},
            code="bad_number",
        )
    return number


def progress_checked(report: AgentReport) -> dict:
    percent = _number(report.percent, name="percent", maximum=100)
    layer = _number(report.layer, name="layer", maximum=1_000_000)
    seconds_left = _number(report.seconds_left, name="seconds_left", maximum=365 * 24 * 3600)
    return {
        "percent": round(percent, 1) if percent is not None else None,
        "layer": int(layer) if layer is not None else None,
        "seconds_left": int(seconds_left) if seconds_left is not None else None,
        "reported_at": timezone.now().isoformat(),
    }


def _progress(job: Job, *, actor, report: AgentReport) -> None:
    progress = progress_checked(report)
    if job.status != JobStatus.PRINTING:
        raise _not_for(job, report.event)
    # A beat of progress is no status change: no event row, just the latest figures.
    Job.objects.filter(pk=job.pk).update(progress=progress, print_state=PrintState.PRINTING)


def _finished(job: Job, *, actor, report: AgentReport) -> None:
    if job.print_state == PrintState.FINISHED and job.status != JobStatus.PRINTING:
        return  # a repeat
    # The maker may have reported printed (or shipped) by hand before the agent saw the end: the real time
    # is still worth keeping, the status is left as it is.
    already_done = job.status in (JobStatus.PRINTED, JobStatus.SHIPPED)
    if job.status != JobStatus.PRINTING and not already_done:
        raise _not_for(job, report.event)
    now = timezone.now()
    elapsed = _number(report.elapsed_seconds, name="elapsed_seconds", maximum=365 * 24 * 3600)
    if not elapsed and job.print_started_at is not None:
        elapsed = (now - job.print_started_at).total_seconds()
    if not already_done:
        job_report_progress(
            job_id=job.pk,
            actor=actor,
            status=JobStatus.PRINTED,
            photo=report.photo,
            reason=gettext_noop("finished on the printer")
            if report.photo is not None
            else gettext_noop("finished on the printer; no camera snapshot"),
            photo_optional=True,
        )
    progress = dict(job.progress or {})
    progress.update(percent=100.0, seconds_left=0, reported_at=now.isoformat())
    Job.objects.filter(pk=job.pk).update(
        print_state=PrintState.FINISHED,
        print_finished_at=now,
        actual_seconds=round(elapsed, 1) if elapsed else None,
        estimated_print_seconds=estimated_print_seconds(job),
        progress=progress,
    )
    if job.printer_id is not None:
        printer_refresh_correction(printer_id=job.printer_id)


def _failed(job: Job, *, actor, report: AgentReport) -> None:
    reason = clean_text(report.reason or "", field=_("The reason"), max_length=2000).strip()
    reason = reason or (
        gettext_noop("the print was cancelled on the printer")
        if report.event == "cancelled"
        else gettext_noop("the printer reported a failure")
    )
    if job.status == JobStatus.ACCEPTED and job.print_state == PrintState.FAILED:
        return  # a repeat
    if job.status == JobStatus.PRINTING:
        job_set_status(
            job_id=job.pk,
            to=JobStatus.ACCEPTED,
            actor=actor,
            reason=Reason(
                gettext_noop("print cancelled on %(printer)s: %(reason)s")
                if report.event == "cancelled"
                else gettext_noop("print failed on %(printer)s: %(reason)s"),
                printer=job.printer.name if job.printer else "-",
                reason=reason,
            ),
            details={"print_event": report.event},
        )
        order_sync(order_id=job.order_id, actor=actor)
    elif job.status != JobStatus.ACCEPTED:
        raise _not_for(job, report.event)
    Job.objects.filter(pk=job.pk).update(
        print_state=PrintState.FAILED, print_failure_reason=reason, start_confirmed_at=None
    )


@dataclass(frozen=True, kw_only=True)
class PrinterBeat:
    printer: int
    state: str
    percent: float | None = None
    loaded_material: str | None = None
    message: str = ""


def printers_heartbeat(*, user, agent: str, beats: list[PrinterBeat]) -> list[Printer]:
    """The agent's view of its printers: state, percent, loaded material, message; ``seen_at`` now. Every
    printer must be the caller's maker's, else nothing is written and a 400 names the others."""
    agent_id_checked(agent)
    ids = [beat.printer for beat in beats]
    own = {printer.pk: printer for printer in Printer.objects.filter(maker__members=user, pk__in=ids)}
    foreign = [printer_id for printer_id in ids if printer_id not in own]
    if foreign:
        raise DomainError(
            _("These printers are not your maker's: %(ids)s.") % {"ids": ", ".join(str(i) for i in foreign)},
            code="unknown_printers",
            details={"printers": {str(i): "not found" for i in foreign}},
        )
    codes = {beat.loaded_material for beat in beats if beat.loaded_material}
    materials = {material.code: material for material in Material.objects.filter(code__in=codes)}
    unknown = sorted(codes - set(materials))
    if unknown:
        raise DomainError(
            _("Unknown material %(material)s; see /api/materials/.") % {"material": ", ".join(unknown)},
            code="unknown_material",
        )
    now = timezone.now()
    # Every beat is checked before any is written: a bad one refuses the whole heartbeat.
    updates = []
    for beat in beats:
        if beat.state not in PrinterState.values:
            raise DomainError(
                _("A printer's state is one of %(value)s.") % {"value": ", ".join(PrinterState.values)},
                code="bad_state",
            )
        fields = {
            "agent_state": beat.state,
            "agent_percent": _number(beat.percent, name="percent", maximum=100),
            "agent_message": clean_text((beat.message or "")[:200], field=_("The message"), max_length=200),
            "agent_seen_at": now,
        }
        if beat.loaded_material is not None:
            fields["loaded_material"] = materials.get(beat.loaded_material) if beat.loaded_material else None
        updates.append((beat.printer, fields))
    with transaction.atomic():
        for printer_id, fields in updates:
            Printer.objects.filter(pk=printer_id).update(**fields)
    return list(Printer.objects.filter(pk__in=ids).order_by("pk"))
