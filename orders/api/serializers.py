from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from billing.models import Invoice
from core.links import url_pattern
from designs.selectors import version_file_url
from orders.models import ORDER_TRANSITIONS, Batch, Claim, CounterOffer, Job, Order, OrderItem
from orders.selectors import job_delivery_address, job_print_file_state, job_print_file_url
from orders.services.checkout import order_lines, order_payment

# The largest id a database column holds (64-bit): larger numbers are refused, not sent to the database.
MAX_ID = 2**63 - 1


class ShipToSerializer(serializers.Serializer):
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    city = serializers.CharField(required=False, max_length=80)
    label = serializers.CharField(required=False, max_length=120)

    def validate(self, data):
        if not data.get("city") and ("lat" not in data or "lon" not in data):
            raise serializers.ValidationError(_("Give lat and lon, or a city."))
        return data


class QuoteRequestSerializer(serializers.Serializer):
    design_version = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    material = serializers.SlugField(max_length=32)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000, default=1)
    colour = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    ship_to = ShipToSerializer()


class OrderItemRequestSerializer(serializers.Serializer):
    design_version = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    material = serializers.SlugField(max_length=32)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)
    colour = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    accept_risk = serializers.BooleanField(
        default=False,
        help_text=_("print it at your own risk although the analysis warned (see the quote's risk_warnings)"),
    )


class ShippingAddressSerializer(serializers.Serializer):
    """A delivery address; checked per country by the service (postcode formats), which names a bad field."""

    name = serializers.CharField(max_length=120)
    line1 = serializers.CharField(max_length=120)
    line2 = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=80)
    country = serializers.CharField(max_length=2, min_length=2, help_text=_("ISO 3166-1 alpha-2, e.g. DE"))
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(
        required=False, min_value=-90, max_value=90, help_text=_("optional: the place on the map")
    )
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)


class OrderCreateSerializer(serializers.Serializer):
    quote = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text=_("order what this quote priced (then items may be left out)"),
    )
    offer = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text=_("the maker id of the quote's offer to take; default: the recommended (first printable) offer"),
    )
    accept_risk = serializers.BooleanField(default=False, help_text=_("with quote: print it at your own risk"))
    items = OrderItemRequestSerializer(many=True, allow_empty=False, max_length=50, required=False)
    shipping_address = ShippingAddressSerializer()
    ship_to = ShipToSerializer(required=False, help_text=_("optional: the place makers are matched from (lat, lon)"))
    vat_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text=_("a business's EU VAT number")
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate(self, data):
        if not data.get("quote") and not data.get("items"):
            raise serializers.ValidationError(_("Give a quote (and optionally an offer), or items."))
        if data.get("quote") and data.get("items"):
            raise serializers.ValidationError(_("Give a quote or items, not both."))
        if data.get("offer") and not data.get("quote"):
            raise serializers.ValidationError({"offer": _("An offer is chosen from a quote: give the quote too.")})
        return data


class SavedAddressSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    line1 = serializers.CharField(read_only=True)
    line2 = serializers.CharField(read_only=True)
    postcode = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    lat = serializers.FloatField(source="latitude", read_only=True)
    lon = serializers.FloatField(source="longitude", read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True)


class ReorderSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False, max_length=50
    )
    quantity = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
    ship_to = ShipToSerializer(required=False)


class RefundRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("gross; default: all that can be"),
    )
    reason = serializers.CharField(max_length=2000)
    from_maker = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text=_("take it from this maker's held payout (a claim)")
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.SerializerMethodField()
    reason = serializers.CharField()
    details = serializers.JSONField()

    def get_actor(self, event) -> str | None:
        return event.actor.username if event.actor_id else None


def job_photo_url(job) -> str | None:
    """The permission-checked URL of a job's photo of the printed parts, once there is one."""
    return url_pattern("job-photo", "pk").format(pk=job.pk) if job.photo else None


class MakerSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    city = serializers.CharField()


class OrderJobSerializer(serializers.ModelSerializer):
    maker = MakerSummarySerializer(read_only=True)
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "status",
            "maker",
            "batch",
            "quantity",
            "distance_km",
            "co2_kg",
            "offer_expires_at",
            "due_at",
            "tracking_number",
            "carrier",
            "shipped_at",
            "photo_url",
        ]

    def get_photo_url(self, job) -> str | None:
        return job_photo_url(job)


class OrderItemSerializer(serializers.ModelSerializer):
    material = serializers.SlugRelatedField(slug_field="code", read_only=True)
    design = serializers.IntegerField(source="design_version.design_id", read_only=True)
    design_name = serializers.CharField(source="design_version.design.name", read_only=True)
    version_number = serializers.IntegerField(source="design_version.number", read_only=True)
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = OrderItem
        fields = [
            "id",
            "design_version",
            "design",
            "design_name",
            "version_number",
            "material",
            "colour",
            "quantity",
            "unit_price",
            "total_price",
            "price_breakdown",
            "template_slug",
            "parameters",
            "reorder_of",
            "risk_accepted",
            "risk_warnings",
            "thumbnail_url",
        ]

    def get_thumbnail_url(self, item) -> str | None:
        return version_file_url(item.design_version, "thumbnail")


class CounterOfferSerializer(serializers.ModelSerializer):
    """A maker's other terms for a job. ``awaiting_payment``: accepted with a price rise whose top-up (gross, at
    ``checkout_url``) is not paid yet; the job is the maker's once it is."""

    maker = MakerSummarySerializer(read_only=True)
    price_difference = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)
    awaiting_payment = serializers.BooleanField(source="is_awaiting_payment", read_only=True)
    top_up = serializers.SerializerMethodField()
    checkout_url = serializers.SerializerMethodField()

    class Meta:
        model = CounterOffer
        fields = [
            "id",
            "job",
            "order",
            "maker",
            "status",
            "awaiting_payment",
            "price_before",
            "price",
            "price_difference",
            "due_at_before",
            "due_at",
            "message",
            "expires_at",
            "created_at",
            "decided_at",
            "settled_at",
            "top_up",
            "checkout_url",
        ]

    def get_top_up(self, counter_offer) -> dict | None:
        payment = counter_offer.payment
        if payment is None:
            return None
        return {"amount": str(payment.amount), "vat": str(payment.vat), "status": payment.status}

    def get_checkout_url(self, counter_offer) -> str:
        payment = counter_offer.payment
        if counter_offer.is_awaiting_payment and payment is not None and payment.status in ("pending", "failed"):
            return payment.checkout_url
        return ""


class CounterOfferRequestSerializer(serializers.Serializer):
    price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("the customer's net price for all of the job's parts"),
    )
    due_at = serializers.DateTimeField(required=False, allow_null=True, help_text=_("the proposed ship date"))
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OrderSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.username", read_only=True)
    ship_to = serializers.SerializerMethodField()
    shipping_address = serializers.JSONField(read_only=True)
    lines = serializers.SerializerMethodField()
    vat = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()
    invoices = serializers.SerializerMethodField()
    offer_maker = serializers.IntegerField(source="offer_maker_id", read_only=True, allow_null=True)
    items = OrderItemSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    jobs = OrderJobSerializer(many=True, read_only=True)
    counter_offers = CounterOfferSerializer(many=True, read_only=True)
    allowed_next = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "status",
            "customer",
            "ship_to",
            "shipping_address",
            "quote",
            "offer_maker",
            "currency",
            "items_net",
            "shipping_net",
            "vat_total",
            "total",
            "lines",
            "vat",
            "payment",
            "invoices",
            "hold_reason",
            "note",
            "created_at",
            "confirmed_at",
            "delivered_at",
            "items",
            "jobs",
            "counter_offers",
            "events",
            "allowed_next",
        ]

    def get_ship_to(self, order) -> dict:
        return {"lat": order.ship_to_latitude, "lon": order.ship_to_longitude, "label": order.ship_to_label}

    def get_allowed_next(self, order) -> list[str]:
        return sorted(ORDER_TRANSITIONS[order.status])

    def get_lines(self, order) -> list[dict]:
        return order_lines(order)

    def get_vat(self, order) -> dict:
        return {
            "rate": str(order.vat_rate),
            "country": order.vat_country,
            "number": order.vat_number,
            "reverse_charge": order.reverse_charge,
            "note": order.vat_note,
        }

    def get_payment(self, order) -> dict | None:
        payment = order_payment(order)
        if payment is None:
            return None
        return {
            "provider": payment.provider,
            "status": payment.status,
            "amount": str(payment.amount),
            "refunded": str(payment.amount_refunded),
            "checkout_url": payment.checkout_url if payment.status in ("pending", "failed") else "",
            "client_secret": payment.client_secret if payment.status in ("pending", "failed") else "",
            "failure_message": payment.failure_message,
        }

    def get_invoices(self, order) -> list[dict]:
        return [
            {
                "number": invoice.number,
                "kind": invoice.kind,
                "gross": str(invoice.gross),
                "issued_at": invoice.issued_at,
                "pdf_url": url_pattern("invoice-pdf", "number").format(number=invoice.number),
            }
            for invoice in Invoice.objects.filter(order_id=order.pk).order_by("issued_at", "id")
        ]


class OrderItemSummarySerializer(OrderItemSerializer):
    """An item as lists show it: no price breakdown or parameters (the order's own page has them)."""

    class Meta(OrderItemSerializer.Meta):
        fields = [f for f in OrderItemSerializer.Meta.fields if f not in ("price_breakdown", "parameters")]


class OrderListSerializer(OrderSerializer):
    items = OrderItemSummarySerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [
            "id",
            "status",
            "customer",
            "ship_to",
            "currency",
            "total",
            "hold_reason",
            "created_at",
            "items",
        ]


class JobItemSerializer(serializers.Serializer):
    order_item = serializers.IntegerField(source="order_item_id")
    quantity = serializers.IntegerField()
    design = serializers.IntegerField(source="order_item.design_version.design_id")
    design_name = serializers.CharField(source="order_item.design_version.design.name")
    version = serializers.IntegerField(source="order_item.design_version.number")
    colour = serializers.CharField(source="order_item.colour")
    parameters = serializers.JSONField(source="order_item.parameters")
    extents_mm = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()

    def _url(self, job_item, kind):
        return version_file_url(job_item.order_item.design_version, kind)

    def get_extents_mm(self, job_item) -> list[float] | None:
        report = job_item.order_item.design_version.analysis or {}
        return report.get("print_extents_mm") or report.get("bounding_box_mm")

    def get_file_url(self, job_item) -> str | None:
        version = job_item.order_item.design_version
        return self._url(job_item, "repaired" if version.repaired_file else "file")

    def get_thumbnail_url(self, job_item) -> str | None:
        return self._url(job_item, "thumbnail")

    def get_preview_url(self, job_item) -> str | None:
        return self._url(job_item, "preview")


class JobSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(source="order_id", read_only=True)
    material = serializers.SlugRelatedField(slug_field="code", read_only=True)
    items = JobItemSerializer(source="job_items", many=True, read_only=True)
    ship_to = serializers.CharField(source="order.ship_to_label", read_only=True)
    photo_url = serializers.SerializerMethodField()
    events = EventSerializer(many=True, read_only=True)
    seconds_left = serializers.SerializerMethodField()
    machine_hours = serializers.FloatField(
        read_only=True, help_text=_("the slicer's for what the file holds, else the estimate")
    )
    machine_hours_basis = serializers.SerializerMethodField()
    print_file_url = serializers.SerializerMethodField()
    print_file = serializers.SerializerMethodField()
    delivery_address = serializers.SerializerMethodField()
    counter_offer = serializers.SerializerMethodField()
    start_confirmed = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "status",
            "order",
            "batch",
            "material",
            "quantity",
            "price",
            "payout",
            "offered_at",
            "offer_expires_at",
            "seconds_left",
            "responded_at",
            "due_at",
            "shipped_at",
            "decline_reason",
            "tracking_number",
            "carrier",
            "distance_km",
            "co2_kg",
            "ship_to",
            "match",
            "items",
            "photo_url",
            "machine_hours",
            "machine_hours_basis",
            "print_file_url",
            "print_file",
            "delivery_address",
            "counter_offer",
            # the print agent's view of the print (issue 18)
            "printer",
            "print_state",
            "start_confirmed",
            "progress",
            "actual_seconds",
            "print_failure_reason",
            "events",
        ]

    def get_photo_url(self, job) -> str | None:
        return job_photo_url(job)

    def get_counter_offer(self, job) -> dict | None:
        """The job's latest counter-offer (pending while the customer decides), if its maker made one."""
        latest = next(iter(job.counter_offers.all()), None)
        return CounterOfferSerializer(latest).data if latest is not None else None

    def get_delivery_address(self, job) -> dict | None:
        """Only the maker holding the accepted job sees where it goes (offers show the city only)."""
        return job_delivery_address(job)

    def get_machine_hours_basis(self, job) -> str:
        return "sliced" if job.sliced else "estimate"

    def get_print_file_url(self, job) -> str | None:
        return job_print_file_url(job)

    def get_print_file(self, job) -> dict | None:
        return job_print_file_state(job)

    def get_start_confirmed(self, job) -> bool:
        return job.start_confirmed_at is not None

    def get_seconds_left(self, job) -> int | None:
        return seconds_left(job.status, job.offer_expires_at)


class JobListSerializer(JobSerializer):
    class Meta(JobSerializer.Meta):
        fields = [f for f in JobSerializer.Meta.fields if f not in ("events", "match")]


class ProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["printing", "printed", "shipped"])
    tracking = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    carrier = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    photo = serializers.ImageField(required=False, allow_null=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BatchJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = ["id", "status", "order", "quantity", "offer_expires_at", "due_at"]


class BatchSerializer(serializers.ModelSerializer):
    maker = MakerSummarySerializer(read_only=True)
    material = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jobs = BatchJobSerializer(many=True, read_only=True)

    class Meta:
        model = Batch
        fields = [
            "id",
            "status",
            "maker",
            "material",
            "plates",
            "fill_ratio",
            "machine_hours",
            "packing",
            "joinable_until",
            "created_at",
            "jobs",
        ]


# Claims -------------------------------------------------------------------------------------------------------

CLAIM_DECISION_OF_STATUS = {"reprint": "reprint", "refunded": "refund", "rejected": "reject"}


class ClaimCreateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, help_text=_("what is wrong with the parts"))
    job = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text=_("needed when several makers made it"),
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, help_text=_("1 to 6 photos (JPEG or PNG) of the problem")
    )


class ClaimAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)


class ClaimDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["reprint", "refund", "reject"])
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text=_("refund only: gross; default all that is held for the maker on the order"),
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ClaimSerializer(serializers.ModelSerializer):
    maker = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    reprint_job = serializers.IntegerField(source="reprint_job_id", allow_null=True)
    reprint_job_status = serializers.SerializerMethodField()
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "order",
            "job",
            "maker",
            "status",
            "reason",
            "photos",
            "maker_answer",
            "decision",
            "decision_note",
            "refund_amount",
            "reprint_job",
            "reprint_job_status",
            "created_at",
            "events",
        ]

    def get_maker(self, claim) -> dict:
        maker = claim.job.maker
        return {"id": maker.pk, "name": maker.name, "city": maker.city}

    def get_photos(self, claim) -> list[str]:
        return [claim_photo_url(claim, photo) for photo in claim.photos.all()]

    def get_decision(self, claim) -> str | None:
        return CLAIM_DECISION_OF_STATUS.get(claim.status)

    def get_reprint_job_status(self, claim) -> str | None:
        return claim.reprint_job.status if claim.reprint_job_id else None


def claim_photo_url(claim, photo) -> str:
    """The permission-checked URL of one of a claim's photos."""
    return url_pattern("claim-photo", "pk", "position").format(pk=claim.pk, position=photo.position)


def seconds_left(status: str, expires_at) -> int | None:
    """Seconds until an offer runs out (None once it is not an offer any more)."""
    if status != "offered" or expires_at is None:
        return None
    return max(int((expires_at - timezone.now()).total_seconds()), 0)


def job_seconds_left_refresh(job: dict) -> dict:
    """A kept job body's countdown brought to this moment (the read cache keeps the rest as it was rendered)."""
    if "seconds_left" in job:
        expires_at = job.get("offer_expires_at")
        job["seconds_left"] = seconds_left(job.get("status"), parse_datetime(expires_at) if expires_at else None)
    return job
