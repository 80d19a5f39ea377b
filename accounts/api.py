from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import ApiToken, TokenScope, User
from core.permissions import Anyone, IsCustomer, OwnAccount


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class UserSerializer(serializers.ModelSerializer):
    email_verified = serializers.SerializerMethodField()
    email_pending = serializers.SerializerMethodField()
    two_factor = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "email_verified",
            "email_pending",
            "two_factor",
            "role",
            "is_staff",
            "webhook_url",
            "webhook_secret",
            "language",
        ]
        read_only_fields = ["id", "username", "role", "is_staff", "webhook_secret"]

    def get_email_verified(self, user) -> bool:
        return selectors.email_verified(user)

    def get_email_pending(self, user) -> str:
        """An address waiting for its verification link to be opened ("" when none)."""
        return selectors.email_pending(user)

    def get_two_factor(self, user) -> bool:
        return user.has_two_factor


class TokenLoginSerializer(AuthTokenSerializer):
    otp = serializers.CharField(required=False, allow_blank=True, max_length=16, help_text="Authenticator code")


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scope", "created_at", "last_used_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    scope = serializers.ChoiceField(
        choices=TokenScope.choices,
        default=TokenScope.FULL,
        help_text='"full": everything the account may do; "agent" (makers only): the maker API only.',
    )


class RegisterView(APIView):
    """Anyone: create a customer account. Answers with the account and an API token ("default"); a link to
    verify the e-mail address is sent to it (a verified address is needed before the first order)."""

    permission_classes = [Anyone]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        request=RegisterSerializer,
        responses={201: inline_serializer("Registered", {"user": UserSerializer(), "token": serializers.CharField()})},
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        if user.email:
            services.email_verification_send(request=request._request, user=user)
        _token, key = services.api_token_create(user=user, name="default")
        return Response({"user": UserSerializer(user).data, "token": key}, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    """Anyone: exchange a user name (or e-mail address) and password for a new API token ("log-in"; the ten
    most recently used log-in tokens are kept). An account with two-factor authentication also gives ``otp``,
    a current code of its authenticator app."""

    permission_classes = [Anyone]
    authentication_classes = []

    @extend_schema(
        request=TokenLoginSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request):
        serializer = TokenLoginSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        lockout = getattr(request, "login_lockout", None) or getattr(request._request, "login_lockout", None)
        if lockout is not None:
            return Response(
                {
                    "detail": _("%(reason)s Try again in %(seconds)s seconds.")
                    % {"reason": _(lockout.reason), "seconds": lockout.retry_after_seconds},
                    "code": "too_many_failures",
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(lockout.retry_after_seconds)},
            )
        if not valid:
            serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if user.has_two_factor:
            code = serializer.validated_data.get("otp", "")
            if not code:
                return Response(
                    {
                        "detail": _(
                            "This account uses two-factor authentication: give otp, the code of your authenticator app."
                        ),
                        "code": "otp_required",
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            if not services.totp_code_check(user=user, code=code):
                return Response(
                    {"detail": _("The authenticator code is wrong or was used already."), "code": "otp_invalid"},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        return Response({"token": services.api_token_log_in(user=user)})


class ApiTokenListView(APIView):
    """Any signed-in user: their API tokens (names and prefixes, never keys); POST makes one and answers its
    key, shown this once (``scope`` "full", or "agent" for a maker's print agent: the maker API only)."""

    permission_classes = [OwnAccount]

    @extend_schema(responses={200: ApiTokenSerializer(many=True)})
    def get(self, request):
        return Response(ApiTokenSerializer(selectors.api_tokens_of(request.user), many=True).data)

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={
            201: inline_serializer("NewApiToken", {"token": ApiTokenSerializer(), "key": serializers.CharField()})
        },
    )
    def post(self, request):
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=request.user, **serializer.validated_data)
        return Response({"token": ApiTokenSerializer(token).data, "key": key}, status=status.HTTP_201_CREATED)


class ApiTokenDetailView(APIView):
    """Any signed-in user: revoke one of their own tokens (another's: 404). The key stops working at once."""

    permission_classes = [OwnAccount]

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.api_token_revoke(user=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerificationResendView(APIView):
    """Any signed-in user: send the link that verifies their e-mail address again (a verified address is
    needed before the first order)."""

    permission_classes = [OwnAccount]

    @extend_schema(
        request=None, responses={202: inline_serializer("VerificationSent", {"email": serializers.EmailField()})}
    )
    def post(self, request):
        address = services.email_verification_send(request=request._request, user=request.user)
        return Response({"email": address.email}, status=status.HTTP_202_ACCEPTED)


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})


class MeView(APIView):
    """Any signed-in user: their own account; PATCH sets the webhook URL and the language of pages and e-mails
    ("en", "de", "fr", "nl"; "" for none chosen), and asks for a new e-mail address (verified by a link sent to it;
    it replaces the old one then: ``email_pending`` until); DELETE (with the current password) erases the account:
    204, or 409 with the reasons while something is under way (README "Privacy")."""

    permission_classes = [OwnAccount]

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=UserSerializer, responses=UserSerializer)
    def patch(self, request):
        serializer = UserSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        email = data.pop("email", None)
        if email is not None and email.strip().lower() != (request.user.email or "").lower():
            services.email_change_request(request=request._request, user=request.user, email=email)
        user = services.user_update_profile(user=request.user, **data)
        user.refresh_from_db()
        return Response(UserSerializer(user).data)

    @extend_schema(request=PasswordSerializer, responses={204: None})
    def delete(self, request):
        serializer = PasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.account_erase(user=request.user, password=serializer.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportView(APIView):
    """Any signed-in user: everything the platform holds about them, as a zip (``data.json`` and ``files/``)."""

    permission_classes = [OwnAccount]

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request):
        return export_response(request.user)


def export_response(user) -> FileResponse:
    """The export zip as a download (streamed from its temporary file, which closes and vanishes after)."""
    stamp = timezone.now().strftime("%Y-%m-%d")
    return FileResponse(
        services.account_export(user=user),
        as_attachment=True,
        filename=f"makernet-data-{user.pk}-{stamp}.zip",
        content_type="application/zip",
    )


class AddressSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    line1 = serializers.CharField(max_length=120)
    line2 = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=80)
    country = serializers.CharField(max_length=2, min_length=2)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(source="latitude", required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(source="longitude", required=False, min_value=-180, max_value=180)
    last_used_at = serializers.DateTimeField(read_only=True)


class AddressListView(APIView):
    """Customers: their address book (orders add the addresses they ship to); add one, checked per country."""

    permission_classes = [IsCustomer]

    @extend_schema(responses={200: AddressSerializer(many=True)})
    def get(self, request):
        return Response(AddressSerializer(request.user.addresses.all(), many=True).data)

    @extend_schema(request=AddressSerializer, responses={201: AddressSerializer})
    def post(self, request):
        serializer = AddressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lat, lon = data.pop("latitude", None), data.pop("longitude", None)
        address = services.address_check(data)
        latitude, longitude, _label = services.address_locate(address, lat=lat, lon=lon)
        entry = services.address_save(user=request.user, address=address, latitude=latitude, longitude=longitude)
        return Response(AddressSerializer(entry).data, status=201)


class AddressDetailView(APIView):
    """Customers: delete an address from their book (orders keep their own copy)."""

    permission_classes = [IsCustomer]

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.address_delete(user=request.user, address_id=pk)
        return Response(status=204)
