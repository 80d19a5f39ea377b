"""The maker API of the print agent (issue 18): its jobs, claims, reports and printer heartbeats, and the maker's
"the bed is clear" confirmation. Views only call ``orders.services.agent``; an agent-scoped token reaches them
(they live under /api/maker/)."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsMaker
from makers.models import PrinterState
from orders import selectors
from orders.services import agent as agent_services

MAX_PRINTERS_PER_BEAT = 200


def agent_job_data(job, request) -> dict:
    """A job as the agent reads it (see the contract in the module doc of ``orders.services.agent``)."""
    return {
        "id": job.pk,
        "status": job.status,
        "printer": job.printer_id,
        "printer_name": job.printer.name if job.printer_id else None,
        "material": job.material.code,
        "quantity": job.quantity,
        "print_file_url": request.build_absolute_uri(reverse("maker-job-print-file", kwargs={"pk": job.pk})),
        "print_file_sha256": agent_services.print_file_sha256(job),
        "print_file_name": agent_services.print_file_name(job),
        "start_confirmed": job.start_confirmed_at is not None,
        "claimed_by": job.claimed_by or None,
        "print_state": job.print_state,
        "progress": job.progress or None,
        "estimated_seconds": round(agent_services.estimated_print_seconds(job)),
        "actual_seconds": job.actual_seconds,
        "print_failure_reason": job.print_failure_reason,
    }


class AgentSerializer(serializers.Serializer):
    agent = serializers.CharField(max_length=agent_services.AGENT_ID_MAX)


class AgentReportSerializer(AgentSerializer):
    event = serializers.ChoiceField(choices=agent_services.AGENT_EVENTS)
    percent = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100)
    layer = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    seconds_left = serializers.FloatField(required=False, allow_null=True, min_value=0)
    elapsed_seconds = serializers.FloatField(required=False, allow_null=True, min_value=0)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    photo = serializers.ImageField(required=False, allow_null=True)


class PrinterBeatSerializer(serializers.Serializer):
    printer = serializers.IntegerField()
    state = serializers.ChoiceField(choices=PrinterState.values)
    percent = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100)
    loaded_material = serializers.CharField(max_length=40, required=False, allow_null=True, allow_blank=True)
    message = serializers.CharField(required=False, allow_blank=True, default="")


class HeartbeatSerializer(AgentSerializer):
    printers = PrinterBeatSerializer(many=True, max_length=MAX_PRINTERS_PER_BEAT)


class AgentJobListView(APIView):
    """Makers (a print-agent token or a full one): the jobs its agent works on, accepted or printing and planned
    on one of the maker's printers, oldest first."""

    permission_classes = [IsMaker]

    @extend_schema(responses={200: OpenApiResponse(description='{"jobs": [...]}')})
    def get(self, request):
        jobs = selectors.jobs_for_agent(request.user)
        return Response({"jobs": [agent_job_data(job, request) for job in jobs]})


class AgentJobClaimView(APIView):
    """Makers (their agent): claim a job; the same agent again is a no-op, another agent gets 409."""

    permission_classes = [IsMaker]

    @extend_schema(request=AgentSerializer, responses={200: OpenApiResponse(description="the job")})
    def post(self, request, pk):
        serializer = AgentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = agent_services.job_claim(user=request.user, job_id=pk, agent=serializer.validated_data["agent"])
        return Response(agent_job_data(job, request))


class AgentJobReportView(APIView):
    """Makers (the agent that claimed the job): uploaded, started, progress, finished (with a camera snapshot
    when there is one, multipart), failed or cancelled (with the printer's reason)."""

    permission_classes = [IsMaker]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": AgentReportSerializer, "multipart/form-data": AgentReportSerializer},
        responses={200: OpenApiResponse(description="the job"), 409: OpenApiResponse(description="not now")},
    )
    def post(self, request, pk):
        serializer = AgentReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = agent_services.job_agent_report(
            user=request.user,
            job_id=pk,
            agent=data["agent"],
            report=agent_services.AgentReport(
                event=data["event"],
                percent=data.get("percent"),
                layer=data.get("layer"),
                seconds_left=data.get("seconds_left"),
                elapsed_seconds=data.get("elapsed_seconds"),
                reason=data["reason"],
                photo=data.get("photo"),
            ),
        )
        return Response(agent_job_data(job, request))


class AgentPrintersView(APIView):
    """Makers (their agent): the state of the maker's printers as the agent sees them (a heartbeat)."""

    permission_classes = [IsMaker]

    @extend_schema(request=HeartbeatSerializer, responses={200: OpenApiResponse(description='{"printers": [...]}')})
    def post(self, request):
        serializer = HeartbeatSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        printers = agent_services.printers_heartbeat(
            user=request.user,
            agent=data["agent"],
            beats=[
                agent_services.PrinterBeat(
                    printer=beat["printer"],
                    state=beat["state"],
                    percent=beat.get("percent"),
                    # absent: unchanged; null or "": nothing loaded
                    loaded_material=(beat["loaded_material"] or "") if "loaded_material" in beat else None,
                    message=beat["message"],
                )
                for beat in data["printers"]
            ],
        )
        return Response({"printers": [{"printer": printer.pk, "state": printer.live_state} for printer in printers]})


class MakerJobConfirmStartView(APIView):
    """Makers (a full or a print-agent token): the printer's bed is clear, the agent may start the job's print."""

    permission_classes = [IsMaker]

    @extend_schema(request=None, responses={200: OpenApiResponse(description='{"start_confirmed": true}')})
    def post(self, request, pk):
        job = agent_services.job_confirm_start(user=request.user, job_id=pk)
        return Response({"id": job.pk, "start_confirmed": job.start_confirmed_at is not None})


class MakerJobReleaseAgentView(APIView):
    """Makers: take an accepted job back from the agent that claimed it (another agent may then claim it)."""

    permission_classes = [IsMaker]

    @extend_schema(request=None, responses={200: OpenApiResponse(description='{"id", "claimed_by": null}')})
    def post(self, request, pk):
        job = agent_services.job_release_agent(user=request.user, job_id=pk)
        return Response({"id": job.pk, "claimed_by": job.claimed_by or None})
