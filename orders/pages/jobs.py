"""Makers: the job board (offers with the time left, jobs in hand) and the job page (files, plate, progress)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.formatting import duration_text
from core.pages import maker_required
from designs.selectors import version_file_url
from orders.models import JOB_TERMINAL, Batch, JobStatus, PrintState
from orders.pages import with_status_labels
from orders.pages.counteroffers import CounterOfferForm
from orders.pages.forms import ClaimAnswerForm, ProgressForm, RequiredReasonForm
from orders.pages.plates import plate_drawings
from orders.selectors import job_print_file_state, job_print_file_url, jobs_for_maker
from orders.services import agent as agent_services
from orders.services import claims as claim_services
from orders.services import jobs as job_services
from orders.services.notices import label_in_sentence

RECENT_JOBS = 20
JOB_IN_HAND = (JobStatus.ACCEPTED, JobStatus.PRINTING, JobStatus.PRINTED)
# The one step a maker reports next, from where the job is now.
NEXT_PROGRESS = {
    JobStatus.ACCEPTED: JobStatus.PRINTING,
    JobStatus.PRINTING: JobStatus.PRINTED,
    JobStatus.PRINTED: JobStatus.SHIPPED,
}


@maker_required
def job_board(request):
    jobs = jobs_for_maker(request.user)
    now = timezone.now()
    return render(
        request,
        "orders/maker/board.html",
        {
            "offers": list(jobs.filter(status=JobStatus.OFFERED).order_by("offer_expires_at", "id")),
            "in_hand": list(jobs.filter(status__in=JOB_IN_HAND).order_by("due_at", "id")),
            "recent": list(jobs.filter(status__in=JOB_TERMINAL).order_by("-status_changed_at", "-id")[:RECENT_JOBS]),
            "now": now,
            "decline_form": RequiredReasonForm(),
        },
    )


def _files(job) -> list[dict]:
    files = []
    for job_item in job.job_items.all():
        version = job_item.order_item.design_version
        files.append(
            {
                "job_item": job_item,
                "item": job_item.order_item,
                "version": version,
                "design": version.design,
                "file_url": version_file_url(version, "file"),
                "repaired_url": version_file_url(version, "repaired"),
                "thumbnail_url": version_file_url(version, "thumbnail"),
                "extents": (version.analysis or {}).get("print_extents_mm")
                or (version.analysis or {}).get("bounding_box_mm"),
            }
        )
    return files


def _time_text(seconds) -> str:
    return "" if seconds is None else duration_text(seconds)


def _agent_panel(job) -> dict | None:
    """What the maker's print agent did with the job, and whether the maker may now confirm the start (the
    agent has put the file on the printer, or the last print failed and may be retried)."""
    if job.printer_id is None or not job.claimed_by:
        return None
    progress = job.progress or {}
    can_confirm = (
        job.status == JobStatus.ACCEPTED
        and job.start_confirmed_at is None
        and job.print_state in (PrintState.UPLOADED, PrintState.FAILED)
    )
    return {
        "agent": job.claimed_by,
        "printer": job.printer,
        "state": job.print_state,
        "state_label": PrintState(job.print_state).label,
        "percent": progress.get("percent"),
        "layer": progress.get("layer"),
        "time_left": _time_text(progress.get("seconds_left")),
        "can_confirm": can_confirm,
        "is_retry": job.print_state == PrintState.FAILED,
        "is_confirmed": job.start_confirmed_at is not None,
        # the printer's own words stay as written; the platform's (no reason given) in the reader's language
        "failure_reason": _(job.print_failure_reason) if job.print_failure_reason else "",
        "actual": _time_text(job.actual_seconds),
        "estimated": _time_text(agent_services.estimated_print_seconds(job)),
    }


def _job_page(request, pk, *, progress_form=None, decline_form=None, fail_form=None, status=200):
    job = get_object_or_404(jobs_for_maker(request.user, detail=True), pk=pk)
    batch = Batch.objects.select_related("material").get(pk=job.batch_id)
    files = _files(job)
    labels = {f["item"].pk: f"{f['design'].name} v{f['version'].number}" for f in files}
    next_step = NEXT_PROGRESS.get(job.status)
    return render(
        request,
        "orders/maker/job.html",
        {
            "job": job,
            "batch": batch,
            "hold_days": settings.PAYOUT_HOLD_DAYS,
            "files": files,
            "plates": plate_drawings(batch.packing, job_item_labels=labels),
            "packing_error": (batch.packing or {}).get("error"),
            "events": with_status_labels(job.events.all(), JobStatus),
            "next_step": next_step,
            "progress_form": progress_form or ProgressForm(initial={"status": next_step}),
            "decline_form": decline_form or RequiredReasonForm(),
            "fail_form": fail_form or RequiredReasonForm(),
            "is_offer_open": job.status == JobStatus.OFFERED and job.offer_expires_at > timezone.now(),
            "can_fail": job.status in JOB_IN_HAND,
            "print_file_url": job_print_file_url(job),
            "print_file": job_print_file_state(job),
            "counter_offer": next(iter(job.counter_offers.all()), None),
            "counter_offer_form": CounterOfferForm(),
            "claim": claim_services.claim_for_job(job),
            "claim_answer_form": ClaimAnswerForm(),
            "agent": _agent_panel(job),
        },
        status=status,
    )


@maker_required
def job_detail(request, pk):
    return _job_page(request, pk)


def _own_job(request, pk):
    return get_object_or_404(jobs_for_maker(request.user), pk=pk)


@maker_required
@require_POST
def job_accept(request, pk):
    job = _own_job(request, pk)
    try:
        job_services.job_accept(job_id=job.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("web:job-board")
    messages.success(request, _("Job %(job)s is yours. Download the files and start printing.") % {"job": job.pk})
    return redirect("web:job-detail", pk=job.pk)


def _job_reason_action(request, pk, *, service, form_key: str, done):
    """Decline or give up a job: both need a reason and send the maker back to the board."""
    job = _own_job(request, pk)
    form = RequiredReasonForm(request.POST)
    if form.is_valid():
        try:
            service(job_id=job.pk, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.info(request, str(done) % {"job": job.pk})
            return redirect("web:job-board")
    return _job_page(request, pk, status=400, **{form_key: form})


@maker_required
@require_POST
def job_decline(request, pk):
    return _job_reason_action(
        request,
        pk,
        service=job_services.job_decline,
        form_key="decline_form",
        done=gettext_lazy("Job %(job)s declined; it goes to the next maker."),
    )


@maker_required
@require_POST
def job_progress(request, pk):
    job = _own_job(request, pk)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            job_services.job_report_progress(
                job_id=job.pk,
                actor=request.user,
                status=data["status"],
                tracking_number=data["tracking"],
                carrier=data["carrier"],
                photo=data.get("photo"),
                note=data["note"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Job %(job)s: %(status)s reported.")
                % {"job": job.pk, "status": label_in_sentence(JobStatus(data["status"]).label, english=data["status"])},
            )
            return redirect("web:job-detail", pk=job.pk)
    return _job_page(request, pk, progress_form=form, status=400)


@maker_required
@require_POST
def job_fail(request, pk):
    return _job_reason_action(
        request,
        pk,
        service=job_services.job_fail,
        form_key="fail_form",
        done=gettext_lazy("Job %(job)s given up; its parts go to another maker."),
    )


def _job_agent_action(request, pk, *, service, done):
    """Confirm the start or take the job back from its print agent: the answer is a message on the job page.
    ``done(job)`` says what happened (the job as it was before the action)."""
    job = _own_job(request, pk)
    try:
        service(user=request.user, job_id=job.pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done(job))
    return redirect("web:job-detail", pk=job.pk)


@maker_required
@require_POST
def job_confirm_start(request, pk):
    """Makers: the printer's bed is clear, the print agent may start the job's print."""
    return _job_agent_action(
        request,
        pk,
        service=agent_services.job_confirm_start,
        done=lambda job: (
            _("Job %(job)s: the agent starts the print on %(printer)s.")
            % {"job": job.pk, "printer": job.printer.name if job.printer else "-"}
        ),
    )


@maker_required
@require_POST
def job_release_agent(request, pk):
    """Makers: take the job back from the print agent that claimed it."""
    return _job_agent_action(
        request,
        pk,
        service=agent_services.job_release_agent,
        done=lambda job: (
            _("Job %(job)s: taken back from the agent %(agent)s; the next agent to ask for work takes it.")
            % {"job": job.pk, "agent": job.claimed_by}
        ),
    )
