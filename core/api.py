"""Shared API plumbing: pagination and the exception handler that keeps every error JSON and readable.

Messages are in the request's language (LocaleMiddleware: the language cookie, a signed-in user's saved language,
else Accept-Language): services raise DomainErrors with gettext'd text, DRF's own messages are lazy and
translated by DRF's catalogues; ``code`` never changes with the language."""

import logging
import secrets

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

logger = logging.getLogger(__name__)


_DATETIME = serializers.DateTimeField()


def api_datetime(value) -> str | None:
    """A datetime as the API's serializers write it, for bodies built by hand from plain rows: DRF's
    ``DateTimeField`` (the current time zone, ISO 8601, microseconds kept, UTC as ``Z``)."""
    return _DATETIME.to_representation(value)


class RawJSON:
    """JSON text as the database keeps it, to be written into a body as it is: a design's analysis report is
    10-15 kB of numbers, and decoding it from the row only to encode it again was most of what a page of designs
    cost. ``RawJSONRenderer`` writes it; the text is JSON the platform stored, so the body stays valid JSON."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class RawJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, writing ``RawJSON`` values as their text (a renderer is made per request, so the
    encoder set for one render is that render's own)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raws = []
        marker = secrets.token_hex(8)  # no text in the body can be mistaken for a place of raw JSON

        class Encoder(type(self).encoder_class):
            def default(self, value):
                if isinstance(value, RawJSON):
                    raws.append(value.text)
                    return f"\x00{marker}:{len(raws) - 1}\x00"
                return super().default(value)

        self.encoder_class = Encoder
        try:
            body = super().render(data, accepted_media_type, renderer_context)
        finally:
            del self.encoder_class
        for index, text in enumerate(raws):
            body = body.replace(f'"\\u0000{marker}:{index}\\u0000"'.encode(), text.encode(), 1)
        return body


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def _flatten(errors, prefix="") -> list[str]:
    """Turn DRF's nested error structure into sentences such as "quantity: Ensure this value is >= 1."."""
    if isinstance(errors, dict):
        sentences = []
        for key, value in errors.items():
            name = prefix.rstrip(".") if key == "non_field_errors" else f"{prefix}{key}"
            sentences.extend(_flatten(value, f"{name}." if name else ""))
        return sentences
    if isinstance(errors, list):
        sentences = []
        for index, value in enumerate(errors):
            if isinstance(value, dict | list) and not all(isinstance(v, str) for v in value):
                sentences.extend(_flatten(value, f"{prefix}{index}."))
            else:
                sentences.extend(_flatten(value, prefix))
        return sentences
    label = prefix.rstrip(".")
    return [f"{label}: {errors}" if label else str(errors)]


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code, **exc.details}, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": _("The request body is larger than this server accepts."), "code": "too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(detail=_("The request could not be understood."))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        sentences = _flatten(response.data)
        response.data = {
            "detail": " ".join(sentences) or _("Invalid input."),
            "code": "invalid",
            "errors": response.data,
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response
