"""Counter-offers API: the maker of an offered job proposes another price or date; the order's customer lists,
accepts or declines. Views only call services."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsCustomer, IsCustomerOrStaff, IsMaker
from orders import selectors
from orders.api import serializers as s
from orders.models import CounterOffer
from orders.services import counteroffers


def _answer(counter_offer_id: int, *, code: int = 200) -> Response:
    counter_offer = CounterOffer.objects.select_related("maker", "payment").get(pk=counter_offer_id)
    return Response(s.CounterOfferSerializer(counter_offer).data, status=code)


class MakerJobCounterOfferView(APIView):
    """Makers (the job's own): answer an open offer with another ``price`` (net, for all of the job's parts)
    and/or ``due_at``, and a ``message``. One open counter-offer per job (a second: 409)."""

    permission_classes = [IsMaker]

    @extend_schema(
        request=s.CounterOfferRequestSerializer,
        responses={201: s.CounterOfferSerializer, 409: OpenApiResponse(description="not an open offer, or one waits")},
    )
    def post(self, request, pk):
        job = get_object_or_404(selectors.jobs_for_maker(request.user), pk=pk)
        serializer = s.CounterOfferRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        counter_offer = counteroffers.counter_offer_make(
            job_id=job.pk,
            actor=request.user,
            price=data.get("price"),
            due_at=data.get("due_at"),
            message=data["message"],
        )
        return _answer(counter_offer.pk, code=status.HTTP_201_CREATED)


class OrderCounterOffersView(APIView):
    """The order's customer, or staff: the counter-offers made on the order's jobs, newest first."""

    permission_classes = [IsCustomerOrStaff]

    @extend_schema(responses={200: s.CounterOfferSerializer(many=True)})
    def get(self, request, pk):
        counter_offers = selectors.counter_offers_of_order(request.user, pk)
        return Response(s.CounterOfferSerializer(counter_offers, many=True).data)


class _CounterOfferAnswerView(APIView):
    permission_classes = [IsCustomer]
    accept = True

    @extend_schema(
        request=None,
        responses={200: s.CounterOfferSerializer, 409: OpenApiResponse(description="answered already, or lapsed")},
    )
    def post(self, request, pk):
        counter_offer = counteroffers.counter_offer_answer(counter_offer_id=pk, actor=request.user, accept=self.accept)
        return _answer(counter_offer.pk)


class CounterOfferAcceptView(_CounterOfferAnswerView):
    """The order's customer: take the maker's terms. A price rise answers ``awaiting_payment`` with the top-up's
    ``checkout_url``; the job is the maker's once it is paid. A fall is refunded at once."""

    accept = True


class CounterOfferDeclineView(_CounterOfferAnswerView):
    """The order's customer: keep the terms as they were; the parts go to the next maker."""

    accept = False
