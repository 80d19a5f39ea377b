"""Co-design API: conversations on design versions and jobs, and revision proposals. Views only call services."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from codesign import services as codesign
from codesign.models import RevisionProposal
from codesign.selectors import proposals_with_details
from core.permissions import IsAuthenticatedUser, IsCustomer, IsCustomerOrMaker, IsCustomerOrStaff
from designs import selectors as design_selectors
from designs import services as design_services
from designs.api import DesignVersionSerializer, StreamedUploadMixin, VersionUploadSerializer
from designs.models import DesignVersion, Units
from designs.selectors import version_file_url
from orders import selectors
from orders.api.serializers import MAX_ID, ReasonSerializer
from orders.api.views import _JobActionView
from orders.models import Job


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    author_role = serializers.SerializerMethodField()
    body = serializers.CharField(max_length=5000)
    created_at = serializers.DateTimeField(read_only=True)

    def get_author_role(self, message) -> str:
        return "staff" if message.author.is_staff else message.author.role


class ProposalVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    error = serializers.CharField()
    parameters = serializers.JSONField()
    thumbnail_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()

    def get_thumbnail_url(self, version) -> str | None:
        return version_file_url(version, "thumbnail")

    def get_preview_url(self, version) -> str | None:
        return version_file_url(version, "preview")


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    job = serializers.IntegerField(source="job_id")
    order = serializers.IntegerField(source="job.order_id")
    order_item = serializers.IntegerField(source="order_item_id")
    proposed_by = serializers.CharField(source="proposed_by.username")
    maker = serializers.CharField(source="job.maker.name")
    version = ProposalVersionSerializer()
    previous_version = ProposalVersionSerializer()
    message = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    price_before = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    price_after = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    price_difference = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    expected_price = serializers.SerializerMethodField()

    def get_expected_price(self, proposal) -> dict | None:
        """Priced by the view (codesign.services.proposal_expected_price), passed in the context."""
        expected = self.context["expected_prices"].get(proposal.pk)
        return expected.as_dict() if expected else None


class ProposalCreateSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=5000)
    order_item = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    file = serializers.FileField(required=False)
    units = serializers.ChoiceField(choices=Units.choices, required=False, allow_blank=True, default="")
    parameters = serializers.JSONField(required=False)


def _proposals_response(proposals, *, status: int = 200) -> Response:
    """One proposal or a queryset of them, each pending one with the price it would have if accepted now."""
    many = not isinstance(proposals, RevisionProposal)
    rows = list(proposals) if many else [proposals]
    context = {"expected_prices": {proposal.pk: codesign.proposal_expected_price(proposal) for proposal in rows}}
    return Response(ProposalSerializer(rows if many else proposals, many=many, context=context).data, status=status)


class _ThreadView(APIView):
    permission_classes = [IsAuthenticatedUser]

    def thread(self, request, **kwargs):
        raise NotImplementedError

    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request, **kwargs):
        messages = self.thread(request, **kwargs).messages.select_related("author").order_by("created_at", "id")
        return Response(MessageSerializer(messages, many=True).data)

    @extend_schema(request=MessageSerializer, responses={201: MessageSerializer})
    def post(self, request, **kwargs):
        serializer = MessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        thread = self.thread(request, **kwargs)
        target = {"job": thread} if isinstance(thread, Job) else {"version": thread}
        message = codesign.message_post(author=request.user, body=serializer.validated_data["body"], **target)
        return Response(MessageSerializer(message).data, status=201)


class JobMessagesView(_ThreadView):
    """The job's maker, the order's customer, staff: the conversation on a job (others: 404)."""

    def thread(self, request, pk):
        return codesign.job_visible_to(request.user, pk)


class DesignVersionMessagesView(_ThreadView):
    """Whoever may see the design (owner, makers with a job of it, staff): the conversation on a version."""

    def thread(self, request, pk, number):
        return codesign.version_visible_to(request.user, design_id=pk, number=number)


class MakerJobProposalsView(_JobActionView):
    """Makers: the revisions proposed on one of their jobs; POST proposes one (a file, or template
    parameters) with a message."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=ProposalSerializer(many=True))
    def get(self, request, pk):
        job = self.job(request, pk)
        return _proposals_response(proposals_with_details().filter(job=job))

    @extend_schema(
        request={"multipart/form-data": ProposalCreateSerializer, "application/json": ProposalCreateSerializer},
        responses={201: ProposalSerializer},
    )
    def post(self, request, pk):
        serializer = ProposalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        proposal = codesign.proposal_create(
            job_id=self.job(request, pk).pk,
            actor=request.user,
            order_item_id=data.get("order_item"),
            message=data["message"],
            uploaded_file=data.get("file"),
            units=data["units"],
            parameters=data.get("parameters"),
        )
        return _proposals_response(proposals_with_details().get(pk=proposal.pk), status=201)


class OrderProposalsView(APIView):
    """The order's customer, or staff: revisions makers proposed for the order's parts, with the new price."""

    permission_classes = [IsCustomerOrStaff]

    @extend_schema(responses=ProposalSerializer(many=True))
    def get(self, request, pk):
        order = get_object_or_404(selectors.orders_visible_to(request.user, detail=False), pk=pk)
        return _proposals_response(proposals_with_details().filter(job__order=order))


class ProposalAcceptView(APIView):
    """The order's customer: take the proposed version; the item moves to it at the new price."""

    permission_classes = [IsCustomer]

    @extend_schema(request=None, responses={200: ProposalSerializer, 409: OpenApiResponse(description="not now")})
    def post(self, request, pk):
        proposal = codesign.proposal_accept(proposal_id=pk, actor=request.user)
        return _proposals_response(proposals_with_details().get(pk=proposal.pk))


class ProposalRejectView(APIView):
    """The order's customer: keep their version (with an optional reason)."""

    permission_classes = [IsCustomer]

    @extend_schema(request=ReasonSerializer, responses={200: ProposalSerializer})
    def post(self, request, pk):
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = codesign.proposal_reject(
            proposal_id=pk, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return _proposals_response(proposals_with_details().get(pk=proposal.pk))


class DesignVersionListCreateView(StreamedUploadMixin, generics.ListAPIView):
    """Whoever may see the design: its versions. POST: the owner uploads a revision; the maker holding a job
    of it proposes one (the customer then accepts or rejects it, see /api/orders/{id}/proposals/)."""

    serializer_class = DesignVersionSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = None
    throttle_scope = "upload"

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsCustomerOrMaker()]
        return [IsAuthenticatedUser()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DesignVersion.objects.none()
        design = get_object_or_404(design_selectors.designs_visible_to(self.request.user), pk=self.kwargs["pk"])
        return design.versions.select_related("created_by").order_by("number")

    @extend_schema(request={"multipart/form-data": VersionUploadSerializer}, responses={201: DesignVersionSerializer})
    def post(self, request, pk):
        if request.user.is_maker:
            return self.propose(request, pk)
        design = design_selectors.design_for_owner(user=request.user, design_id=pk)
        data = self.uploaded_file(request, VersionUploadSerializer)
        version = design_services.design_version_upload(
            design=design,
            actor=request.user,
            uploaded_file=data["file"],
            units=data["units"],
            message=data["message"],
        )
        return Response(DesignVersionSerializer(version, context={"request": request}).data, status=201)

    def propose(self, request, pk):
        design = get_object_or_404(design_selectors.designs_visible_to(request.user), pk=pk)
        data = self.uploaded_file(request, VersionUploadSerializer)
        job_item = codesign.proposable_item(maker_user=request.user, design=design)
        proposal = codesign.proposal_create(
            job_id=job_item.job_id,
            actor=request.user,
            order_item_id=job_item.order_item_id,
            message=data["message"],
            uploaded_file=data["file"],
            units=data["units"],
        )
        body = DesignVersionSerializer(proposal.version, context={"request": request}).data
        body["proposal"] = proposal.pk
        return Response(body, status=201)
