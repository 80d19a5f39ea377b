"""Claims API: the customer reports a problem with delivered parts, the maker answers, staff decide."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsAuthenticatedUser, IsCustomer, IsMaker, IsStaff
from orders import selectors
from orders.api import serializers as s
from orders.services import claims as claim_services


def _claim_answer(request, claim_id: int, code: int = 200) -> Response:
    claim = selectors.claims_visible_to(request.user).get(pk=claim_id)
    return Response(s.ClaimSerializer(claim, context={"request": request}).data, status=code)


class OrderClaimsView(APIView):
    """GET: the order's customer, staff, or a maker with a job on the order (its own jobs' claims only).
    POST: the customer who placed the order: report a problem with delivered parts (multipart: ``reason``,
    ``job`` when several makers made it, 1 to 6 ``photos``), within the claim window while the maker's payout is
    held; otherwise 409 saying why."""

    permission_classes = [IsAuthenticatedUser]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_permissions(self):
        return [IsCustomer()] if self.request.method == "POST" else [IsAuthenticatedUser()]

    @extend_schema(responses={200: s.ClaimSerializer(many=True)})
    def get(self, request, pk):
        order = selectors.order_for_claims(request.user, pk)
        claims = selectors.claims_visible_to(request.user).filter(order=order)
        return Response(s.ClaimSerializer(claims, many=True, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": s.ClaimCreateSerializer},
        responses={201: s.ClaimSerializer, 409: OpenApiResponse(description="not delivered, window closed, paid")},
    )
    def post(self, request, pk):
        order = selectors.order_for_claims(request.user, pk)
        serializer = s.ClaimCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        photos = request.FILES.getlist("photos") + request.FILES.getlist("photos[]")
        claim = claim_services.claim_open(
            order_id=order.pk, customer=request.user, reason=data["reason"], photos=photos, job_id=data.get("job")
        )
        return _claim_answer(request, claim.pk, code=status.HTTP_201_CREATED)


class ClaimDetailView(APIView):
    """The claim's customer, the claimed job's maker, staff: one claim with its photos, answer, decision and
    events."""

    permission_classes = [IsAuthenticatedUser]

    @extend_schema(responses={200: s.ClaimSerializer})
    def get(self, request, pk):
        claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
        return Response(s.ClaimSerializer(claim, context={"request": request}).data)


class ClaimAnswerView(APIView):
    """Makers (members of the claimed job's maker): answer the customer's claim, once."""

    permission_classes = [IsMaker]

    @extend_schema(request=s.ClaimAnswerSerializer, responses={200: s.ClaimSerializer, 409: OpenApiResponse()})
    def post(self, request, pk):
        claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
        serializer = s.ClaimAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim_services.claim_answer(claim_id=claim.pk, actor=request.user, answer=serializer.validated_data["answer"])
        return _claim_answer(request, claim.pk)


class ClaimDecideView(APIView):
    """Staff: decide an open claim: ``reprint`` (a new job for the same maker at its cost), ``refund`` (``amount``
    gross, default all that is held for the maker) or ``reject``."""

    permission_classes = [IsStaff]

    @extend_schema(request=s.ClaimDecideSerializer, responses={200: s.ClaimSerializer, 409: OpenApiResponse()})
    def post(self, request, pk):
        claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
        serializer = s.ClaimDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        claim_services.claim_decide(
            claim_id=claim.pk,
            actor=request.user,
            decision=data["decision"],
            amount=data.get("amount"),
            note=data["note"],
        )
        return _claim_answer(request, claim.pk)


class ClaimPhotoView(APIView):
    """The claim's customer, the claimed job's maker, staff: one of the claim's photos."""

    permission_classes = [IsAuthenticatedUser]

    @extend_schema(responses={(200, "image/jpeg"): OpenApiResponse(description="the photo")})
    def get(self, request, pk, position):
        claim = selectors.claims_visible_to(request.user).filter(pk=pk).first()
        photo = claim.photos.filter(position=position).first() if claim is not None else None
        if photo is None or not photo.image:
            raise Http404
        response = FileResponse(
            default_storage.open(photo.image.name, "rb"),
            content_type="image/jpeg",
            as_attachment=False,
            filename=f"claim-{claim.pk}-{position}.jpg",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
